/** One client per engine kind. */
import type { EngineClient } from '../../domain/engines/engine-client.js';
import type { EngineSpec } from '../../domain/engines/engine-spec.js';
import { AcestreamClient } from './acestream-client.js';
import { HttpEngineClient } from './http-engine-client.js';

export function createEngineClient(spec: EngineSpec): EngineClient {
  return spec.kind === 'http' ? new HttpEngineClient(spec) : new AcestreamClient(spec);
}
