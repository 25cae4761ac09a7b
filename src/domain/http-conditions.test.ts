import { describe, expect, it } from 'vitest';
import { ConditionSyntaxError, evaluateConditions, parseCondition, type HttpObservation } from './http-conditions.js';

describe('parseCondition', () => {
  it.each([
    ['status == 200', { operand: { kind: 'status' }, operator: '==', value: 200 }],
    ['[STATUS] != 503', { operand: { kind: 'status' }, operator: '!=', value: 503 }],
    ['status<500', { operand: { kind: 'status' }, operator: '<', value: 500 }],
    ['responseTime < 2s', { operand: { kind: 'responseTime' }, operator: '<', value: 2000 }],
    ['responseTime <= 1m30s', { operand: { kind: 'responseTime' }, operator: '<=', value: 90_000 }],
    ['[RESPONSE_TIME] < 500', { operand: { kind: 'responseTime' }, operator: '<', value: 500 }],
    ['responseTime>=250ms', { operand: { kind: 'responseTime' }, operator: '>=', value: 250 }],
    ['body.status == "live"', { operand: { kind: 'body', path: ['status'] }, operator: '==', value: 'live' }],
    ["body.status == 'live'", { operand: { kind: 'body', path: ['status'] }, operator: '==', value: 'live' }],
    ['[BODY].data.viewers >= 1', { operand: { kind: 'body', path: ['data', 'viewers'] }, operator: '>=', value: 1 }],
    ['body.items[0].ok == true', { operand: { kind: 'body', path: ['items', 0, 'ok'] }, operator: '==', value: true }],
    ['body.error == null', { operand: { kind: 'body', path: ['error'] }, operator: '==', value: null }],
    ['body.x-y_z$ != false', { operand: { kind: 'body', path: ['x-y_z$'] }, operator: '!=', value: false }],
    ['body.ratio > -0.5', { operand: { kind: 'body', path: ['ratio'] }, operator: '>', value: -0.5 }],
    ['body.msg == "say \\"hi\\""', { operand: { kind: 'body', path: ['msg'] }, operator: '==', value: 'say "hi"' }],
    ['body == "OK"', { operand: { kind: 'body', path: [] }, operator: '==', value: 'OK' }],
    ['  status   ==   200  ', { operand: { kind: 'status' }, operator: '==', value: 200 }],
  ])('%s', (text, expected) => {
    expect(parseCondition(text)).toMatchObject(expected);
  });

  it.each([
    ['', 'empty condition'],
    ['status', 'expected an operator'],
    ['status = 200', 'expected an operator'],
    ['status == ', 'expected a value'],
    ['status == "200"', 'status compares with an integer'],
    ['status == 200.5', 'status compares with an integer'],
    ['responseTime < fast', 'expected a duration'],
    ['responseTime < "2s"', 'responseTime compares with a duration'],
    ['body.status == live', 'quote strings'],
    ['body.status == "live', 'unterminated string'],
    ['body.status < "b"', '< needs a number'],
    ['body. == 1', 'expected a field name'],
    ['body[x] == 1', 'expected an array index'],
    ['headers.x == "y"', 'unknown operand "headers"'],
    ['status == 200 && body.ok == true', 'unexpected "&& body.ok == true"'],
    ['process.exit() == 1', 'unknown operand'],
    ['42 == status', 'expected status, responseTime or body'],
  ])('rejects %j: %s', (text, reason) => {
    expect(() => parseCondition(text)).toThrow(ConditionSyntaxError);
    expect(() => parseCondition(text)).toThrow(reason);
  });

  it('says where the problem is', () => {
    try {
      parseCondition('status == "x"');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConditionSyntaxError);
      const e = error as ConditionSyntaxError;
      expect(e.code).toBe('INVALID_CONDITION');
      expect(e.position).toBe(10);
      expect(e.message).toBe('invalid condition "status == "x"" at character 11: status compares with an integer such as 200');
    }
  });
});

describe('evaluateConditions', () => {
  const observation = (over: Partial<HttpObservation> = {}): HttpObservation => ({
    status: 200,
    responseTimeMs: 120,
    bodyText: JSON.stringify({ status: 'live', viewers: 3, items: [{ ok: true }], nested: { deep: null } }),
    bodyTruncated: false,
    ...over,
  });
  const run = (condition: string, over: Partial<HttpObservation> = {}): { ok: boolean; message: string } => {
    const [outcome] = evaluateConditions([parseCondition(condition)], observation(over));
    if (outcome === undefined) throw new Error('no outcome');
    return outcome;
  };

  it.each([
    ['status == 200', true],
    ['status != 200', false],
    ['status < 300', true],
    ['responseTime < 2s', true],
    ['responseTime < 100ms', false],
    ['body.status == "live"', true],
    ['body.status != "live"', false],
    ['body.viewers >= 3', true],
    ['body.viewers > 3', false],
    ['body.items[0].ok == true', true],
    ['body.nested.deep == null', true],
    ['body.status > 1', false],
  ])('%s → %s', (condition, ok) => {
    expect(run(condition).ok).toBe(ok);
  });

  it('explains failures with the actual value', () => {
    expect(run('body.status == "live"', { bodyText: '{"status":"offline"}' }).message).toBe('body.status == "live": body.status is "offline"');
    expect(run('responseTime < 100ms', { responseTimeMs: 2345.6 }).message).toBe('responseTime < 100ms: responseTime is 2346ms');
    expect(run('status == 200', { status: 503 }).message).toBe('status == 200: status is 503');
  });

  it('fails missing paths, non-JSON and oversized bodies clearly', () => {
    expect(run('body.missing == 1').message).toContain('body.missing is missing');
    expect(run('body.items[5].ok == true').message).toContain('body.items[5].ok is missing');
    expect(run('body.status.x == 1').message).toContain('is missing');
    expect(run('body.status == "live"', { bodyText: '<html>' }).message).toContain('the body is not JSON');
    expect(run('body.status == "live"', { bodyTruncated: true }).message).toContain('larger than the size limit');
  });

  it('compares the raw body for bare body', () => {
    expect(run('body == "OK"', { bodyText: 'OK\n' }).ok).toBe(true);
    expect(run('body == 42', { bodyText: ' 42 ' }).ok).toBe(true);
    expect(run('body > 5', { bodyText: 'abc' }).ok).toBe(false);
  });

  it('does not read inherited properties', () => {
    expect(run('body.constructor == null', { bodyText: '{}' }).ok).toBe(false);
    expect(run('body.__proto__ == null', { bodyText: '{}' }).message).toContain('is missing');
  });
});
