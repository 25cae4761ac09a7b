import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerControllerCommand } from './controller-command.js';

let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function run(args: string[]): Promise<{ code: number | undefined; out: string[]; err: string[]; thrown: unknown }> {
  const out: string[] = [];
  const err: string[] = [];
  let code: number | undefined;
  const program = new Command().exitOverride().configureOutput({ writeOut: () => {}, writeErr: (s) => err.push(s.trim()) });
  registerControllerCommand(program, { out: (l) => out.push(l), err: (l) => err.push(l), setExitCode: (c) => (code = c) });
  let thrown: unknown;
  try {
    await program.parseAsync(['controller', ...args], { from: 'user' });
  } catch (error) {
    thrown = error;
  }
  return { code, out, err, thrown };
}

describe('streamwarden controller', () => {
  it('reports every problem of a broken config file and exits 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'streamwarden-controller-cli-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'streams:\n  - id: a\n    args: [-i, x]\n    colour: red\n  - id: Bad Id\n    args: [-i, y]\n');
    const result = await run(['--config', path]);
    expect(result.code).toBe(1);
    expect(result.err[0]).toBe(`${path}: 2 problems`);
    expect(result.err.slice(1)).toEqual(['  streams[0].colour: unknown key', expect.stringMatching(/^ {2}streams\[1\]\.id: /)]);
  });

  it('refuses a bad port or heartbeat as a usage error', async () => {
    expect((await run(['--config', 'x.yaml', '--port', '70000'])).thrown).toMatchObject({ code: 'commander.invalidArgument' });
    expect((await run(['--config', 'x.yaml', '--heartbeat', 'often'])).thrown).toMatchObject({ code: 'commander.invalidArgument' });
    expect((await run([])).thrown).toMatchObject({ code: 'commander.missingMandatoryOptionValue' });
  });
});
