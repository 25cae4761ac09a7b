/** Build steps the benchmarks need: the daemon (`npm run build`) and the C fakes. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { findBinary } from '../../test/helpers/require-binary.js';
import { BUILD_DIR, CLI, DIST_MAIN, FAKE_ENCODER, FAKE_ENCODER_SOURCE, FAKE_ENGINES, FAKE_ENGINES_SOURCE, REPO_ROOT } from './paths.js';

export class BenchSetupError extends Error {
  override name = 'BenchSetupError';
}

function outputOf(error: unknown): string {
  const parts: string[] = [];
  for (const key of ['stdout', 'stderr'] as const) {
    const value = (error as Partial<Record<typeof key, unknown>>)[key];
    if (typeof value === 'string' && value.trim() !== '') parts.push(value.trim());
    else if (Buffer.isBuffer(value) && value.length > 0) parts.push(value.toString('utf8').trim());
  }
  return parts.join('\n') || (error instanceof Error ? error.message : String(error));
}

/** Runs `npm run build` so bin/streamwarden.js runs the current source; throws with tsc's output. */
export function buildDaemon(): void {
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: 'pipe', encoding: 'utf8', timeout: 300_000 });
  } catch (error) {
    throw new BenchSetupError(`\`npm run build\` failed; the benchmarks need the built daemon (${DIST_MAIN}):\n${outputOf(error)}`);
  }
  if (!existsSync(DIST_MAIN) || !existsSync(CLI)) {
    throw new BenchSetupError(`\`npm run build\` succeeded but ${DIST_MAIN} or ${CLI} is missing`);
  }
}

/** Compiles a bench C program with `cc -O2` into bench/.build/; throws when there is no C compiler. */
export function compileC(source: string, output: string): string {
  const cc = findBinary('cc') ?? findBinary('gcc') ?? findBinary('clang');
  if (cc === undefined) {
    throw new BenchSetupError(`no C compiler (cc, gcc or clang) on PATH: the benchmarks compile ${source} (apt-get install gcc)`);
  }
  mkdirSync(BUILD_DIR, { recursive: true });
  const temporary = `${output}.${process.pid}.tmp`;
  try {
    execFileSync(cc, ['-O2', '-Wall', '-o', temporary, source], { stdio: 'pipe', encoding: 'utf8', timeout: 120_000 });
  } catch (error) {
    throw new BenchSetupError(`${cc} -O2 ${source} failed:\n${outputOf(error)}`);
  }
  renameSync(temporary, output); // atomic: a running copy is never overwritten in place
  return output;
}

/** The fake ffmpeg of the overhead benchmark. */
export function compileFakeEncoder(): string {
  return compileC(FAKE_ENCODER_SOURCE, FAKE_ENCODER);
}

/** The fake engines of the engine-polling benchmark. */
export function compileFakeEngines(): string {
  return compileC(FAKE_ENGINES_SOURCE, FAKE_ENGINES);
}
