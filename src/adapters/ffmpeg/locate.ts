/**
 * Finds the ffmpeg / ffprobe binary along the documented search order:
 *
 *   1. the configured path (`ffmpeg.path` / `ffmpeg.ffprobePath`),
 *   2. `$FFMPEG_PATH` / `$FFPROBE_PATH`,
 *   3. `ffmpeg` / `ffprobe` in a directory of `$PATH`,
 *   4. the npm-bundled binary (`@ffmpeg-installer/linux-x64`, `@ffprobe-installer/linux-x64`,
 *      optional dependencies that may be absent).
 *
 * A value the user gave explicitly (config or environment variable) that does not point at an
 * executable is an error: silently running some other ffmpeg than the one asked for hides
 * mistakes. A value without a slash ("ffmpeg") is looked up on `$PATH`.
 *
 * `locateBinary` is pure apart from the injected probes, so it is unit-tested without a real
 * filesystem; `locateFfmpeg` / `locateFfprobe` are the thin real wrappers.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FfmpegNotFoundError } from '../../domain/errors.js';

export type BinaryName = 'ffmpeg' | 'ffprobe';
export type BinarySource = 'config' | 'env' | 'path' | 'bundled';

export interface LocatedBinary {
  readonly path: string;
  readonly source: BinarySource;
}

export interface LocateDeps {
  /** The process environment (`PATH`, `FFMPEG_PATH`, `FFPROBE_PATH`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when `file` exists, is a regular file (after symlinks) and is executable by us. */
  isExecutable(file: string): boolean;
  /** Absolute path of the npm-bundled binary, or undefined when the package is not installed. */
  bundledPath(name: BinaryName): string | undefined;
}

const ENV_VARIABLE: Record<BinaryName, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };

export const BUNDLED_PACKAGE: Record<BinaryName, string> = {
  ffmpeg: '@ffmpeg-installer/linux-x64',
  ffprobe: '@ffprobe-installer/linux-x64',
};

/**
 * Resolves `name` along the search order. `configured` is the configured path, if any.
 * Throws FfmpegNotFoundError listing every place that was tried.
 */
export function locateBinary(name: BinaryName, configured: string | undefined, deps: LocateDeps): LocatedBinary {
  const tried: string[] = [];
  const pathDirs = splitPath(deps.env['PATH']);

  // An explicit value (config or env) must work: it never falls through to a later step.
  const explicit = (value: string, source: 'config' | 'env', label: string): LocatedBinary => {
    const found = resolveExplicit(value, pathDirs, deps);
    if (found !== undefined) return { path: found, source };
    tried.push(`${label} ${value} (${value.includes('/') ? 'not an executable file' : 'not found on PATH'})`);
    throw new FfmpegNotFoundError(tried);
  };

  if (configured !== undefined && configured.trim() !== '') {
    return explicit(configured.trim(), 'config', 'configured path');
  }
  tried.push('configured path (not set)');

  const envName = ENV_VARIABLE[name];
  const envValue = deps.env[envName];
  if (envValue !== undefined && envValue.trim() !== '') {
    return explicit(envValue.trim(), 'env', `$${envName}`);
  }
  tried.push(`$${envName} (not set)`);

  const onPath = searchPath(name, pathDirs, deps);
  if (onPath !== undefined) return { path: onPath, source: 'path' };
  tried.push(pathDirs.length > 0 ? `${name} on PATH (${pathDirs.join(':')})` : `${name} on PATH (PATH is empty)`);

  const bundled = deps.bundledPath(name);
  if (bundled !== undefined && deps.isExecutable(bundled)) return { path: bundled, source: 'bundled' };
  tried.push(
    bundled === undefined
      ? `bundled ${BUNDLED_PACKAGE[name]} (not installed)`
      : `bundled ${bundled} (not executable)`,
  );
  throw new FfmpegNotFoundError(tried);
}

function resolveExplicit(value: string, pathDirs: readonly string[], deps: LocateDeps): string | undefined {
  if (value.includes('/')) return deps.isExecutable(value) ? value : undefined;
  return searchPath(value, pathDirs, deps);
}

function searchPath(file: string, pathDirs: readonly string[], deps: LocateDeps): string | undefined {
  for (const dir of pathDirs) {
    const candidate = path.join(dir, file);
    if (deps.isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** PATH entries; empty and relative entries (which would mean "the current directory") are skipped. */
export function splitPath(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(path.delimiter).filter((dir) => dir !== '' && path.isAbsolute(dir));
}

// ---------------------------------------------------------------------------------------------
// Real wrappers

export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function bundledBinaryPath(name: BinaryName): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const packageJson = require.resolve(`${BUNDLED_PACKAGE[name]}/package.json`);
    return path.join(path.dirname(packageJson), name);
  } catch {
    return undefined; // optional dependency not installed (or another platform)
  }
}

export const realLocateDeps: LocateDeps = {
  env: process.env,
  isExecutable: isExecutableFile,
  bundledPath: bundledBinaryPath,
};

export function locateFfmpeg(configured?: string, deps: LocateDeps = realLocateDeps): LocatedBinary {
  return locateBinary('ffmpeg', configured, deps);
}

export function locateFfprobe(configured?: string, deps: LocateDeps = realLocateDeps): LocatedBinary {
  return locateBinary('ffprobe', configured, deps);
}
