/**
 * The embedded demo: generated test sources written as HLS under a data folder, so the daemon
 * can be seen supervising, and recovering, without any other service. `flaky` ends every
 * 20 seconds on purpose and `unreachable` reads an input that does not exist, so recovery,
 * backoff and the crash loop are all visible in `streamwarden status`.
 */
import { join } from 'node:path';

const HLS = ['-f', 'hls', '-hls_time', '2', '-hls_list_size', '6', '-hls_flags', 'delete_segments'];
const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-b:v', '300k'];

export const DEMO_STREAM_IDS = ['testcard', 'radio', 'flaky', 'unreachable'] as const;

/** The demo configuration as YAML text, validated by the same loader as any user file. */
export function demoConfigYaml(dataDir: string, port: number): string {
  const hls = (id: string) => join(dataDir, 'hls', id, 'index.m3u8');
  const list = (items: readonly string[]) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
  return `
server:
  listen: 127.0.0.1:${port}
storage:
  path: ${JSON.stringify(join(dataDir, 'streamwarden.db'))}
streams:
  - id: testcard
    name: Test card with tone
    args: ${list([
      '-re', '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=15',
      '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      ...H264, '-c:a', 'aac', '-b:a', '64k', ...HLS, hls('testcard'),
    ])}
  - id: radio
    name: 24/7 radio (audio only)
    inputs:
      - lavfi:sine=frequency=220:beep_factor=4:sample_rate=48000
    encode: ${list(['-c:a', 'aac', '-b:a', '96k', ...HLS])}
    output: ${JSON.stringify(hls('radio'))}
  - id: flaky
    name: Ends every 20 s on purpose
    args: ${list(['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=10', '-t', '20', ...H264, ...HLS, hls('flaky')])}
    restart: { backoffMax: 8s, budget: { restarts: 30, within: 10m } }
  - id: unreachable
    name: Input that does not exist
    inputs:
      - http://127.0.0.1:9/no-such-radio.mp3
    encode: ${list(['-c:a', 'aac', '-f', 'flv'])}
    output: ${JSON.stringify(join(dataDir, 'unreachable.flv'))}
`;
}
