import { describe, expect, it } from 'vitest';
import { appHarness, type AppHarness, SECRET, streamSpec, until } from '../../../test/helpers/app-harness.js';
import type { ErrorBody } from '../errors.js';
import type { RunDto, StreamDetailDto, StreamDto } from '../stream-dto.js';

const json = { 'content-type': 'application/json' };

describe('GET /api/v1/streams/:id', () => {
  it('shows the list fields plus the redacted spec, checks, the current run and recent runs', async () => {
    const h = await appHarness({
      specs: [
        streamSpec('cam', {
          source: { kind: 'args', args: ['-i', 'srt://10.0.0.1:9000?passphrase=topsecretpass', '-passphrase', 'argsecret1', '-f', 'flv', `rtmp://a.example/live/${SECRET}`] },
          checks: [
            { type: 'ffprobe', name: 'probe', intervalMs: 3_000, timeoutMs: 10_000, informational: false, unhealthyAfterMs: 30_000, successThreshold: 1, settings: { url: 'rtmp://a.example/live/probe-key-77', expect: {} } },
          ],
        }),
      ],
    });
    h.runFor('cam', 2);
    h.process('cam').stderr(`[rtmp @ 0x1] Cannot open rtmp://a.example/live/${SECRET}: Connection refused\n`);
    h.process('cam').exit({ code: 1, signal: null });
    h.runFor('cam', 3);

    const response = await h.app.inject('/api/v1/streams/cam');
    expect(response.statusCode).toBe(200);
    const body = response.json<StreamDetailDto>();
    expect(body).toMatchObject({ id: 'cam', state: 'running', health: 'healthy', restarts: 1, pid: 1001 });
    expect(Object.keys(body).sort()).toEqual(
      ['activeInput', 'checks', 'currentRun', 'desired', 'engine', 'health', 'healthReason', 'id', 'input', 'lastCheckAt', 'lastError', 'name', 'pid', 'preview', 'progress', 'recentRuns', 'recoveries', 'restarts', 'spec', 'state', 'uptimeSeconds'].sort(),
    );
    expect(body.spec).toMatchObject({
      id: 'cam',
      desired: 'running',
      args: ['-i', 'srt://10.0.0.1:9000?passphrase=***', '-passphrase', '***', '-f', 'flv', 'rtmp://a.example/live/***'],
      startTimeout: '30s',
      restart: { backoffInitial: '1s', backoffMax: '1m', budget: { restarts: 5, within: '5m' } },
      checks: [{ type: 'ffprobe', name: 'probe', url: 'rtmp://a.example/live/***', interval: '3s', unhealthyAfter: '30s' }],
    });
    // Without a watchdog (the fast layer alone): the progress check as the lifecycle sees it.
    const blank = { lastMessage: null, lastCheckedAt: null, failingSince: null, consecutiveFailures: 0, skippedBeats: 0, note: null };
    expect(body.checks).toEqual([
      { ...blank, name: 'progress', type: 'progress', intervalSeconds: null, timeoutSeconds: null, informational: false, status: 'pass', lastSuccessAt: new Date(h.clock.now()).toISOString() },
      { ...blank, name: 'probe', type: 'ffprobe', intervalSeconds: 3, timeoutSeconds: 10, informational: false, status: 'unknown', lastSuccessAt: null },
    ]);
    expect(body).toMatchObject({ healthReason: 'running; progress advancing', recoveries: [], input: null });
    expect(body.currentRun).toMatchObject({ runId: 2, pid: 1001, endedAt: null, reason: null, durationSeconds: 3 });
    expect(body.recentRuns).toHaveLength(1);
    expect(body.recentRuns[0]).toMatchObject({ runId: 1, pid: 1000, reason: 'exited', exitCode: 1, signal: null, durationSeconds: 2 });
    expect(body.recentRuns[0]?.lastError).toBe('[rtmp @ 0x1] Cannot open rtmp://a.example/live/***: Connection refused');
    expect(body.lastError).toBe(body.recentRuns[0]?.lastError);
    for (const secret of [SECRET, 'topsecretpass', 'argsecret1', 'probe-key-77']) expect(response.body).not.toContain(secret);
  });

  it('answers 404 STREAM_NOT_FOUND for an unknown stream and 400 for an id that cannot exist', async () => {
    const h = await appHarness();
    const missing = await h.app.inject('/api/v1/streams/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json<ErrorBody>()).toEqual({ error: { code: 'STREAM_NOT_FOUND', message: 'no stream with id "nope"' } });
    const bad = await h.app.inject('/api/v1/streams/Not_An_Id');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.code).toBe('BAD_REQUEST');
  });

  it('names the engine a stream on a pool holds, in the list and the detail', async () => {
    const h = await appHarness({ specs: [streamSpec('cam'), streamSpec('radio')], engineOf: (id) => (id === 'cam' ? 'acer-1' : undefined) });
    const list = (await h.app.inject('/api/v1/streams')).json<StreamDto[]>();
    expect(list.map((s) => [s.id, s.engine])).toEqual([
      ['cam', 'acer-1'],
      ['radio', null],
    ]);
    expect((await h.app.inject('/api/v1/streams/cam')).json<StreamDetailDto>().engine).toBe('acer-1');
  });
});

describe('DELETE /api/v1/streams/:id', () => {
  it('stops the stream, waits for its process to exit, forgets it: 204', async () => {
    const h = await appHarness();
    const proc = h.process('cam');
    const deleting = h.app.inject({ method: 'DELETE', url: '/api/v1/streams/cam' });
    await until(() => proc.signals.length > 0, 'the process to be signalled');
    expect(proc.signals).toEqual(['SIGINT']);
    h.exitSignalled();
    const response = await deleting;
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(h.supervisor.has('cam')).toBe(false);
    expect((await h.app.inject('/api/v1/streams/cam')).statusCode).toBe(404);
  });

  it('answers 404 for an unknown stream', async () => {
    const response = await (await appHarness()).app.inject({ method: 'DELETE', url: '/api/v1/streams/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorBody>().error.code).toBe('STREAM_NOT_FOUND');
  });
});

describe('POST /api/v1/streams/:id/start, /stop, /restart', () => {
  it('start wants a stopped stream running and starts it: 202 with the stream', async () => {
    const h = await appHarness();
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams/idle/start' });
    expect(response.statusCode).toBe(202);
    expect(response.json<StreamDto>()).toMatchObject({ id: 'idle', desired: 'running', state: 'starting', pid: 1001 });
    expect(h.runner.spawned).toHaveLength(2);
    // Starting a running stream changes nothing.
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/streams/idle/start' })).statusCode).toBe(202);
    expect(h.runner.spawned).toHaveLength(2);
  });

  it('accepts a JSON content type with an empty body', async () => {
    const h = await appHarness();
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams/idle/start', headers: json, payload: '' });
    expect(response.statusCode).toBe(202);
  });

  it('stop asks the process to stop (SIGINT) and answers at once; stopping a stopped stream is fine', async () => {
    const h = await appHarness();
    h.runFor('cam', 2);
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams/cam/stop' });
    expect(response.statusCode).toBe(202);
    expect(response.json<StreamDto>()).toMatchObject({ desired: 'stopped', state: 'stopping' });
    expect(h.process('cam').signals).toEqual(['SIGINT']);
    h.exitSignalled();
    expect(h.supervisor.get('cam').observed).toBe('stopped');
    const again = await h.app.inject({ method: 'POST', url: '/api/v1/streams/cam/stop' });
    expect(again.statusCode).toBe(202);
    expect(again.json<StreamDto>()).toMatchObject({ desired: 'stopped', state: 'stopped' });
  });

  it('restart stops the running process and starts a new one', async () => {
    const h = await appHarness();
    h.runFor('cam', 2);
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams/cam/restart' });
    expect(response.statusCode).toBe(202);
    expect(response.json<StreamDto>()).toMatchObject({ desired: 'running', state: 'stopping' });
    h.exitSignalled();
    expect(h.runner.spawned).toHaveLength(2);
    expect(h.supervisor.get('cam').observed).toBe('starting');
  });

  it('restart of a stream that is wanted stopped is 409 ILLEGAL_TRANSITION and starts nothing', async () => {
    const h = await appHarness();
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams/idle/restart' });
    expect(response.statusCode).toBe(409);
    expect(response.json<ErrorBody>().error).toEqual({
      code: 'ILLEGAL_TRANSITION',
      message: 'event "restart" is not allowed in state "stopped": the stream is stopped (desired state "stopped"); start it instead',
    });
    expect(h.runner.spawned).toHaveLength(1);
    expect(h.supervisor.get('idle').desired).toBe('stopped');
  });

  it.each(['start', 'stop', 'restart'])('%s of an unknown stream is 404', async (action) => {
    const response = await (await appHarness()).app.inject({ method: 'POST', url: `/api/v1/streams/nope/${action}` });
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorBody>().error.code).toBe('STREAM_NOT_FOUND');
  });
});

describe('GET /api/v1/streams/:id/logs and /runs', () => {
  function crashOnce(h: AppHarness) {
    h.runFor('cam', 2);
    const proc = h.process('cam');
    for (let i = 1; i <= 30; i++) proc.stderr(`line ${i}\n`);
    proc.stderr(`[flv @ 0x2] Failed to update header of rtmp://127.0.0.1/live/cam-${SECRET}: Broken pipe\n`);
    proc.exit({ code: 1, signal: null });
  }

  it('logs: the last N stderr lines of the newest run, redacted; N is bounded', async () => {
    const h = await appHarness();
    crashOnce(h);
    h.process('cam').stderr('new run started\n');
    const response = await h.app.inject('/api/v1/streams/cam/logs?lines=2');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ streamId: 'cam', runId: 2, lines: ['new run started'] });

    h.process('cam').exit({ code: 1, signal: null });
    const last = await h.app.inject('/api/v1/streams/cam/logs?lines=2');
    expect(last.json()).toEqual({ streamId: 'cam', runId: 2, lines: ['new run started'] });

    const never = await h.app.inject('/api/v1/streams/idle/logs');
    expect(never.json()).toEqual({ streamId: 'idle', runId: null, lines: [] });

    for (const lines of ['0', '1001', 'lots']) {
      const bad = await h.app.inject(`/api/v1/streams/cam/logs?lines=${lines}`);
      expect(bad.statusCode, lines).toBe(400);
      expect(bad.json<ErrorBody>().error.code).toBe('BAD_REQUEST');
    }
    expect((await h.app.inject('/api/v1/streams/nope/logs')).statusCode).toBe(404);
  });

  it('logs of a stream waiting to restart are the lines of its last run, 100 by default', async () => {
    const h = await appHarness();
    crashOnce(h);
    h.process('cam').stderr(`Connection to rtmp://127.0.0.1/live/cam-${SECRET} refused\n`);
    h.process('cam').exit({ code: 1, signal: null }); // the second run fails too: backoff
    expect(h.supervisor.get('cam').observed).toBe('backoff');
    const response = await h.app.inject('/api/v1/streams/cam/logs');
    expect(response.json()).toEqual({ streamId: 'cam', runId: 2, lines: ['Connection to rtmp://127.0.0.1/live/*** refused'] });
    const many = await appHarness();
    many.runFor('cam', 1);
    for (let i = 1; i <= 150; i++) many.process('cam').stderr(`line ${i}\n`);
    const hundred = (await many.app.inject('/api/v1/streams/cam/logs')).json<{ lines: string[] }>().lines;
    expect(hundred).toHaveLength(100);
    expect(hundred[0]).toBe('line 51');
    const runs = (await h.app.inject('/api/v1/streams/cam/runs')).json<RunDto[]>();
    expect(runs[1]?.lastLines.at(-1)).toBe('[flv @ 0x2] Failed to update header of rtmp://127.0.0.1/live/***: Broken pipe');
    expect(JSON.stringify(runs)).not.toContain(SECRET);
  });

  it('runs: newest first, with the exit reason, code and last error, redacted', async () => {
    const h = await appHarness();
    crashOnce(h);
    const response = await h.app.inject('/api/v1/streams/cam/runs');
    expect(response.statusCode).toBe(200);
    const runs = response.json<RunDto[]>();
    expect(runs.map((r) => [r.runId, r.reason, r.exitCode])).toEqual([
      [2, null, null],
      [1, 'exited', 1],
    ]);
    expect(runs[1]).toMatchObject({
      pid: 1000,
      signal: null,
      durationSeconds: 2,
      lastError: '[flv @ 0x2] Failed to update header of rtmp://127.0.0.1/live/***: Broken pipe',
      firstLines: expect.arrayContaining(['line 1']) as unknown,
    });
    expect(runs[1]?.lastLines).toHaveLength(31);
    expect(response.body).not.toContain(SECRET);
    expect((await h.app.inject('/api/v1/streams/nope/runs')).statusCode).toBe(404);
  });
});
