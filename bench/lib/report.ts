/**
 * Results: every benchmark returns a BenchResult (or fails with an error); run.ts writes them,
 * with the machine, as JSON and Markdown to bench/results/ (a dated pair plus latest.md) and
 * prints a summary table.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeMachine, type MachineInfo } from './machine.js';
import { RESULTS_DIR } from './paths.js';

export interface Figure {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface BenchResult {
  readonly id: string;
  readonly title: string;
  readonly ok: true;
  readonly durationMs: number;
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  readonly figures: readonly Figure[];
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
  /** Raw samples behind the figures, for anyone who wants other statistics. */
  readonly samples: Readonly<Record<string, readonly number[]>>;
}

export interface BenchFailure {
  readonly id: string;
  readonly title: string;
  readonly ok: false;
  readonly durationMs: number;
  readonly error: string;
}

export type BenchOutcome = BenchResult | BenchFailure;

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: 'full' | 'quick';
  readonly machine: MachineInfo;
  /** 1-, 5- and 15-minute load averages when the run started and ended: other work skews figures. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly outcomes: readonly BenchOutcome[];
}

/** A benchmark's progress lines go to stderr, so stdout carries only the summary. */
export function logger(id: string): (line: string) => void {
  return (line) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)} ${id}] ${line}\n`);
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toFixed(digits);
  return unit === '' ? text : unit === '×' ? `${text}×` : `${text} ${unit}`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${header.map(cell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

function summaryRows(outcomes: readonly BenchOutcome[]): string[][] {
  const rows: string[][] = [];
  for (const outcome of outcomes) {
    if (!outcome.ok) {
      rows.push([outcome.id, 'ERROR', outcome.error.split('\n')[0] ?? '', '']);
      continue;
    }
    for (const target of outcome.targets) {
      rows.push([outcome.id, target.target, target.measured, target.met ? 'met' : 'NOT met']);
    }
  }
  return rows;
}

export function renderMarkdown(report: BenchReport): string {
  const out: string[] = [];
  out.push(`# streamwarden benchmarks — ${report.startedAt}`, '');
  out.push(`Machine: ${describeMachine(report.machine)}.`, '');
  const load = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(' / ');
  out.push(`Load average (1 / 5 / 15 min) at start: ${load(report.loadAverage.start)}; at end: ${load(report.loadAverage.end)} (${report.machine.cores} cores; the bench does not stop other work on the machine).`, '');
  out.push(`Mode: ${report.mode}${report.mode === 'quick' ? ' (fewer repetitions, shorter windows: indicative only)' : ''}. Finished ${report.finishedAt}.`, '');
  out.push('Produced by `npm run bench` (bench/run.ts); see DESIGN.md §7. Missing targets are reported here, not failures.', '');
  out.push('## Summary', '');
  out.push(table(['benchmark', 'target', 'measured', 'result'], summaryRows(report.outcomes)), '');
  for (const outcome of report.outcomes) {
    out.push(`## ${outcome.title} (\`${outcome.id}\`)`, '');
    if (!outcome.ok) {
      out.push('**Failed:**', '', '```', outcome.error, '```', '');
      continue;
    }
    out.push(`Duration: ${(outcome.durationMs / 1000).toFixed(0)} s.`, '');
    out.push(table(['parameter', 'value'], Object.entries(outcome.parameters).map(([k, v]) => [k, String(v)])), '');
    out.push(table(['figure', 'value'], outcome.figures.map((f) => [f.label, formatValue(f.value, f.unit)])), '');
    if (outcome.targets.length > 0) {
      out.push(table(['target', 'measured', 'result'], outcome.targets.map((t) => [t.target, t.measured, t.met ? 'met' : 'NOT met'])), '');
    }
    for (const note of outcome.notes) out.push(`- ${note}`);
    if (outcome.notes.length > 0) out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** A plain-text summary for the terminal. */
export function renderSummary(report: BenchReport): string {
  const rows = [['benchmark', 'target', 'measured', 'result'], ...summaryRows(report.outcomes)];
  const widths = rows[0]?.map((_, i) => Math.min(70, Math.max(...rows.map((r) => (r[i] ?? '').length)))) ?? [];
  const line = (row: readonly string[]) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const lines = [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows.slice(1)) lines.push(line(row));
  return `Machine: ${describeMachine(report.machine)}\n\n${lines.join('\n')}\n`;
}

function writeAtomic(file: string, text: string): void {
  const temporary = `${file}.tmp`; // bench/results/*.tmp is git-ignored
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Writes bench/results/<stamp>.json and .md and bench/results/latest.md; returns their paths. */
export function writeReport(report: BenchReport): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = report.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const suffix = report.mode === 'quick' ? '-quick' : '';
  const json = path.join(RESULTS_DIR, `${stamp}${suffix}.json`);
  const md = path.join(RESULTS_DIR, `${stamp}${suffix}.md`);
  const latest = path.join(RESULTS_DIR, 'latest.md');
  const markdown = renderMarkdown(report);
  writeAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
  writeAtomic(md, markdown);
  writeAtomic(latest, markdown);
  return [json, md, latest];
}
