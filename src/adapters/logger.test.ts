import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../domain/redact.js';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines with a level label and masks secrets anywhere in the line', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ redact: createRedactor(['hunter2-key']), destination, pretty: false });
    logger.child({ stream: 'cam' }).warn(
      { command: 'ffmpeg -i x -f flv rtmp://127.0.0.1/live/streamkey-123', note: 'token hunter2-key' },
      'publishing to rtmp://127.0.0.1/live/streamkey-123',
    );
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'warn', stream: 'cam' });
    expect(lines[0]).not.toContain('streamkey-123');
    expect(lines[0]).not.toContain('hunter2-key');
    expect(entry.msg).toBe('publishing to rtmp://127.0.0.1/live/***');
  });
});
