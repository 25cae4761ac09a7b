/** A small inline SVG line of recent samples (gaps where a sample is missing). */
import { svg } from './dom.js';

const WIDTH = 96;
const HEIGHT = 24;

/** The polyline segments for `values`, scaled into the box; pure (exported for tests). */
export function sparklinePoints(values: readonly (number | null)[], width = WIDTH, height = HEIGHT): string[] {
  const numbers = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (numbers.length === 0) return [];
  const max = Math.max(...numbers);
  const min = Math.min(0, ...numbers);
  const span = max - min || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const segments: string[] = [];
  let current: string[] = [];
  values.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
      return;
    }
    const x = (index * step).toFixed(1);
    const y = (height - 1 - ((value - min) / span) * (height - 2)).toFixed(1);
    current.push(`${x},${y}`);
  });
  if (current.length > 0) segments.push(current.join(' '));
  return segments;
}

/** Fills `host` (an <svg>) with the line for `values`; `label` describes it for screen readers. */
export function drawSparkline(host: SVGSVGElement, values: readonly (number | null)[], label: string): void {
  host.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  host.setAttribute('role', 'img');
  host.setAttribute('aria-label', label);
  host.replaceChildren(...sparklinePoints(values).map((points) => svg('polyline', { points, fill: 'none', 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' })));
}

export function sparklineElement(): SVGSVGElement {
  return svg('svg', { class: 'sparkline', width: WIDTH, height: HEIGHT, focusable: 'false' });
}
