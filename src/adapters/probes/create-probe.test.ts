import { describe, expect, it } from 'vitest';
import { checkSchema, resolveCheck } from '../../config/check-schema.js';
import { defaultRedactor } from '../../domain/redact.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import type { Publisher, RtmpServer } from '../../ports/rtmp-server.js';
import { ContentProbe } from './content-probe.js';
import { createHealthProbe, ProbeSetupError, type ProbeContext } from './create-probe.js';
import { FfprobeProbe } from './ffprobe-probe.js';
import { ConditionSyntaxError } from '../../domain/http-conditions.js';
import { HttpProbe } from './http-probe.js';
import { ProcessProbe } from './process-probe.js';
import { RtmpServerProbe } from './rtmp-server-probe.js';

const server: RtmpServer = {
  id: 'local',
  kind: 'nginx-rtmp',
  listPublishers: () => Promise.resolve([]),
  findPublisher: () => Promise.resolve<Publisher | undefined>(undefined),
  dropPublisher: () => Promise.resolve(false),
};
const context: ProbeContext = {
  ffprobePath: 'ffprobe',
  ffmpegPath: 'ffmpeg',
  redact: defaultRedactor,
  clock: new FakeClock(),
  pid: () => 1,
  rtmpServer: server,
  outputUrl: 'rtmp://127.0.0.1/live/key',
};
const check = (input: Record<string, unknown>): ReturnType<typeof resolveCheck> => resolveCheck(checkSchema.parse(input));

describe('createHealthProbe', () => {
  it.each([
    [{ type: 'ffprobe', url: 'rtmp://127.0.0.1/live/key', expect: { video: true } }, FfprobeProbe],
    [{ type: 'http', url: 'http://127.0.0.1:1/x', conditions: ['body.ok == true'] }, HttpProbe],
    [{ type: 'process', maxCpuPercent: 150 }, ProcessProbe],
    [{ type: 'rtmp-server', minBitrateKbps: 100 }, RtmpServerProbe],
    [{ type: 'content', duration: '5s' }, ContentProbe],
  ] as const)('%j', (input, kind) => {
    const probe = createHealthProbe(check(input), context);
    expect(probe).toBeInstanceOf(kind);
    expect(probe.kind).toBe(input.type);
  });

  it('explains what is missing', () => {
    expect(() => createHealthProbe(check({ type: 'progress' }), context)).toThrow(ProbeSetupError);
    expect(() => createHealthProbe(check({ type: 'process' }), { ...context, pid: undefined })).toThrow('no pid source');
    expect(() => createHealthProbe(check({ type: 'rtmp-server' }), { ...context, rtmpServer: undefined })).toThrow('names no rtmpServer');
    expect(() => createHealthProbe(check({ type: 'rtmp-server' }), { ...context, outputUrl: 'srt://h:1' })).toThrow('not an RTMP publish URL');
    expect(() => createHealthProbe(check({ type: 'content' }), { ...context, outputUrl: undefined })).toThrow('no output URL');
    expect(() => createHealthProbe(check({ type: 'http', url: 'http://h/x', conditions: ['body.x = 1'] }), context)).toThrow(ConditionSyntaxError);
  });
});
