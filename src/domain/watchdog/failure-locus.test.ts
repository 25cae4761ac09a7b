import { describe, expect, it } from 'vitest';
import type { Endpoints } from './endpoint-match.js';
import { classifyErrorLine, classifyFailure, type FailureCause, type FailureEvidence, type FailureLocus } from './failure-locus.js';

/** The README's radio stream, redacted as the API shows it. */
const RADIO: Endpoints = { inputs: ['http://127.0.0.1:8000/radio.mp3', 'lavfi:sine=frequency=440'], output: 'rtmp://127.0.0.1:1935/live/***' };
/** A relay: input and output on the same RTMP server, different apps. */
const RELAY: Endpoints = { inputs: ['rtmp://10.0.0.5:1935/ingest/***'], output: 'rtmp://10.0.0.5:1935/live/***' };
const FILE: Endpoints = { inputs: ['/media/loop.mp4'], output: 'srt://203.0.113.9:9000?streamid=***' };

describe('classifyErrorLine', () => {
  it.each<[string, Endpoints, string, FailureLocus, FailureCause]>([
    // ffmpeg 6+ markers
    ['in#0 refused', RADIO, '[in#0 @ 0x55d0] Error opening input: Connection refused', 'input', 'connection-refused'],
    ['out#0 refused', RADIO, '[out#0/flv @ 0x55d0] Error opening output rtmp://127.0.0.1:1935/live/***: Connection refused', 'output', 'connection-refused'],
    ['in#0 404', RADIO, '[in#0 @ 0x55d0] Error opening input: Server returned 404 Not Found', 'input', 'http-4xx'],
    // ffmpeg 4 style: "<url>: <error>"
    ['input URL refused', RADIO, 'http://127.0.0.1:8000/radio.mp3: Connection refused', 'input', 'connection-refused'],
    ['output URL refused', RADIO, 'rtmp://127.0.0.1:1935/live/***: Connection refused', 'output', 'connection-refused'],
    ['input URL 404', RADIO, 'http://127.0.0.1:8000/radio.mp3: Server returned 404 Not Found', 'input', 'http-4xx'],
    ['same server, input app', RELAY, 'rtmp://10.0.0.5:1935/ingest/***: Input/output error', 'input', 'io-error'],
    ['same server, output app', RELAY, 'rtmp://10.0.0.5:1935/live/***: Input/output error', 'output', 'io-error'],
    // transport only: host and port decide
    ['tcp to the output port', RADIO, '[tcp @ 0x55d0] Connection to tcp://127.0.0.1:1935 failed: Connection refused', 'output', 'connection-refused'],
    ['tcp to the input port', RADIO, '[tcp @ 0x55d0] Connection to tcp://127.0.0.1:8000 failed: Connection refused', 'input', 'connection-refused'],
    ['tcp, same host and port on both sides', RELAY, '[tcp @ 0x1] Connection to tcp://10.0.0.5:1935 failed: Connection refused', 'unknown', 'connection-refused'],
    // protocol only
    ['http tag, only the input speaks http', RADIO, '[http @ 0x55d0] HTTP error 503 Service Unavailable', 'input', 'http-5xx'],
    ['rtmp tag, only the output speaks rtmp', RADIO, '[rtmp @ 0x55d0] Server error: Already publishing', 'output', 'already-publishing'],
    // output wording
    ['already publishing', RELAY, 'Already publishing', 'output', 'already-publishing'],
    ['broken pipe', RADIO, 'av_interleaved_write_frame(): Broken pipe', 'output', 'broken-pipe'],
    ['trailer', RADIO, 'Error writing trailer of rtmp://127.0.0.1:1935/live/***: Broken pipe', 'output', 'broken-pipe'],
    ['4xx with no side named', RELAY, 'Server returned 403 Forbidden (access denied)', 'output', 'http-4xx'],
    ['srt output timeout', FILE, 'srt://203.0.113.9:9000: Connection timed out', 'output', 'timeout'],
    // encoder
    ['decoding', RADIO, 'Error while decoding stream #0:0: Invalid data found when processing input', 'encoder', 'decode-error'],
    ['encoder open', RADIO, 'Error while opening encoder for output stream #0:0 - maybe incorrect parameters', 'encoder', 'encoder-error'],
    ['unknown encoder', RADIO, 'Unknown encoder \'libfdk_aac\'', 'encoder', 'encoder-error'],
    ['conversion failed alone', RADIO, 'Conversion failed!', 'encoder', 'conversion-failed'],
    // input wording
    ['missing file', FILE, '/media/loop.mp4: No such file or directory', 'input', 'not-found'],
    ['invalid data', FILE, '/media/loop.mp4: Invalid data found when processing input', 'input', 'invalid-data'],
    ['dns on input', RADIO, 'Failed to resolve hostname radio.example: Name or service not known', 'unknown', 'dns'],
    ['nothing known', RADIO, 'something odd happened', 'unknown', 'unknown'],
  ])('%s', (_name, endpoints, line, locus, cause) => {
    expect(classifyErrorLine(line, endpoints)).toEqual({ locus, cause });
  });
});

describe('classifyFailure', () => {
  const base: FailureEvidence = { endpoints: RADIO };

  it.each<[string, Partial<FailureEvidence>, FailureLocus, FailureCause, string]>([
    ['a log line with a side wins', { lastError: 'av_interleaved_write_frame(): Broken pipe', rtmpServer: { publishing: true }, exit: { reason: 'killed', signal: 'SIGKILL' } }, 'output', 'broken-pipe', 'log'],
    [
      'already publishing in the recent lines beats a vaguer last line',
      { lastError: 'rtmp://127.0.0.1:1935/live/***: Operation not permitted', recentLines: ['[rtmp @ 0x1] Server error: Already publishing', 'rtmp://127.0.0.1:1935/live/***: Operation not permitted'] },
      'output',
      'already-publishing',
      'log',
    ],
    ['the RTMP server does not see us', { rtmpServer: { publishing: false } }, 'output', 'not-published', 'rtmp-server'],
    ['an ffprobe of the output', { failedChecks: [{ type: 'ffprobe', name: 'out', url: 'rtmp://127.0.0.1:1935/live/***', message: 'no video' }] }, 'output', 'check-failed', 'check'],
    ['an ffprobe of the input', { failedChecks: [{ type: 'ffprobe', name: 'src', url: 'http://127.0.0.1:8000/radio.mp3' }] }, 'input', 'check-failed', 'check'],
    ['an ffprobe of something else', { failedChecks: [{ type: 'ffprobe', name: 'relay', url: 'rtmp://198.51.100.1/x/***' }] }, 'output', 'check-failed', 'check'],
    ['a frozen or silent picture', { failedChecks: [{ type: 'content', name: 'content', message: 'silent for 30 s' }] }, 'input', 'check-failed', 'check'],
    ['a CPU threshold', { failedChecks: [{ type: 'http', name: 'api' }, { type: 'process', name: 'cpu' }] }, 'encoder', 'check-failed', 'check'],
    ['a bitrate collapse', { degradation: ['speed', 'bitrate'] }, 'input', 'degraded', 'degradation'],
    ['a slow encoder', { degradation: ['speed'] }, 'encoder', 'degraded', 'degradation'],
    ['a crash', { exit: { reason: 'killed', signal: 'SIGSEGV' }, lastError: 'Connection reset by peer' }, 'encoder', 'crashed', 'exit'],
    ['a sideless log line beats a plain exit', { exit: { reason: 'exited' }, lastError: 'Connection reset by peer' }, 'unknown', 'connection-reset', 'log'],
    ['a stall', { exit: { reason: 'stalled' } }, 'unknown', 'stalled', 'exit'],
    ['a start timeout', { exit: { reason: 'start-timeout' } }, 'unknown', 'start-timeout', 'exit'],
    ['an http check of the input', { failedChecks: [{ type: 'http', name: 'icecast', url: 'http://127.0.0.1:8000/radio.mp3', message: 'HTTP 503' }] }, 'input', 'check-failed', 'check'],
    ['an http check of some other endpoint: no side, still the check', { failedChecks: [{ type: 'http', name: 'studio', url: 'http://127.0.0.1:9000/health', message: 'HTTP 503 (expected 200)' }] }, 'unknown', 'check-failed', 'check'],
    ['a plain exit beats a sideless check', { exit: { reason: 'stalled' }, failedChecks: [{ type: 'http', name: 'studio' }] }, 'unknown', 'stalled', 'exit'],
    ['nothing at all', {}, 'unknown', 'unknown', 'none'],
  ])('%s', (_name, evidence, locus, cause, kind) => {
    const result = classifyFailure({ ...base, ...evidence });
    expect([result.locus, result.cause, result.evidence]).toEqual([locus, cause, kind]);
    expect(result.detail.length).toBeGreaterThan(0);
  });

  it('gives the evidence as detail', () => {
    expect(classifyFailure({ ...base, failedChecks: [{ type: 'content', name: 'picture', message: 'black for 12 s' }] }).detail).toBe('picture: black for 12 s');
    expect(classifyFailure({ ...base, exit: { reason: 'killed', signal: 'SIGKILL' } }).detail).toBe('killed by SIGKILL');
  });
});
