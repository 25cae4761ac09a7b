import { describe, expect, it } from 'vitest';
import { judgeAcestreamBody } from './acestream-client.js';

describe('judgeAcestreamBody', () => {
  it.each<[string, string, boolean, string]>([
    ['result with null error', '{"result":{"status":"idle"},"error":null}', false, 'ok'],
    ['no error field', '{"result":{}}', false, 'ok'],
    ['engine error', '{"result":null,"error":"engine is shutting down"}', false, 'failed'],
    ['HTML', '<html>502</html>', false, 'unparsable'],
    ['JSON array', '[1,2]', false, 'unparsable'],
    ['empty', '', false, 'unparsable'],
    ['cut at the limit', '{"result":', true, 'unparsable'],
  ])('%s', (_name, body, truncated, kind) => {
    expect(judgeAcestreamBody(body, truncated).kind).toBe(kind);
  });
});
