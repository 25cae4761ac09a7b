import { describe, expect, it } from 'vitest';
import { appHarness, type AppHarness, SECRET, streamSpec, until } from '../../../test/helpers/app-harness.js';
import type { ErrorBody } from '../errors.js';
import type { StreamDetailDto, StreamDto } from '../stream-dto.js';

const json = { 'content-type': 'application/json' };

/** A pipeline stream body, as a config file's stream entry would say it. */
function pipelineBody(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: `Radio ${id}`,
    inputs: ['http://127.0.0.1:8000/radio.mp3', 'lavfi:sine=frequency=440'],
    output: `rtmp://127.0.0.1:1935/live/${id}-BODYKEY9876`,
    encode: ['-c:a', 'aac', '-b:a', '128k', '-f', 'flv'],
    ...extra,
  };
}


describe('POST /api/v1/streams', () => {
  it('creates a stream as a config entry would (defaults, references), starts it, and answers 201 with a Location', async () => {
    const h = await appHarness();
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams', payload: pipelineBody('radio', { rtmpServer: 'local', restart: { backoffMax: '30s' } }) });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers.location).toBe('/api/v1/streams/radio');
    const body = response.json<StreamDetailDto>();
    expect(body).toMatchObject({ id: 'radio', name: 'Radio radio', desired: 'running', state: 'starting' });
    expect(body.spec).toMatchObject({ output: 'rtmp://127.0.0.1:1935/live/***', notify: ['ops'], rtmpServer: 'local', onUnhealthy: ['restart', 'notify'], restart: { backoffMax: '30s' } });
    expect(response.body).not.toContain('BODYKEY9876');
    const spec = h.supervisor.get('radio').spec;
    expect(spec.source).toEqual({
      kind: 'pipeline',
      inputs: [
        { url: 'http://127.0.0.1:8000/radio.mp3', options: [] },
        { url: 'lavfi:sine=frequency=440', options: [] },
      ],
      output: 'rtmp://127.0.0.1:1935/live/radio-BODYKEY9876',
      encode: ['-c:a', 'aac', '-b:a', '128k', '-f', 'flv'],
    });
    expect(spec.restart.backoffMaxMs).toBe(30_000);
    expect(h.runner.last.request.args.at(-1)).toBe('rtmp://127.0.0.1:1935/live/radio-BODYKEY9876');
    const list = (await h.app.inject('/api/v1/streams')).json<StreamDto[]>();
    expect(list.map((s) => s.id)).toEqual(['cam', 'idle', 'radio']);
  });

  it('creates a stopped stream without starting it', async () => {
    const h = await appHarness();
    const spawned = h.runner.spawned.length;
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams', payload: pipelineBody('quiet', { desired: 'stopped' }) });
    expect(response.statusCode).toBe(201);
    expect(response.json<StreamDto>()).toMatchObject({ desired: 'stopped', state: 'stopped' });
    expect(h.runner.spawned).toHaveLength(spawned);
  });

  it('refuses a duplicate id with 409 STREAM_EXISTS and leaves the existing stream alone', async () => {
    const h = await appHarness();
    const before = h.supervisor.get('cam').spec;
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams', payload: pipelineBody('cam') });
    expect(response.statusCode).toBe(409);
    expect(response.json<ErrorBody>().error).toEqual({ code: 'STREAM_EXISTS', message: 'a stream with id "cam" already exists' });
    expect(h.supervisor.get('cam').spec).toBe(before);
    expect(h.runner.spawned).toHaveLength(1);
  });

  it('reports every problem of a bad body with its path in one 400 INVALID_STREAM, creating nothing', async () => {
    const h = await appHarness();
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/streams',
      payload: {
        id: 'Bad ID',
        inputs: ['lavfi:testsrc2'],
        output: 'rtmp://127.0.0.1/live/x',
        args: ['-i', 'x'],
        stallTimeout: 'soon',
        restart: { budget: { restarts: 0 } },
        onUnhealthy: ['explode', 'drop-publisher'],
        rtmpServer: 'nowhere',
        notify: ['pager'],
        bogus: 1,
      },
    });
    expect(response.statusCode).toBe(400);
    const { error } = response.json<ErrorBody>();
    expect(error.code).toBe('INVALID_STREAM');
    const paths = (error.issues ?? []).map((issue) => issue.slice(0, issue.indexOf(':')));
    expect(paths).toEqual(
      expect.arrayContaining(['id', 'stallTimeout', 'restart.budget.restarts', 'onUnhealthy[0]', 'rtmpServer', 'notify[0]', 'bogus', '(root)']),
    );
    expect(error.issues).toContain('rtmpServer: no rtmpServer with id "nowhere" (configured: local)');
    expect(error.issues).toContain('notify[0]: no notifier with id "pager" (configured: ops)');
    expect(error.message).toContain('invalid stream: ');
    expect(h.supervisor.list()).toHaveLength(2);
    expect(h.runner.spawned).toHaveLength(1);
  });

  it('refuses a body that is not an object with 400 BAD_REQUEST', async () => {
    const h = await appHarness();
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams', payload: [1, 2, 3] });
    expect(response.statusCode).toBe(400);
    expect(response.json<ErrorBody>().error).toEqual({ code: 'BAD_REQUEST', message: 'body must be object' });
  });

  it.each([
    ['a ${VAR} reference', pipelineBody('envy', { name: '${AWS_SECRET_ACCESS_KEY}' }), 'name: environment variables ("${…}") are not substituted in API requests; send the value itself'],
    ['a masked value on create', pipelineBody('masked', { output: 'rtmp://127.0.0.1/live/***' }), 'output: holds a masked value ("***") that matches no stored secret here; send the full value (secrets are write-only)'],
  ])('refuses %s with 400 INVALID_STREAM', async (_what, payload, issue) => {
    const h = await appHarness();
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/streams', payload });
    expect(response.statusCode).toBe(400);
    expect(response.json<ErrorBody>().error).toMatchObject({ code: 'INVALID_STREAM', issues: [issue] });
    expect(h.supervisor.list()).toHaveLength(2);
  });

  it('refuses broken JSON, a missing body, a foreign content type and an oversized body', async () => {
    const h = await appHarness();
    const broken = await h.app.inject({ method: 'POST', url: '/api/v1/streams', headers: json, payload: `{"id": "x", "output": "rtmp://h/live/${SECRET}"` });
    expect(broken.statusCode).toBe(400);
    expect(broken.json<ErrorBody>().error.code).toBe('BAD_REQUEST');
    expect(broken.body).not.toContain(SECRET);

    const empty = await h.app.inject({ method: 'POST', url: '/api/v1/streams' });
    expect(empty.statusCode).toBe(400);
    const emptyJson = await h.app.inject({ method: 'POST', url: '/api/v1/streams', headers: json, payload: '' });
    expect(emptyJson.json<ErrorBody>().error).toEqual({ code: 'BAD_REQUEST', message: 'body must be object' });

    const poisoned = await h.app.inject({ method: 'POST', url: '/api/v1/streams', headers: json, payload: '{"id":"p","__proto__":{"polluted":true}}' });
    expect(poisoned.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const text = await h.app.inject({ method: 'POST', url: '/api/v1/streams', headers: { 'content-type': 'text/plain' }, payload: 'id: x' });
    expect(text.statusCode).toBe(415);
    expect(text.json<ErrorBody>().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const huge = await h.app.inject({ method: 'POST', url: '/api/v1/streams', payload: pipelineBody('huge', { encode: Array(20_000).fill('-an') }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json<ErrorBody>().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(h.supervisor.list()).toHaveLength(2);
  });
});

describe('PUT /api/v1/streams/:id', () => {
  async function getSpec(h: AppHarness, id: string): Promise<Record<string, unknown>> {
    return (await h.app.inject(`/api/v1/streams/${id}`)).json<StreamDetailDto>().spec;
  }

  it('sending back the GET spec unchanged keeps the stored secrets and does not restart the stream', async () => {
    const h = await appHarness();
    h.runFor('cam', 2);
    const spec = await getSpec(h, 'cam');
    expect(JSON.stringify(spec)).not.toContain(SECRET);
    const response = await h.app.inject({ method: 'PUT', url: '/api/v1/streams/cam', payload: spec });
    expect(response.statusCode, response.body).toBe(200);
    expect(h.runner.spawned).toHaveLength(1);
    expect(h.supervisor.get('cam').spec.source).toEqual(streamSpec('cam').source);
  });

  it('a changed spec with masked values restarts the stream with the real secrets', async () => {
    const h = await appHarness();
    h.runFor('cam', 2);
    const spec = await getSpec(h, 'cam');
    const args = spec.args as string[];
    const updating = h.app.inject({
      method: 'PUT',
      url: '/api/v1/streams/cam',
      // -re removed: the masked output moves from args[5] to args[4] and is still found.
      payload: { ...spec, name: 'Renamed', args: args.slice(1) },
    });
    await until(() => h.process('cam').signals.length > 0, 'the old process to be signalled');
    expect(h.process('cam').signals).toEqual(['SIGINT']);
    h.exitSignalled();
    const response = await updating;
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<StreamDetailDto>()).toMatchObject({ name: 'Renamed', state: 'starting' });
    expect(h.runner.spawned).toHaveLength(2);
    expect(h.runner.last.request.args.at(-1)).toBe(`rtmp://127.0.0.1/live/cam-${SECRET}`);
    expect(h.runner.last.request.args).not.toContain('-re');
    expect(h.supervisor.get('cam').spec.name).toBe('Renamed');
  });

  it('refuses a masked value moved to another field, changing nothing', async () => {
    const h = await appHarness();
    const spec = await getSpec(h, 'cam');
    const response = await h.app.inject({ method: 'PUT', url: '/api/v1/streams/cam', payload: { ...spec, name: 'rtmp://127.0.0.1/live/***' } });
    expect(response.statusCode).toBe(400);
    expect(response.json<ErrorBody>().error.issues).toEqual([
      'name: holds a masked value ("***") that matches no stored secret here; send the full value (secrets are write-only)',
    ]);
    expect(h.supervisor.get('cam').spec.name).toBe('Stream cam');
    expect(h.runner.spawned).toHaveLength(1);
  });

  it('keeps a stopped stream stopped when the body does not say `desired`, and takes the id from the path', async () => {
    const h = await appHarness();
    const { id: _id, desired: _desired, ...rest } = await getSpec(h, 'idle');
    const response = await h.app.inject({ method: 'PUT', url: '/api/v1/streams/idle', payload: { ...rest, name: 'Still idle' } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<StreamDetailDto>()).toMatchObject({ name: 'Still idle', desired: 'stopped', state: 'stopped' });
    expect(h.runner.spawned).toHaveLength(1);
  });

  it('starts or stops a stream when the body changes `desired`', async () => {
    const h = await appHarness();
    const spec = await getSpec(h, 'idle');
    const response = await h.app.inject({ method: 'PUT', url: '/api/v1/streams/idle', payload: { ...spec, desired: 'running' } });
    expect(response.json<StreamDetailDto>()).toMatchObject({ desired: 'running', state: 'starting' });
  });

  it('answers 400 for a bad body or a mismatched id and 404 for an unknown stream, changing nothing', async () => {
    const h = await appHarness();
    const spec = await getSpec(h, 'cam');
    const before = h.supervisor.get('cam').spec;
    const mismatch = await h.app.inject({ method: 'PUT', url: '/api/v1/streams/cam', payload: { ...spec, id: 'other' } });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json<ErrorBody>().error.issues).toEqual(['id: must match the id in the path ("cam")']);
    const bad = await h.app.inject({ method: 'PUT', url: '/api/v1/streams/cam', payload: { ...spec, startTimeout: 'never' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.issues).toEqual(['startTimeout: expected a duration like "30s"']);
    const unknown = await h.app.inject({ method: 'PUT', url: '/api/v1/streams/nope', payload: spec });
    expect(unknown.statusCode).toBe(404);
    expect(h.supervisor.get('cam').spec).toBe(before);
    expect(h.runner.spawned).toHaveLength(1);
  });
});
