import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../config/load.js';
import { canonicalJson } from '../domain/canonical-json.js';
import { specHash } from './spec-hash.js';

/** One check of each type, some settings given and some defaulted. */
const CONFIG = `
rtmpServers:
  - id: local
    type: nginx-rtmp
    statUrl: http://127.0.0.1:8080/stat
    controlUrl: http://127.0.0.1:8080/control
streams:
  - id: s
    args: [-i, in.mp4, -f, flv, rtmp://127.0.0.1/live/x]
    rtmpServer: local
    checks:
      - type: progress
        degraded:
          speed: { min: 0.9, for: 20s }
          bitrate: { minRatio: 0.3, learn: 2m }
          fps: { source: 25, for: 15s }
          warmup: 5s
      - type: process
        maxCpuPercent: 150
        maxRss: 512MiB
      - type: ffprobe
        url: rtmp://127.0.0.1/live/x
        expect: { video: true }
      - type: http
        url: http://127.0.0.1:8080/health
        conditions: ['body contains ok']
      - type: rtmp-server
        minBitrateKbps: 500
      - type: content
        every: 2m
        black: false
`;

// Written before CheckSpec became a union typed per check type: the stored JSON of a spec and
// its hash must not change for the same configuration (a changed hash restarts adopted streams).
const CANONICAL_JSON =
  '{"checks":[{"informational":false,"intervalMs":1000,"name":"progress","settings":{"degraded":{"bitrate":{"learnMs":120000,"minRatio":0.3},"fps":{"forMs":15000,"sourceFps":25},"speed":{"forMs":20000,"min":0.9},"warmupMs":5000}},"successThreshold":1,"timeoutMs":1000,"type":"progress","unhealthyAfterMs":10000},{"failureThreshold":1,"informational":false,"intervalMs":5000,"name":"process","settings":{"forMs":30000,"maxCpuPercent":150,"maxRssBytes":536870912},"successThreshold":1,"timeoutMs":2000,"type":"process"},{"informational":false,"intervalMs":3000,"name":"ffprobe","settings":{"expect":{"video":true},"url":"rtmp://127.0.0.1/live/x"},"successThreshold":1,"timeoutMs":10000,"type":"ffprobe","unhealthyAfterMs":30000},{"failureThreshold":3,"informational":false,"intervalMs":10000,"name":"http","settings":{"conditions":["body contains ok"],"status":200,"url":"http://127.0.0.1:8080/health"},"successThreshold":1,"timeoutMs":5000,"type":"http"},{"failureThreshold":3,"informational":false,"intervalMs":5000,"name":"rtmp-server","settings":{"minBitrateKbps":500},"successThreshold":1,"timeoutMs":5000,"type":"rtmp-server"},{"failureThreshold":2,"informational":false,"intervalMs":120000,"name":"content","settings":{"black":false,"durationMs":10000,"freeze":true,"silence":true},"successThreshold":1,"timeoutMs":30000,"type":"content"}],"id":"s","name":"s","notify":[],"onUnhealthy":["restart","notify"],"restart":{"backoffInitialMs":1000,"backoffMaxMs":60000,"backoffMultiplier":2,"budget":{"restarts":5,"withinMs":300000},"jitter":0.2,"resetAfterMs":600000},"rtmpServer":"local","source":{"args":["-i","in.mp4","-f","flv","rtmp://127.0.0.1/live/x"],"kind":"args"},"stallTimeoutMs":10000,"startTimeoutMs":30000,"stop":{"interruptGraceMs":5000,"terminateGraceMs":5000}}';
const HASH = '756d253cc8409f435e392cfbaae795979b7629ea21a1e3459802e3b37703f12f';

describe('specHash of a spec with one check of each type', () => {
  const [spec] = loadConfigText(CONFIG, {}).streams;
  if (spec === undefined) throw new Error('no stream');
  const { desired: _desired, ...rest } = spec;

  it('keeps the canonical JSON of the spec', () => {
    expect(canonicalJson(rest)).toBe(CANONICAL_JSON);
  });

  it('keeps the hash', () => {
    expect(specHash(spec)).toBe(HASH);
  });
});
