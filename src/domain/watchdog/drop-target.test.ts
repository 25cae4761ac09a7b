import { describe, expect, it } from 'vitest';
import { chooseDropTarget, isRtmpUrl, ladderDropsInput, type DropTargetInput } from './drop-target.js';

const MOTHER = 'rtmp://127.0.0.1:1935/live/mother';
const OUTPUT = 'rtmp://127.0.0.1:1935/live/relay-key';
const motherCheck = { name: 'mother', type: 'ffprobe', url: MOTHER };
const outputCheck = { name: 'out', type: 'ffprobe', url: OUTPUT };
const base: DropTargetInput = { target: 'auto', failing: [], input: { index: 0, url: MOTHER }, output: OUTPUT };

describe('chooseDropTarget', () => {
  it('auto: a failing check of an upstream RTMP URL drops that publisher (the stale DJ), not our session', () => {
    expect(chooseDropTarget({ ...base, failing: [motherCheck] })).toEqual({ side: 'check', url: MOTHER, check: 'mother', activeInput: 0 });
  });

  it('auto: a failing check of a URL that is not an input still names no active input', () => {
    const other = 'rtmp://127.0.0.1/live/elsewhere';
    expect(chooseDropTarget({ ...base, failing: [{ name: 'x', type: 'ffprobe', url: other }] })).toEqual({ side: 'check', url: other, check: 'x' });
  });

  it('auto: a failing check about our output (its URL, or rtmp-server) drops our own session', () => {
    expect(chooseDropTarget({ ...base, failing: [outputCheck] })).toEqual({ side: 'output', url: OUTPUT });
    expect(chooseDropTarget({ ...base, failing: [{ name: 'published', type: 'rtmp-server' }] })).toEqual({ side: 'output', url: OUTPUT });
  });

  it('auto: an upstream check wins over an output check failing at the same time', () => {
    expect(chooseDropTarget({ ...base, failing: [outputCheck, motherCheck] })).toMatchObject({ side: 'check', url: MOTHER });
  });

  it('auto: no failing check with a URL (crash loop, progress): the active RTMP input, else the output', () => {
    expect(chooseDropTarget({ ...base, failing: [{ name: 'progress', type: 'progress' }] })).toEqual({ side: 'input', url: MOTHER, activeInput: 0 });
    expect(chooseDropTarget({ ...base, input: { index: 0, url: 'lavfi:sine' } })).toEqual({ side: 'output', url: OUTPUT });
    expect(chooseDropTarget({ ...base, input: { index: 0, url: 'lavfi:sine' }, output: 'srt://h:9000' })).toEqual({ side: 'none', reason: 'the output is not an RTMP URL' });
  });

  it('explicit targets do what they say, or say why there is nothing to drop', () => {
    expect(chooseDropTarget({ ...base, target: 'output', failing: [motherCheck] })).toEqual({ side: 'output', url: OUTPUT });
    expect(chooseDropTarget({ ...base, target: 'input', failing: [outputCheck] })).toEqual({ side: 'input', url: MOTHER, activeInput: 0 });
    expect(chooseDropTarget({ ...base, target: 'check', failing: [outputCheck] })).toEqual({ side: 'check', url: OUTPUT, check: 'out' });
    expect(chooseDropTarget({ ...base, target: 'check', failing: [{ name: 'web', type: 'http', url: 'http://h/x' }] })).toEqual({ side: 'none', reason: 'no failing check probes an RTMP URL' });
    expect(chooseDropTarget({ ...base, target: 'input', input: { index: 1, url: 'http://h/radio.mp3' } })).toEqual({ side: 'none', reason: 'the active input is not an RTMP URL' });
  });

  it('knows RTMP URLs by scheme', () => {
    expect(['rtmp://h/a/b', 'RTMPS://h/a/b', 'rtmpt://h/a/b'].every(isRtmpUrl)).toBe(true);
    expect([undefined, 'srt://h', 'http://h/a', 'lavfi:sine'].some(isRtmpUrl)).toBe(false);
  });
});

describe('ladderDropsInput', () => {
  const ladder = ['notify', 'drop-publisher'] as const;
  it('an RTMP input probed by an acting check, with drop-publisher not aimed at the output', () => {
    expect(ladderDropsInput({ ladder, target: 'auto', inputUrl: MOTHER, probed: true })).toBe(true);
    expect(ladderDropsInput({ ladder, target: 'input', inputUrl: MOTHER, probed: true })).toBe(true);
    expect(ladderDropsInput({ ladder, target: 'output', inputUrl: MOTHER, probed: true })).toBe(false);
    expect(ladderDropsInput({ ladder, target: 'auto', inputUrl: MOTHER, probed: false })).toBe(false);
    expect(ladderDropsInput({ ladder, target: 'auto', inputUrl: 'http://h/radio.mp3', probed: true })).toBe(false);
    expect(ladderDropsInput({ ladder: ['restart', 'next-input'], target: 'auto', inputUrl: MOTHER, probed: true })).toBe(false);
  });
});
