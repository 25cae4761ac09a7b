import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { createRedactor } from '../../domain/redact.js';
import type { Publisher, RtmpRequestOptions, RtmpServer } from '../../ports/rtmp-server.js';
import { RtmpServerError } from '../rtmp/errors.js';
import { RtmpServerProbe } from './rtmp-server-probe.js';

class FakeServer implements RtmpServer {
  readonly id = 'local';
  readonly kind = 'srs' as const;
  publishers: Publisher[] = [];
  error: Error | undefined;
  hang = false;
  listPublishers(): Promise<Publisher[]> {
    return Promise.resolve(this.publishers);
  }
  findPublisher(app: string, name: string, options?: RtmpRequestOptions): Promise<Publisher | undefined> {
    if (this.hang) {
      // honours nothing: the probe's race must still end it
      void options;
      return new Promise(() => undefined);
    }
    if (this.error !== undefined) return Promise.reject(this.error);
    return Promise.resolve(this.publishers.find((p) => p.app === app && p.name === name));
  }
  dropPublisher(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

const target = { app: 'live', name: 'radio-secret' };
const signal = new AbortController().signal;

describe('RtmpServerProbe', () => {
  it('passes when published above the floor, fails when absent or below', async () => {
    const server = new FakeServer();
    const probe = new RtmpServerProbe({ clock: new FakeClock(), server, target, minBitrateKbps: 500, timeoutMs: 1_000 });
    expect(await probe.run(signal)).toMatchObject({ ok: false, message: 'not published on RTMP server "local" (app "live")' });

    server.publishers = [{ app: 'live', name: 'radio-secret', clientId: '7', bytesIn: 1000, bitrateKbps: 812.3 }];
    const ok = await probe.run(signal);
    expect(ok).toMatchObject({ ok: true, message: 'published on RTMP server "local" (app "live"), client 7, inbound 812 kbps' });
    expect(ok.details).toMatchObject({ clientId: '7', bitrateKbps: 812.3 });

    server.publishers = [{ app: 'live', name: 'radio-secret', clientId: '7', bytesIn: 1000, bitrateKbps: 12.25 }];
    expect(await probe.run(signal)).toMatchObject({
      ok: false,
      message: 'inbound bitrate 12.3 kbps below 500 kbps on RTMP server "local" (app "live")',
    });

    server.publishers = [{ app: 'live', name: 'radio-secret', clientId: '7', bytesIn: 1000 }];
    expect(await probe.run(signal)).toMatchObject({ ok: true, message: expect.stringContaining('not measured yet') as unknown });
  });

  it('reports server errors as failures, never the key', async () => {
    const server = new FakeServer();
    server.error = new RtmpServerError('RTMP_SERVER_UNREACHABLE', 'local', 'GET /stat: connect ECONNREFUSED 127.0.0.1:1');
    const probe = new RtmpServerProbe({ clock: new FakeClock(), server, target, timeoutMs: 1_000, redact: createRedactor(['radio-secret']) });
    const result = await probe.run(signal);
    expect(result).toMatchObject({ ok: false, message: 'RTMP server "local": GET /stat: connect ECONNREFUSED 127.0.0.1:1' });
    expect(JSON.stringify(result)).not.toContain('radio-secret');
  });

  it('ends at its timeout even if the server never answers', async () => {
    const server = new FakeServer();
    server.hang = true;
    const probe = new RtmpServerProbe({ clock: new FakeClock(), server, target, timeoutMs: 50 });
    expect(await probe.run(signal)).toMatchObject({ ok: false, message: 'timed out after 0.05 s' });
    const controller = new AbortController();
    const running = probe.run(controller.signal);
    controller.abort();
    expect(await running).toMatchObject({ ok: false, message: 'aborted' });
  });
});
