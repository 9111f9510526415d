// What every scenario shares: its arguments (`--name value` / `--name=value` options and `--flag`s, parsed
// strictly against the options the scenario declares, each with a default for the `small` size that finishes in seconds and one for the `full` size), the context
// run.ts gives it (where results go, the command line, whether to profile the server), target checks that are
// reported, never asserted (BENCH.md rule 5), and small converters from measurements to result figures.

import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import { summarizeLatency } from '../lib/histogram.ts';
import type { ProcessUsage } from '../lib/process-stats.ts';
import type { JsonValue, ResultsFiles } from '../lib/results-writer.ts';

export type ScenarioSize = 'small' | 'full';

/** The options a scenario takes (bench/scenarios/scenario-registry.ts): every other option is a usage error. */
export interface ScenarioOptionSpec {
  readonly numbers?: readonly string[];
  readonly texts?: readonly string[];
  readonly flags?: readonly string[];
}

/** Every scenario takes these. */
export const commonScenarioTexts: readonly string[] = ['size', 'server-node-args'];

/** A misspelled or unknown option, a stray argument: `npm run bench` exits 2 with this message. */
export class ScenarioUsageError extends Error {
  override readonly name = 'ScenarioUsageError';
}

/**
 * A scenario's options, parsed by `node:util` parseArgs in strict mode against the scenario's declared
 * options, so `--clinets 3` is refused before a minute-long run with the default instead. Reading an option
 * the scenario did not declare is a programming error (the declaration and the use cannot drift apart).
 */
export class ScenarioArgs {
  private readonly values = new Map<string, string>();
  private readonly flags = new Set<string>();
  private readonly declared: ReadonlySet<string>;

  constructor(argv: readonly string[], spec: ScenarioOptionSpec = {}) {
    const options: Record<string, { type: 'string' } | { type: 'boolean' }> = {};
    for (const name of [...commonScenarioTexts, ...(spec.texts ?? []), ...(spec.numbers ?? [])]) options[name] = { type: 'string' };
    for (const name of spec.flags ?? []) options[name] = { type: 'boolean' };
    this.declared = new Set(Object.keys(options));
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }) as { values: Record<string, string | boolean | undefined> });
    } catch (error) {
      const known = Object.entries(options).map(([name, option]) => (option.type === 'boolean' ? `--${name}` : `--${name} <value>`)).join(', ');
      throw new ScenarioUsageError(`${error instanceof Error ? error.message : String(error)}; this scenario takes ${known}`);
    }
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'string') this.values.set(name, value);
      else if (value === true) this.flags.add(name);
    }
  }

  #check(name: string): void {
    if (!this.declared.has(name)) throw new Error(`--${name} is read but not declared for this scenario (bench/scenarios/scenario-registry.ts)`);
  }

  get size(): ScenarioSize {
    const size = this.values.get('size') ?? 'full';
    if (size !== 'small' && size !== 'full') throw new ScenarioUsageError(`--size must be small or full, got ${size}`);
    return size;
  }

  /** A number option; `sizes` gives the default for each size. Refuses values outside [min, max]. */
  number(name: string, sizes: { readonly small: number; readonly full: number }, bounds: { readonly min: number; readonly max: number }): number {
    this.#check(name);
    const raw = this.values.get(name);
    const value = raw === undefined ? sizes[this.size] : Number(raw);
    if (raw?.trim() === '' || !Number.isFinite(value) || value < bounds.min || value > bounds.max) {
      throw new ScenarioUsageError(`--${name} must be a number in [${bounds.min}, ${bounds.max}], got ${raw ?? value}`);
    }
    return value;
  }

  text(name: string, fallback: string): string {
    this.#check(name);
    return this.values.get(name) ?? fallback;
  }

  flag(name: string): boolean {
    this.#check(name);
    return this.flags.has(name);
  }

  /** Every option and flag, to record in the result file. */
  record(): { [name: string]: string | boolean } {
    return { ...Object.fromEntries(this.values), ...Object.fromEntries([...this.flags].map((flag) => [flag, true])) };
  }
}

export interface ScenarioContext {
  readonly scenario: string;
  readonly args: ScenarioArgs;
  /** Where result files go (bench/results by default; tests use a temporary directory). */
  readonly outputDir?: string;
  readonly commandLine: readonly string[];
  /** When set, the server under test runs with --cpu-prof writing into this directory. */
  readonly profileDir?: string;
  readonly log: (line: string) => void;
}

export interface ScenarioOutcome {
  readonly files: readonly ResultsFiles[];
  /** A few lines for the terminal: the headline, the targets. */
  readonly summary: readonly string[];
  /** Directories the server under test writes its CPU profiles into, when profiling (bench/profile.ts reads them). */
  readonly profiles: readonly string[];
}

export type Scenario = (context: ScenarioContext) => Promise<ScenarioOutcome>;

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export function targetFigures(checks: readonly TargetCheck[]): JsonValue {
  return checks.map((check) => ({ target: check.target, measured: check.measured, met: check.met }));
}

export function targetLines(checks: readonly TargetCheck[]): string[] {
  return checks.map((check) => `${check.met ? 'MET   ' : 'MISSED'} ${check.target}: ${check.measured}`);
}

export function latencyFigures(histogram: Histogram): JsonValue {
  const summary = summarizeLatency(histogram);
  return { ...summary };
}

export function usageFigures(usage: ProcessUsage | undefined): JsonValue {
  if (usage === undefined) return null;
  const mb = (bytes: number): number => Math.round(bytes / 1_048_576);
  return {
    cpuPercent: usage.cpuPercent, cpuUserMs: Math.round(usage.cpuUserMs), cpuSystemMs: Math.round(usage.cpuSystemMs),
    wallMs: Math.round(usage.wallMs), rssStartMB: mb(usage.rssStartBytes), rssEndMB: mb(usage.rssEndBytes),
    rssMaxMB: mb(usage.rssMaxBytes), rssPeakMB: mb(usage.rssPeakBytes), exited: usage.exited,
  };
}

/** Replaces non-finite numbers (JSON has none) with null, recursively. */
export function finite(value: unknown): JsonValue {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => finite(item));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as { readonly [key: string]: unknown }).map(([key, item]) => [key, finite(item)]));
  }
  return null;
}

export function loadAverageNote(when: string): string {
  const [one, five, fifteen] = loadavg().map((value) => value.toFixed(2));
  return `load average ${when}: ${one ?? '?'} / ${five ?? '?'} / ${fifteen ?? '?'} (1 / 5 / 15 min; 2 cores shared with other engineers' tests)`;
}

export const sharedMachineNote = 'the load generators run on the same 2-core machine as the server, in separate processes; ' +
  'their CPU is reported beside the server\'s (BENCH.md rule 6)';

/**
 * Node flags that make the server under test write a CPU profile on exit, and the directory it goes to. Node
 * writes one profile per thread (tsx's module loader runs in a thread of its own), so each server gets a fresh
 * directory with V8's default file names; bench/profile.ts keeps the main thread's.
 */
export function serverProfile(context: ScenarioContext, name: string): { readonly nodeArgs: string[]; readonly path: string | undefined } {
  const extra = serverNodeArgs(context.args);
  if (context.profileDir === undefined) return { nodeArgs: extra, path: undefined };
  const directory = join(context.profileDir, `${name}-${Date.now()}`);
  return { nodeArgs: [...extra, '--cpu-prof', `--cpu-prof-dir=${directory}`], path: directory };
}

/**
 * `--server-node-args=<flags>`: more V8/node flags for the server under test, after the product's own
 * (gateway/node-flags.ts), e.g. `--server-node-args=--no-single-threaded-gc` to measure without one of them.
 * Recorded with the other options in the result file. Only `--` flags; flags that load code or open a debugger
 * port are refused.
 */
const codeLoadingFlags = ['--import', '--require', '--loader', '--experimental-loader', '--inspect', '--debug'];

export function serverNodeArgs(args: ScenarioArgs): string[] {
  const raw = args.text('server-node-args', '').trim();
  if (raw === '') return [];
  const flags = raw.split(/\s+/);
  for (const flag of flags) {
    if (!/^--[a-z0-9][a-z0-9-]*(=[^\s]*)?$/.test(flag) || codeLoadingFlags.some((prefix) => flag.startsWith(prefix))) {
      throw new Error(`--server-node-args takes node flags like --max-semi-space-size=32; "${flag}" is not one`);
    }
  }
  return flags;
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
