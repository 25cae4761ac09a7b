import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue, FamilyBuffer, formatSampleValue } from './exposition.js';

describe('exposition', () => {
  it.each([
    ['cam-1', 'cam-1'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a\nb', 'a\\nb'],
    ['\\"\n', '\\\\\\"\\n'],
  ])('escapes the label value %j as %j', (raw, escaped) => {
    expect(escapeLabelValue(raw)).toBe(escaped);
  });

  it('escapes HELP text (backslash and line feed, not quotes)', () => {
    expect(escapeHelp('a "b" \\ c\nd')).toBe('a "b" \\\\ c\\nd');
  });

  it.each([
    [0, '0'],
    [1.5, '1.5'],
    [1e21, '1e+21'],
    [-2, '-2'],
    [Number.NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('writes %d as %s', (value, text) => {
    expect(formatSampleValue(value)).toBe(text);
  });

  it('renders HELP, TYPE and the samples of one family, even an empty one', () => {
    const family = new FamilyBuffer({ name: 'x_total', type: 'counter', help: 'Things.' });
    expect(family.render()).toBe('# HELP x_total Things.\n# TYPE x_total counter\n');
    family.add('stream="a"', 3);
    family.add('stream="b",reason="c"', 0.25);
    expect(family.size).toBe(2);
    expect(family.render()).toBe(
      '# HELP x_total Things.\n# TYPE x_total counter\nx_total{stream="a"} 3\nx_total{stream="b",reason="c"} 0.25\n',
    );
  });
});
