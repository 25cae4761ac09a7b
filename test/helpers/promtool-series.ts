/**
 * Turns /metrics scrapes recorded during a real run into `promtool test rules` input series, so
 * the deploy/ alert rules are tested against the series the daemon really produces:
 *
 *   const recorder = recordScrapes(url, 1_000);         // one scrape a second, in the background
 *   …the scenario…
 *   const scrapes = await recorder.stop();
 *   const series = toInputSeries(scrapes, ['streamwarden_stream_restarts_total'], { job: 'streamwarden', instance: 'x' });
 *
 * Sample i of every series is scrape i (`interval` = the scrape period); a series missing from
 * a scrape gets `_` (no sample). The recorder is bounded: at most `maxScrapes`.
 */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface ScrapeRecorder {
  /** Stops scraping; resolves with every scrape text, oldest first. */
  stop(): Promise<string[]>;
  count(): number;
}

export function recordScrapes(url: string, periodMs: number, maxScrapes = 600): ScrapeRecorder {
  const scrapes: string[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = (): void => {
    if (stopped || scrapes.length >= maxScrapes) return;
    inFlight = fetch(url)
      .then(async (response) => {
        if (!stopped) scrapes.push(await response.text());
      })
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, periodMs);
      });
  };
  tick();
  return {
    count: () => scrapes.length,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight;
      return scrapes;
    },
  };
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/;

/** The samples of `families` in one scrape, by series (`name{labels}`, with `extra` labels added first). */
function samplesOf(text: string, families: ReadonlySet<string>, extra: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const [, name = '', braces = '', value = ''] = match;
    if (!families.has(name)) continue;
    const labels = braces === '' ? '' : braces.slice(1, -1);
    out.set(`${name}{${[extra, labels].filter((part) => part !== '').join(',')}}`, value);
  }
  return out;
}

/** One input series per series of `families` seen in any scrape; `hold` more copies of each last value. */
export function toInputSeries(scrapes: readonly string[], families: readonly string[], labels: Readonly<Record<string, string>>, hold = 0): InputSeries[] {
  const extra = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
  const wanted = new Set(families);
  const perScrape = scrapes.map((text) => samplesOf(text, wanted, extra));
  const names = [...new Set(perScrape.flatMap((samples) => [...samples.keys()]))].sort();
  return names.map((series) => {
    const values = perScrape.map((samples) => samples.get(series) ?? '_');
    const last = values.at(-1) ?? '_';
    return { series, values: [...values, ...(hold > 0 && last !== '_' ? [`${last}x${hold - 1}`] : [])].join(' ') };
  });
}
