// freeze (BENCH.md): does heavy work move the command p99? The full scenario — seed-peak while the workers
// build a year of reports and route sheets over 1.36 M calls — belongs to bench/freeze.ts, written with the
// workers by another engineer: when that file exists, `npm run bench -- freeze …` runs it as its own process
// with the same arguments (`--fallback` forces the stand-in below).
//
// Stand-in while it does not exist, and labelled so in the results: seed-peak's operator load, measured twice
// on the same connections — quiet, then with heavy reads: autocannon (closed loop) on the engine thread's
// heaviest GETs (every slot of a clinic, a clinic's calls page, boards, call-out tasks, patient search) and
// `persistence/verify.ts` replaying the whole log from the live data directory in another process, again and
// again for the window. The figure is the ratio of the command p99 with and without.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { summarizeLatency } from '../lib/histogram.ts';
import { writeResults } from '../lib/results-writer.ts';
import type { JsonValue } from '../lib/results-writer.ts';
import { runCannon } from '../load/http-load.ts';
import type { CannonAnswer } from '../load/http-load.ts';
import { OperatorStack } from './operator-stack.ts';
import type { MeasuredWindow } from './operator-stack.ts';
import { finite, loadAverageNote, round, serverProfile, sharedMachineNote, targetLines, usageFigures } from './scenario-kit.ts';
import type { ScenarioContext, ScenarioOutcome } from './scenario-kit.ts';
import { seedPeakSettings, windowFigures } from './seed-peak.ts';

export const freezeScriptUrl = new URL('../freeze.ts', import.meta.url);
export const verifyRunsMax = 1_000;
const repositoryDirectory = fileURLToPath(new URL('../../', import.meta.url));

function runFreezeScript(context: ScenarioContext, argv: readonly string[]): Promise<ScenarioOutcome> {
  context.log(`bench/freeze.ts exists: running it with ${argv.join(' ') || 'no arguments'}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(freezeScriptUrl), ...argv], { cwd: repositoryDirectory, stdio: 'inherit' });
    child.once('exit', (code, signal) => {
      if (code === 0) resolve({ files: [], summary: [`bench/freeze.ts finished; its results are in ${context.outputDir ?? 'bench/results/'}`], profiles: [] });
      else reject(new Error(`bench/freeze.ts exited with code ${code} (signal ${signal})`));
    });
  });
}

/** Replays the live data directory with `verify` in a separate process, again and again until `untilMs`. */
async function verifyLoop(dataDir: string, untilMs: number): Promise<{ readonly runs: number; readonly failed: number; readonly lastMs: number }> {
  let runs = 0;
  let failed = 0;
  let lastMs = 0;
  while (performance.now() < untilMs && runs < verifyRunsMax) {
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'persistence/verify.ts', '--data-dir', dataDir], { cwd: repositoryDirectory, stdio: 'ignore' });
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    runs += 1;
    lastMs = Math.round(performance.now() - started);
    if (code !== 0) failed += 1;
  }
  return { runs, failed, lastMs };
}

function heavyPaths(clinics: number): string[] {
  const paths: string[] = [];
  for (let clinic = 1; clinic <= clinics; clinic += 1) {
    paths.push(`/api/v1/slots?clinicId=c${clinic}&limit=9999`, `/api/v1/clinics/c${clinic}/calls?limit=1000`,
      `/api/v1/clinics/c${clinic}/board`, `/api/v1/callout/tasks?clinicId=c${clinic}`, `/api/v1/calls?phone=%2B79120001001`);
  }
  return paths;
}

export async function runFreeze(context: ScenarioContext): Promise<ScenarioOutcome> {
  if (existsSync(freezeScriptUrl) && !context.args.flag('fallback')) {
    const argv = Object.entries(context.args.record()).flatMap(([name, value]) => (value === true ? [`--${name}`] : [`--${name}`, String(value)]));
    if (context.outputDir !== undefined) argv.push('--out', context.outputDir);
    return runFreezeScript(context, argv);
  }
  const settings = seedPeakSettings(context);
  const readConnections = context.args.number('read-connections', { small: 2, full: 16 }, { min: 1, max: 1_000 });
  const storage = settings.tmpfs ? 'tmpfs' : 'disk';
  const notes = [
    'STAND-IN: bench/freeze.ts (reports and route sheets built by the workers over 1.36 M calls) did not exist when this ran; ' +
      'the heavy work here is HTTP reads on the engine thread plus repeated full-log verify replays in another process',
    sharedMachineNote, `data directory on ${storage}`, loadAverageNote('at start'),
  ];
  const profile = serverProfile(context, 'freeze');
  const stack = await OperatorStack.start({
    name: 'freeze', storage, clinics: settings.clinics, doctorsPerClinic: settings.doctorsPerClinic,
    operators: settings.operators, workers: settings.workers, serverNodeArgs: profile.nodeArgs, log: context.log,
  });
  let quiet: MeasuredWindow;
  let heavy: MeasuredWindow;
  let reads: CannonAnswer;
  let verify: { readonly runs: number; readonly failed: number; readonly lastMs: number };
  try {
    if (settings.warmupSeconds > 0) await stack.warmUp(settings.ratePerSecond, settings.warmupSeconds * 1000, settings.timeoutMs);
    context.log(`quiet window: ${settings.ratePerSecond}/s for ${settings.seconds} s`);
    quiet = await stack.measure('q', settings.ratePerSecond, settings.seconds * 1000, settings.timeoutMs);
    context.log(`heavy window: the same, with ${readConnections} autocannon connections on heavy GETs and verify replays`);
    const untilMs = performance.now() + settings.seconds * 1000;
    const readLoad = runCannon({ baseUrl: stack.server.baseUrl, token: stack.region.tokens.admin, connections: readConnections, seconds: settings.seconds, paths: heavyPaths(settings.clinics) });
    const verifyLoad = verifyLoop(stack.dataDir.path, untilMs);
    heavy = await stack.measure('h', settings.ratePerSecond, settings.seconds * 1000, settings.timeoutMs);
    reads = await readLoad;
    verify = await verifyLoad;
  } finally {
    await stack.close();
  }
  notes.push(loadAverageNote('at end'));
  const quietP99 = summarizeLatency(quiet.run.ack).p99;
  const heavyP99 = summarizeLatency(heavy.run.ack).p99;
  const ratio = quietP99 > 0 ? round(heavyP99 / quietP99, 2) : null;
  const headline = `STAND-IN (no bench/freeze.ts): command p99 ${quietP99} ms quiet vs ${heavyP99} ms under heavy reads ` +
    `(${Math.round(reads.requestsPerSecond['average'] ?? 0)} GET/s) and ${verify.runs} verify replays: ×${ratio ?? '?'}`;
  const { type: _type, usage: readUsage, ...readFigures } = reads;
  const figures: { [key: string]: JsonValue } = {
    standIn: true,
    commandP99RatioHeavyOverQuiet: ratio,
    quiet: windowFigures(quiet),
    heavy: windowFigures(heavy),
    readLoad: finite({ ...readFigures, generator: usageFigures(readUsage), paths: heavyPaths(settings.clinics).length }),
    verifyReplays: { ...verify },
  };
  const files = writeResults({
    scenario: 'freeze',
    ...(context.outputDir === undefined ? {} : { outputDir: context.outputDir }),
    commandLine: context.commandLine,
    parameters: { ...settings, readConnections, storage, options: context.args.record() },
    figures,
    series: [
      { name: 'ack, quiet', role: 'ours', histogram: quiet.run.ack },
      { name: 'ack, heavy reads + replays', role: 'ours', histogram: heavy.run.ack },
    ],
    ratios: [{ name: 'command p99, heavy ÷ quiet', ours: heavyP99, reference: quietP99, referenceName: 'quiet window', unit: 'ms' }],
    notes, headline,
  });
  return { files: [files], summary: [headline, ...targetLines([])], profiles: profile.path === undefined ? [] : [profile.path] };
}
