/**
 * Named errors of the engine pool. Their HTTP statuses are in ENGINE_ERROR_STATUS (the routes
 * answer with them directly until http/errors.ts's STATUS_BY_CODE lists them).
 */
import { StreamwardenError } from '../errors.js';
import type { NoEngineReason } from './engine-selection.js';

export class EngineNotFoundError extends StreamwardenError {
  constructor(readonly engineId: string) {
    super('ENGINE_NOT_FOUND', `no engine with id "${engineId}"`);
  }
}

export class EngineExistsError extends StreamwardenError {
  constructor(readonly engineId: string) {
    super('ENGINE_EXISTS', `an engine with id "${engineId}" already exists`);
  }
}

export class EngineInUseError extends StreamwardenError {
  constructor(
    readonly engineId: string,
    readonly streams: number,
  ) {
    super('ENGINE_IN_USE', `engine "${engineId}" has ${streams} stream(s) on it; release them first or delete with ?force=true`);
  }
}

/** A config engine can only be changed through the config file. */
export class EngineOwnedByConfigError extends StreamwardenError {
  constructor(readonly engineId: string) {
    super('ENGINE_OWNED_ELSEWHERE', `engine "${engineId}" is defined in the configuration file; change it there`);
  }
}

export class ClaimNotFoundError extends StreamwardenError {
  constructor(readonly claimId: string) {
    super('CLAIM_NOT_FOUND', `no active claim "${claimId}" (already released, or its engine was removed)`);
  }
}

export class InvalidEngineError extends StreamwardenError {
  constructor(readonly issues: readonly string[]) {
    super('INVALID_ENGINE', `invalid engine: ${issues.join('; ')}`);
  }
}

/** Nothing qualifies for an acquire; the code says why. */
export const NO_ENGINE_CODES: Readonly<Record<NoEngineReason, string>> = {
  'no-engines': 'ENGINE_POOL_EMPTY',
  'no-label-match': 'NO_ENGINE_MATCHES_LABELS',
  'none-healthy': 'NO_HEALTHY_ENGINE',
  'all-full': 'ENGINES_AT_CAPACITY',
};

export class NoEngineAvailableError extends StreamwardenError {
  constructor(
    readonly reason: NoEngineReason,
    message: string,
  ) {
    super(NO_ENGINE_CODES[reason], message);
  }
}

/** Status of every engine error code; to be merged into http/errors.ts STATUS_BY_CODE. */
export const ENGINE_ERROR_STATUS: Readonly<Record<string, number>> = {
  INVALID_ENGINE: 400,
  ENGINE_NOT_FOUND: 404,
  CLAIM_NOT_FOUND: 404,
  ENGINE_EXISTS: 409,
  ENGINE_IN_USE: 409,
  ENGINE_OWNED_ELSEWHERE: 409,
  ENGINE_POOL_EMPTY: 503,
  NO_ENGINE_MATCHES_LABELS: 503,
  NO_HEALTHY_ENGINE: 503,
  ENGINES_AT_CAPACITY: 503,
};
