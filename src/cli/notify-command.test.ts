import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerNotifyCommand } from './notify-command.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(yaml: string, notifier: string) {
  const dir = mkdtempSync(join(tmpdir(), 'streamwarden-notify-cli-'));
  dirs.push(dir);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  const lines: string[] = [];
  let exitCode = 0;
  const program = new Command().exitOverride();
  registerNotifyCommand(program, { out: (l) => lines.push(l), err: (l) => lines.push(l), setExitCode: (c) => (exitCode = c) });
  await program.parseAsync(['notify', 'test', '--notifier', notifier, '--config', file], { from: 'user' });
  return { exitCode, output: lines.join('\n') };
}

describe('notify test', () => {
  it('names the known notifiers when the id is unknown (no request is made)', async () => {
    const yaml = 'notifiers:\n  - id: ops\n    type: webhook\n    url: http://127.0.0.1:9/hook\nstreams: []\n';
    const { exitCode, output } = await run(yaml, 'nope');
    expect(exitCode).toBe(1);
    expect(output).toContain('no notifier "nope" in the config (known: ops)');
  });

  it('reports config problems with exit 1', async () => {
    const { exitCode, output } = await run('notifiers: 3\n', 'ops');
    expect(exitCode).toBe(1);
    expect(output).toMatch(/problem/);
  });
});
