import { describe, expect, it } from 'vitest';
import { FfmpegNotFoundError } from '../../domain/errors.js';
import { bundledBinaryPath, isExecutableFile, locateBinary, splitPath, type BinaryName, type LocateDeps } from './locate.js';

interface World {
  env?: Record<string, string | undefined>;
  executables?: string[];
  bundled?: Partial<Record<BinaryName, string>>;
}

function deps(world: World): LocateDeps {
  const executables = new Set(world.executables ?? []);
  return {
    env: world.env ?? {},
    isExecutable: (file) => executables.has(file),
    bundledPath: (name) => world.bundled?.[name],
  };
}

const BUNDLED = '/app/node_modules/@ffmpeg-installer/linux-x64/ffmpeg';
const BUNDLED_PROBE = '/app/node_modules/@ffprobe-installer/linux-x64/ffprobe';

describe('locateBinary search order', () => {
  const cases: Array<{
    name: string;
    binary?: BinaryName;
    configured?: string;
    world: World;
    expected: { path: string; source: string };
  }> = [
    {
      name: 'configured absolute path wins over everything',
      configured: '/opt/ffmpeg/bin/ffmpeg',
      world: {
        env: { FFMPEG_PATH: '/env/ffmpeg', PATH: '/usr/bin' },
        executables: ['/opt/ffmpeg/bin/ffmpeg', '/env/ffmpeg', '/usr/bin/ffmpeg', BUNDLED],
        bundled: { ffmpeg: BUNDLED },
      },
      expected: { path: '/opt/ffmpeg/bin/ffmpeg', source: 'config' },
    },
    {
      name: 'configured bare name is looked up on PATH',
      configured: 'ffmpeg',
      world: { env: { PATH: '/usr/local/bin:/usr/bin' }, executables: ['/usr/bin/ffmpeg'] },
      expected: { path: '/usr/bin/ffmpeg', source: 'config' },
    },
    {
      name: 'configured path is trimmed',
      configured: '  /opt/ffmpeg  ',
      world: { executables: ['/opt/ffmpeg'] },
      expected: { path: '/opt/ffmpeg', source: 'config' },
    },
    {
      name: 'empty configured value counts as unset',
      configured: '',
      world: { env: { FFMPEG_PATH: '/env/ffmpeg' }, executables: ['/env/ffmpeg'] },
      expected: { path: '/env/ffmpeg', source: 'env' },
    },
    {
      name: '$FFMPEG_PATH before PATH',
      world: {
        env: { FFMPEG_PATH: '/env/ffmpeg', PATH: '/usr/bin' },
        executables: ['/env/ffmpeg', '/usr/bin/ffmpeg'],
      },
      expected: { path: '/env/ffmpeg', source: 'env' },
    },
    {
      name: 'PATH in order, first executable wins',
      world: {
        env: { PATH: '/a:/b:/c' },
        executables: ['/b/ffmpeg', '/c/ffmpeg', BUNDLED],
        bundled: { ffmpeg: BUNDLED },
      },
      expected: { path: '/b/ffmpeg', source: 'path' },
    },
    {
      name: 'empty and relative PATH entries are ignored',
      world: { env: { PATH: ':.:bin:/usr/bin' }, executables: ['ffmpeg', 'bin/ffmpeg', '/usr/bin/ffmpeg'] },
      expected: { path: '/usr/bin/ffmpeg', source: 'path' },
    },
    {
      name: 'bundled binary as the last resort',
      world: { env: { PATH: '/usr/bin' }, executables: [BUNDLED], bundled: { ffmpeg: BUNDLED } },
      expected: { path: BUNDLED, source: 'bundled' },
    },
    {
      name: 'ffprobe uses $FFPROBE_PATH, not $FFMPEG_PATH',
      binary: 'ffprobe',
      world: {
        env: { FFMPEG_PATH: '/env/ffmpeg', FFPROBE_PATH: '/env/ffprobe' },
        executables: ['/env/ffmpeg', '/env/ffprobe'],
      },
      expected: { path: '/env/ffprobe', source: 'env' },
    },
    {
      name: 'ffprobe on PATH',
      binary: 'ffprobe',
      world: { env: { FFMPEG_PATH: '/env/ffmpeg', PATH: '/usr/bin' }, executables: ['/usr/bin/ffprobe'] },
      expected: { path: '/usr/bin/ffprobe', source: 'path' },
    },
    {
      name: 'ffprobe bundled',
      binary: 'ffprobe',
      world: { executables: [BUNDLED_PROBE], bundled: { ffprobe: BUNDLED_PROBE } },
      expected: { path: BUNDLED_PROBE, source: 'bundled' },
    },
  ];

  it.each(cases)('$name', ({ binary, configured, world, expected }) => {
    expect(locateBinary(binary ?? 'ffmpeg', configured, deps(world))).toEqual(expected);
  });
});

describe('locateBinary failures', () => {
  function failure(binary: BinaryName, configured: string | undefined, world: World): FfmpegNotFoundError {
    try {
      locateBinary(binary, configured, deps(world));
    } catch (error) {
      expect(error).toBeInstanceOf(FfmpegNotFoundError);
      return error as FfmpegNotFoundError;
    }
    throw new Error('expected locateBinary to throw');
  }

  it('a configured path that does not exist is an error, even when others would work', () => {
    const error = failure('ffmpeg', '/nope/ffmpeg', {
      env: { FFMPEG_PATH: '/env/ffmpeg', PATH: '/usr/bin' },
      executables: ['/env/ffmpeg', '/usr/bin/ffmpeg'],
    });
    expect(error.code).toBe('FFMPEG_NOT_FOUND');
    expect(error.tried).toEqual(['configured path /nope/ffmpeg (not an executable file)']);
  });

  it('a configured bare name missing from PATH is an error', () => {
    const error = failure('ffmpeg', 'ffmpeg6', { env: { PATH: '/usr/bin' }, executables: ['/usr/bin/ffmpeg'] });
    expect(error.tried).toEqual(['configured path ffmpeg6 (not found on PATH)']);
  });

  it('a wrong $FFMPEG_PATH is an error rather than a silent fall-through', () => {
    const error = failure('ffmpeg', undefined, {
      env: { FFMPEG_PATH: '/missing', PATH: '/usr/bin' },
      executables: ['/usr/bin/ffmpeg'],
    });
    expect(error.tried).toEqual(['configured path (not set)', '$FFMPEG_PATH /missing (not an executable file)']);
  });

  it('lists every step when nothing is found', () => {
    const error = failure('ffmpeg', undefined, { env: { PATH: '/usr/bin:/bin' } });
    expect(error.tried).toEqual([
      'configured path (not set)',
      '$FFMPEG_PATH (not set)',
      'ffmpeg on PATH (/usr/bin:/bin)',
      'bundled @ffmpeg-installer/linux-x64 (not installed)',
    ]);
    expect(error.message).toContain('ffmpeg on PATH (/usr/bin:/bin)');
  });

  it('reports a bundled binary that is present but not executable', () => {
    const error = failure('ffprobe', undefined, { bundled: { ffprobe: BUNDLED_PROBE } });
    expect(error.tried).toEqual([
      'configured path (not set)',
      '$FFPROBE_PATH (not set)',
      'ffprobe on PATH (PATH is empty)',
      `bundled ${BUNDLED_PROBE} (not executable)`,
    ]);
  });
});

describe('splitPath', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['/usr/bin', ['/usr/bin']],
    ['/usr/local/bin::/usr/bin:.:rel', ['/usr/local/bin', '/usr/bin']],
  ])('%j → %j', (input, expected) => {
    expect(splitPath(input)).toEqual(expected);
  });
});

describe('real wrappers', () => {
  it('isExecutableFile is false for a missing file and for a directory', () => {
    expect(isExecutableFile('/definitely/not/here/ffmpeg')).toBe(false);
    expect(isExecutableFile('/')).toBe(false);
  });

  it('bundledBinaryPath points inside the optional package when it is installed', () => {
    const bundled = bundledBinaryPath('ffmpeg');
    if (bundled !== undefined) expect(bundled).toMatch(/@ffmpeg-installer\/linux-x64\/ffmpeg$/);
  });
});
