/** Where things are: the repository, the built CLI, the compiled fakes, the results. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_DIR = path.join(REPO_ROOT, 'bench');
/** Build output of the bench (git-ignored). */
export const BUILD_DIR = path.join(BENCH_DIR, '.build');
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
export const CLI = path.join(REPO_ROOT, 'bin', 'streamwarden.js');
export const DIST_MAIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const FAKE_ENCODER_SOURCE = path.join(BENCH_DIR, 'fake-encoder.c');
export const FAKE_ENCODER = path.join(BUILD_DIR, 'fake-encoder');
export const FAKE_ENGINES_SOURCE = path.join(BENCH_DIR, 'fake-engines.c');
export const FAKE_ENGINES = path.join(BUILD_DIR, 'fake-engines');
export const PM2_BIN = path.join(REPO_ROOT, 'node_modules', 'pm2', 'bin', 'pm2');
export const REAL_FFMPEG = '/usr/bin/ffmpeg';
