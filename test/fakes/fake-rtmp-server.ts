/** An RtmpServer whose publishers the test sets; records every drop. */
import type { Publisher, RtmpServer } from '../../src/ports/rtmp-server.js';

export class FakeRtmpServer implements RtmpServer {
  readonly kind = 'nginx-rtmp' as const;
  publishers: Publisher[] = [];
  readonly drops: Publisher[] = [];
  lookups = 0;

  constructor(readonly id = 'local') {}

  publish(app: string, name: string, clientId: string): Publisher {
    const publisher: Publisher = { app, name, clientId, bytesIn: 1_000 };
    this.publishers.push(publisher);
    return publisher;
  }

  listPublishers(): Promise<Publisher[]> {
    return Promise.resolve([...this.publishers]);
  }

  findPublisher(app: string, name: string): Promise<Publisher | undefined> {
    this.lookups += 1;
    return Promise.resolve(this.publishers.find((p) => p.app === app && p.name === name));
  }

  dropPublisher(publisher: Publisher): Promise<boolean> {
    if (publisher.name === '') return Promise.reject(new Error('a drop needs a name'));
    this.drops.push(publisher);
    const before = this.publishers.length;
    this.publishers = this.publishers.filter((p) => p.clientId !== publisher.clientId);
    return Promise.resolve(this.publishers.length < before);
  }
}
