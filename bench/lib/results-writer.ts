// Writes one bench run to `<outputDir>/<scenario>-<YYYYMMDD-HHMMSS>.{json,md,svg}` and keeps the headline table
// in `<outputDir>/README.md` current (BENCH.md rule 4: say what ran).
//
// The JSON holds everything: the command line, the git commit (and whether the tree had local changes), node
// version, core count and model, the scenario's parameters, every figure the caller passes, and each latency
// series as a summary, a percentile curve and the encoded HdrHistogram (re-analysable later). The Markdown is
// the human summary: parameters, a latency table, ratio rows against any baseline or floor, the figures, and
// the plot. The README keeps one row per scenario: the latest run replaces the previous row of its scenario.
// The timestamp is UTC. Bounds: `figureRowsMax` rows of figures in the Markdown (all of them stay in the
// JSON); the command line cut at `commandCharsMax` in the Markdown; `sameSecondRunsMax` runs of one
// scenario within one second get suffixes -2, -3, …, then it throws.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Histogram } from 'hdr-histogram-js';
import { encodeHistogram, percentileCurve, summarizeLatency } from './histogram.ts';
import type { LatencySummary, PercentilePoint } from './histogram.ts';
import { renderPercentilePlot } from './percentile-plot.ts';
import type { PlotRole } from './percentile-plot.ts';

export const figureRowsMax = 500;
export const sameSecondRunsMax = 100;
/** The Markdown shows the command line up to this length; the JSON keeps all of it. */
export const commandCharsMax = 400;
export const defaultOutputDir = fileURLToPath(new URL('../results/', import.meta.url));
const defaultRepoDir = fileURLToPath(new URL('../../', import.meta.url));
const tableStartMarker = '<!-- headline-table:start -->';
const tableEndMarker = '<!-- headline-table:end -->';
const tableHeader = ['| scenario | latest run (UTC) | commit | headline |', '|---|---|---|---|'];

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface ResultSeries {
  readonly name: string;
  /** ours, or what it is compared with: the conventional baseline or the raw floor. */
  readonly role: PlotRole;
  readonly histogram: Histogram;
}

/** A figure compared with a reference measured in the same run (BENCH.md rule 1). Ratio = ours / reference. */
export interface RatioInput {
  readonly name: string;
  readonly ours: number;
  readonly reference: number;
  readonly referenceName: string;
  readonly unit?: string;
}

export interface ResultsInput {
  /** kebab-case, as in BENCH.md's table of scenarios; it names the files. */
  readonly scenario: string;
  readonly parameters: { readonly [key: string]: JsonValue };
  readonly figures: { readonly [key: string]: JsonValue };
  readonly series?: readonly ResultSeries[];
  readonly ratios?: readonly RatioInput[];
  /** Free sentences for the reader, e.g. that the load generator shares the machine, or "data on tmpfs". */
  readonly notes?: readonly string[];
  /** One line for the README table; by default the first "ours" series' p99 and the first ratio. */
  readonly headline?: string;
  readonly outputDir?: string;
  readonly now?: Date;
  readonly commandLine?: readonly string[];
  readonly repoDir?: string;
  /**
   * A plot of the scenario's own (e.g. latency by rate) for `<base>.svg`; the percentile plot then goes to
   * `<base>-percentiles.svg`.
   */
  readonly svg?: string;
}

export interface ResultsFiles {
  readonly baseName: string;
  readonly jsonPath: string;
  readonly markdownPath: string;
  readonly svgPath: string;
  readonly readmePath: string;
}

interface RatioRow {
  readonly name: string;
  readonly ours: number;
  readonly reference: number;
  readonly referenceName: string;
  readonly unit: string;
  readonly ratio: number | null;
}

interface SeriesRecord {
  readonly name: string;
  readonly role: PlotRole;
  readonly summary: LatencySummary;
  readonly curve: readonly PercentilePoint[];
  readonly histogramBase64: string;
}

interface GitInfo {
  readonly commit: string;
  readonly dirty: boolean | null;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `YYYYMMDD-HHMMSS` in UTC. */
export function fileStamp(date: Date): string {
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

function readGit(repoDir: string): GitInfo {
  const run = (args: string[]): string =>
    execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let commit = 'unknown';
  try {
    commit = run(['rev-parse', 'HEAD']);
  } catch {
    return { commit, dirty: null };
  }
  try {
    // --no-optional-locks: never take the index lock, so a run cannot collide with someone committing.
    return { commit, dirty: run(['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no']) !== '' };
  } catch {
    return { commit, dirty: null };
  }
}

function ratioOf(ours: number, reference: number): number | null {
  if (!Number.isFinite(ours) || !Number.isFinite(reference) || reference === 0) return null;
  // Four significant digits: a ratio of 0.0123 must not round to 0.01.
  return Number((ours / reference).toPrecision(4));
}

const seriesRatioFields = [['p50', 'p50'], ['p99', 'p99'], ['p999', 'p99.9'], ['max', 'max']] as const;

/** Every "ours" series against every baseline and floor, at p50, p99, p99.9 and max; then the caller's own. */
function ratioRows(series: readonly SeriesRecord[], explicit: readonly RatioInput[]): RatioRow[] {
  const rows: RatioRow[] = [];
  for (const ours of series.filter((entry) => entry.role === 'ours')) {
    for (const reference of series.filter((entry) => entry.role !== 'ours')) {
      for (const [field, label] of seriesRatioFields) {
        rows.push({
          name: `${ours.name} ${label} ÷ ${reference.name} (${reference.role})`,
          ours: ours.summary[field],
          reference: reference.summary[field],
          referenceName: reference.name,
          unit: 'ms',
          ratio: ratioOf(ours.summary[field], reference.summary[field]),
        });
      }
    }
  }
  for (const entry of explicit) {
    rows.push({ ...entry, unit: entry.unit ?? '', ratio: ratioOf(entry.ours, entry.reference) });
  }
  return rows;
}

/** Integers as they are; other numbers to four significant digits (whole numbers from 1,000 up). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(4)));
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Flattens nested figures into `a.b.c` rows; arrays of scalars are shown inline. */
function flatten(prefix: string, value: JsonValue, rows: Array<[string, string]>): void {
  if (value === null || typeof value !== 'object') {
    rows.push([prefix, typeof value === 'number' ? formatNumber(value) : String(value)]);
    return;
  }
  if (Array.isArray(value)) {
    rows.push([prefix, JSON.stringify(value)]);
    return;
  }
  for (const [key, inner] of Object.entries(value as { readonly [key: string]: JsonValue })) {
    flatten(prefix === '' ? key : `${prefix}.${key}`, inner, rows);
  }
}

function keyValueTable(header: string, record: { readonly [key: string]: JsonValue }, rowsMax: number): string[] {
  const rows: Array<[string, string]> = [];
  flatten('', record, rows);
  const lines = [`| ${header} | value |`, '|---|---|'];
  for (const [key, value] of rows.slice(0, rowsMax)) lines.push(`| ${cell(key)} | ${cell(value)} |`);
  if (rows.length > rowsMax) lines.push(`| … | ${rows.length - rowsMax} more rows in the JSON |`);
  return lines;
}

function latencyTable(series: readonly SeriesRecord[]): string[] {
  const lines = ['| series | role | count | p50 | p90 | p99 | p99.9 | max | mean |', '|---|---|---|---|---|---|---|---|---|'];
  for (const entry of series) {
    const s = entry.summary;
    const values = [s.count, s.p50, s.p90, s.p99, s.p999, s.max, s.mean].map(formatNumber).join(' | ');
    lines.push(`| ${cell(entry.name)} | ${entry.role} | ${values} |`);
  }
  return lines;
}

function ratioTable(rows: readonly RatioRow[]): string[] {
  const lines = ['| figure | ours | reference | ours ÷ reference |', '|---|---|---|---|'];
  for (const row of rows) {
    const unit = row.unit === '' ? '' : ` ${row.unit}`;
    const ratio = row.ratio === null ? 'n/a' : formatNumber(row.ratio);
    lines.push(`| ${cell(row.name)} | ${formatNumber(row.ours)}${unit} | ${formatNumber(row.reference)}${unit} ` +
      `(${cell(row.referenceName)}) | ${ratio} |`);
  }
  return lines;
}

interface RunRecord {
  readonly scenario: string;
  readonly writtenAt: string;
  readonly commandLine: readonly string[];
  readonly git: GitInfo;
  readonly node: string;
  readonly machine: {
    readonly cpuCount: number;
    readonly availableParallelism: number;
    readonly cpuModel: string;
    readonly totalMemoryBytes: number;
    readonly platform: string;
    readonly arch: string;
    readonly kernel: string;
  };
  readonly notes: readonly string[];
  readonly parameters: { readonly [key: string]: JsonValue };
  readonly series: readonly SeriesRecord[];
  readonly ratios: readonly RatioRow[];
  readonly figures: { readonly [key: string]: JsonValue };
  readonly headline: string;
}

function defaultHeadline(series: readonly SeriesRecord[], ratios: readonly RatioRow[]): string {
  const parts: string[] = [];
  const ours = series.find((entry) => entry.role === 'ours') ?? series[0];
  if (ours !== undefined) {
    parts.push(`${ours.name}: p99 ${formatNumber(ours.summary.p99)} ms, p99.9 ${formatNumber(ours.summary.p999)} ms ` +
      `(${ours.summary.count} ops)`);
  }
  const p99Ratio = ratios.find((row) => row.name.includes(' p99 ÷ ')) ?? ratios[0];
  if (p99Ratio !== undefined && p99Ratio.ratio !== null) {
    parts.push(`${p99Ratio.name} = ${formatNumber(p99Ratio.ratio)}`);
  }
  return parts.length > 0 ? parts.join('; ') : 'see the summary';
}

function renderMarkdown(run: RunRecord, baseName: string): string {
  const lines: string[] = [`# ${run.scenario} — ${run.writtenAt}`, ''];
  const dirty = run.git.dirty === true ? ' (with uncommitted changes)' : '';
  const command = run.commandLine.join(' ').replace(/\s+/g, ' ').replace(/`/g, "'");
  const shown = command.length > commandCharsMax ? `${command.slice(0, commandCharsMax)}…` : command;
  lines.push(`- command: \`${shown}\``);
  lines.push(`- commit: \`${run.git.commit}\`${dirty}`);
  lines.push(`- node ${run.node}, ${run.machine.cpuCount} × ${run.machine.cpuModel}, ` +
    `${Math.round(run.machine.totalMemoryBytes / 2 ** 30)} GiB, ${run.machine.platform} ${run.machine.kernel}`);
  for (const note of run.notes) lines.push(`- ${note}`);
  lines.push('', `**${run.headline}**`, '', '## Parameters', '', ...keyValueTable('parameter', run.parameters, figureRowsMax));
  if (run.series.length > 0) {
    lines.push('', '## Latency (ms, from the intended send time)', '', ...latencyTable(run.series));
    lines.push('', `![latency by percentile](${baseName}.svg)`);
  }
  if (run.ratios.length > 0) {
    lines.push('', '## Ratios (same run)', '', ...ratioTable(run.ratios));
  }
  lines.push('', '## Figures', '', ...keyValueTable('figure', run.figures, figureRowsMax), '');
  return lines.join('\n');
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Replaces (or adds) the scenario's row in the README's headline table, keeping the other rows in order. */
export function updateReadme(readmePath: string, scenario: string, row: string): void {
  const existing = existsSync(readmePath)
    ? readFileSync(readmePath, 'utf8')
    : '# Bench results\n\nLatest run of each scenario, rewritten by `bench/lib/results-writer.ts` ' +
      '(one row per scenario; every run keeps its own JSON, Markdown and SVG beside this file).\n';
  const startIndex = existing.indexOf(tableStartMarker);
  const endIndex = existing.indexOf(tableEndMarker);
  const hasTable = startIndex !== -1 && endIndex > startIndex;
  const body = hasTable ? existing.slice(startIndex + tableStartMarker.length, endIndex) : '';
  const rows = body.split('\n').filter((line) => line.startsWith('| ') && !tableHeader.includes(line));
  const keyOf = (line: string): string => line.slice(2, line.indexOf(' |', 2)).trim();
  const position = rows.findIndex((line) => keyOf(line) === scenario);
  if (position === -1) rows.push(row);
  else rows[position] = row;
  const table = [tableStartMarker, ...tableHeader, ...rows, tableEndMarker].join('\n');
  const updated = hasTable
    ? existing.slice(0, startIndex) + table + existing.slice(endIndex + tableEndMarker.length)
    : `${existing.trimEnd()}\n\n${table}\n`;
  writeAtomically(readmePath, updated);
}

function freeBaseName(outputDir: string, scenario: string, stamp: string): string {
  for (let attempt = 1; attempt <= sameSecondRunsMax; attempt += 1) {
    const baseName = attempt === 1 ? `${scenario}-${stamp}` : `${scenario}-${stamp}-${attempt}`;
    if (!existsSync(join(outputDir, `${baseName}.json`))) return baseName;
  }
  throw new Error(`results writer: ${sameSecondRunsMax} runs of ${scenario} within ${stamp}; wait a second`);
}

function machineInfo(): RunRecord['machine'] {
  const cpuList = cpus();
  return {
    cpuCount: cpuList.length,
    availableParallelism: availableParallelism(),
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: totalmem(),
    platform: process.platform,
    arch: process.arch,
    kernel: release(),
  };
}

/** Writes the three files of one run and updates the README row of its scenario; returns the paths. */
export function writeResults(input: ResultsInput): ResultsFiles {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(input.scenario)) {
    throw new TypeError(`results writer: scenario "${input.scenario}" must be kebab-case (it names files)`);
  }
  const outputDir = resolve(input.outputDir ?? defaultOutputDir);
  mkdirSync(outputDir, { recursive: true });
  const now = input.now ?? new Date();
  const series: SeriesRecord[] = (input.series ?? []).map((entry) => ({
    name: entry.name,
    role: entry.role,
    summary: summarizeLatency(entry.histogram),
    curve: percentileCurve(entry.histogram),
    histogramBase64: encodeHistogram(entry.histogram),
  }));
  const ratios = ratioRows(series, input.ratios ?? []);
  const run: RunRecord = {
    scenario: input.scenario,
    writtenAt: now.toISOString(),
    commandLine: input.commandLine ?? [process.argv0, ...process.execArgv, ...process.argv.slice(1)],
    git: readGit(input.repoDir ?? defaultRepoDir),
    node: process.version,
    machine: machineInfo(),
    notes: input.notes ?? [],
    parameters: input.parameters,
    series,
    ratios,
    figures: input.figures,
    headline: input.headline ?? defaultHeadline(series, ratios),
  };
  const baseName = freeBaseName(outputDir, input.scenario, fileStamp(now));
  const files: ResultsFiles = {
    baseName,
    jsonPath: join(outputDir, `${baseName}.json`),
    markdownPath: join(outputDir, `${baseName}.md`),
    svgPath: join(outputDir, `${baseName}.svg`),
    readmePath: join(outputDir, 'README.md'),
  };
  writeAtomically(files.jsonPath, `${JSON.stringify(run, null, 2)}\n`);
  writeAtomically(files.markdownPath, renderMarkdown(run, baseName));
  const percentiles = renderPercentilePlot(`${input.scenario} — latency by percentile`, series);
  if (input.svg === undefined) writeAtomically(files.svgPath, percentiles);
  else {
    writeAtomically(files.svgPath, input.svg);
    writeAtomically(join(outputDir, `${baseName}-percentiles.svg`), percentiles);
  }
  const when = run.writtenAt.replace('T', ' ').slice(0, 19);
  const commit = run.git.commit.slice(0, 10) + (run.git.dirty === true ? '+' : '');
  updateReadme(files.readmePath, input.scenario,
    `| ${input.scenario} | [${when}](${baseName}.md) | ${cell(commit)} | ${cell(run.headline)} |`);
  return files;
}
