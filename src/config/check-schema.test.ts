import { describe, expect, it } from 'vitest';
import { DEFAULT_PROGRESS_CHECK } from '../domain/check-defaults.js';
import { checkSchema, resolveCheck } from './check-schema.js';

describe('resolveCheck', () => {
  it('resolves `{type: progress}` to the built-in progress check of a stream that configures none', () => {
    const resolved = resolveCheck(checkSchema.parse({ type: 'progress' }));
    expect(resolved).toStrictEqual(DEFAULT_PROGRESS_CHECK);
    // Same keys in the same order: the built-in check is shown and stored like a configured one.
    expect(JSON.stringify(resolved)).toBe(JSON.stringify(DEFAULT_PROGRESS_CHECK));
  });
});
