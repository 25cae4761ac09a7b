import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunDir, ensureRoot, mkfifoCommand, removeRunDir, RuntimeDirError, sanitizeLabel, sweepRuntimeDir } from './runtime-dir.js';

let base: string;
let root: string;

beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'sw-runtime-dir-'));
  root = path.join(base, 'runtime');
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('createRunDir', () => {
  it('makes a private folder with two private FIFOs under a private root', () => {
    const paths = createRunDir(root, 'cam/1 ../x', mkfifoCommand);
    expect(lstatSync(root).mode & 0o777).toBe(0o700);
    expect(path.dirname(paths.dir)).toBe(root);
    expect(path.basename(paths.dir)).toMatch(/^run-cam_1_.._x-[A-Za-z0-9]{6}$/);
    expect(lstatSync(paths.dir).mode & 0o777).toBe(0o700);
    for (const fifo of [paths.progressPipe, paths.stderrPipe]) {
      const stat = lstatSync(fifo);
      expect(stat.isFIFO()).toBe(true);
      expect(stat.mode & 0o777).toBe(0o600);
    }
  });

  it('leaves nothing behind when the FIFOs cannot be made', () => {
    expect(() =>
      createRunDir(root, 'a', () => {
        throw new Error('no mkfifo');
      }),
    ).toThrow(RuntimeDirError);
    expect(sweepRuntimeDir(root, [])).toEqual({ removed: [], kept: [], skipped: [] });
  });

  it('refuses a root others can write to', () => {
    mkdirSync(root, { mode: 0o700 });
    chmodSync(root, 0o777);
    expect(() => ensureRoot(root)).toThrow(/writable by others/);
  });

  it('refuses a root that is not a directory', () => {
    writeFileSync(root, '');
    expect(() => ensureRoot(root)).toThrow(RuntimeDirError);
  });
});

describe('removeRunDir', () => {
  it('removes the FIFOs and the folder, and is idempotent', () => {
    const paths = createRunDir(root, 'a', mkfifoCommand);
    expect(removeRunDir(paths)).toBe(true);
    expect(existsSync(paths.dir)).toBe(false);
    expect(removeRunDir(paths)).toBe(true);
  });

  it('never deletes anything but our FIFOs (a corrupt registry path cannot do harm)', () => {
    const dir = path.join(base, 'precious');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'progress'), 'data');
    const file = path.join(base, 'elsewhere.txt');
    writeFileSync(file, 'keep');
    expect(removeRunDir({ dir, progressPipe: path.join(dir, 'progress'), stderrPipe: file })).toBe(false);
    expect(existsSync(path.join(dir, 'progress'))).toBe(true);
    expect(existsSync(file)).toBe(true);
  });
});

describe('sweepRuntimeDir', () => {
  it('removes the folders of runs that no longer exist and keeps the live ones', () => {
    const live = createRunDir(root, 'live', mkfifoCommand);
    const stale = createRunDir(root, 'stale', mkfifoCommand);
    const active = createRunDir(root, 'active', mkfifoCommand);
    const result = sweepRuntimeDir(root, [{ paths: live }], (dir) => dir === active.dir);
    expect(result.removed).toEqual([stale.dir]);
    expect(result.kept.sort()).toEqual([live.dir, active.dir].sort());
    expect(existsSync(stale.dir)).toBe(false);
    expect(lstatSync(live.progressPipe).isFIFO()).toBe(true);
  });

  it('after a reboot (no live entries) removes every run folder', () => {
    const a = createRunDir(root, 'a', mkfifoCommand);
    const b = createRunDir(root, 'b', mkfifoCommand);
    expect(sweepRuntimeDir(root, []).removed.sort()).toEqual([a.dir, b.dir].sort());
  });

  it('leaves alone what is not one of our run folders', () => {
    createRunDir(root, 'a', mkfifoCommand);
    mkdirSync(path.join(root, 'notes'));
    mkdirSync(path.join(root, 'run-with-a-file'));
    writeFileSync(path.join(root, 'run-with-a-file', 'progress'), 'regular file');
    symlinkSync(base, path.join(root, 'run-link'));
    const result = sweepRuntimeDir(root, []);
    expect(result.removed).toHaveLength(1);
    expect(result.skipped.map((p) => path.basename(p)).sort()).toEqual(['notes', 'run-link', 'run-with-a-file']);
    expect(existsSync(base)).toBe(true);
  });

  it('copes with a missing root', () => {
    expect(sweepRuntimeDir(path.join(base, 'nope'), [])).toEqual({ removed: [], kept: [], skipped: [] });
  });
});

describe('sanitizeLabel', () => {
  it.each([
    ['cam-1', 'cam-1'],
    ['../../etc', 'etc'],
    ['', 'stream'],
    [undefined, 'stream'],
    ['ü', 'stream'],
    ['x'.repeat(100), 'x'.repeat(40)],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeLabel(input)).toBe(expected);
  });
});
