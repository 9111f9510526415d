// operators-19k (BENCH.md): the seed-peak mix with 19,000 operators — the ≥ 20,000 terminals the source
// sizes for; 19,000 sessions is the ceiling of one server process here (20,000 descriptors per process). What
// does it hold, and where does it break? One server process; the operators spread over load-generator
// processes. First: can it hold the connections (how many connect, how long it takes, server RSS per
// session)? Then rate steps (`--rates 200,500,1000,…`), each a measured window on the same connections,
// until a step breaks: more than `--break-loss` of the commands failed or timed out, or ack p99 above
// `--break-p99-ms`, or subscribers cut off / resynchronised. The report names the step and the reason.

import { summarizeLatency } from '../lib/histogram.ts';
import { readProcessSample } from '../lib/process-stats.ts';
import { writeResults } from '../lib/results-writer.ts';
import type { JsonValue, ResultSeries } from '../lib/results-writer.ts';
import { OperatorStack } from './operator-stack.ts';
import type { MeasuredWindow } from './operator-stack.ts';
import {
  finite, loadAverageNote, round, serverProfile, sharedMachineNote, targetFigures, targetLines, usageFigures,
} from './scenario-kit.ts';
import type { ScenarioContext, ScenarioOutcome, TargetCheck } from './scenario-kit.ts';
import { droppedCount, windowFigures } from './seed-peak.ts';

export const ratesMax = 10;

interface Settings19k {
  readonly operators: number;
  readonly clinics: number;
  readonly doctorsPerClinic: number;
  readonly rates: readonly number[];
  readonly stepSeconds: number;
  readonly warmupSeconds: number;
  readonly workers: number;
  readonly decodingSessions: number;
  readonly timeoutMs: number;
  readonly breakLoss: number;
  readonly breakP99Ms: number;
  readonly tmpfs: boolean;
}

function settingsOf(context: ScenarioContext): Settings19k {
  const { args } = context;
  const rates = args.text('rates', args.size === 'small' ? '20,40' : '25,50,100,200,400').split(',').map(Number);
  if (rates.length === 0 || rates.length > ratesMax || rates.some((rate) => !(rate > 0 && rate <= 100_000))) {
    throw new RangeError(`--rates: 1 to ${ratesMax} comma-separated rates in (0, 100000]`);
  }
  return {
    operators: args.number('operators', { small: 30, full: 19_000 }, { min: 2, max: 25_000 }),
    clinics: args.number('clinics', { small: 2, full: 30 }, { min: 1, max: 1_000 }),
    doctorsPerClinic: args.number('doctors-per-clinic', { small: 4, full: 8 }, { min: 1, max: 200 }),
    rates,
    stepSeconds: args.number('step-seconds', { small: 1, full: 20 }, { min: 1, max: 3_600 }),
    warmupSeconds: args.number('warmup-seconds', { small: 1, full: 10 }, { min: 0, max: 600 }),
    workers: args.number('workers', { small: 1, full: 4 }, { min: 1, max: 16 }),
    // The others are passive (count frames, no decode): the generators must cost little beside the server.
    decodingSessions: args.number('decoding-sessions', { small: 10, full: 1_000 }, { min: 1, max: 25_000 }),
    timeoutMs: args.number('timeout-ms', { small: 10_000, full: 10_000 }, { min: 100, max: 120_000 }),
    breakLoss: args.number('break-loss', { small: 0.01, full: 0.01 }, { min: 0, max: 1 }),
    breakP99Ms: args.number('break-p99-ms', { small: 1_000, full: 1_000 }, { min: 1, max: 120_000 }),
    tmpfs: args.flag('tmpfs'),
  };
}

function breakReason(window: MeasuredWindow, settings: Settings19k): string | undefined {
  const { counts, session } = window.run;
  const lost = counts.failed + counts.timedOut + counts.inFlightAtEnd;
  const reasons: string[] = [];
  if (counts.scheduled > 0 && lost / counts.scheduled > settings.breakLoss) reasons.push(`${lost} of ${counts.scheduled} commands failed or timed out`);
  const p99 = summarizeLatency(window.run.ack).p99;
  if (p99 > settings.breakP99Ms) reasons.push(`ack p99 ${p99} ms > ${settings.breakP99Ms} ms`);
  if (session.staleNotices > 0 || session.gaps > 0 || window.slowReaderCutoffs > 0) {
    reasons.push(`${window.slowReaderCutoffs} slow-reader cut-offs, ${session.gaps} gaps, ${session.staleNotices} stale notices`);
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

export async function runOperators19k(context: ScenarioContext): Promise<ScenarioOutcome> {
  const settings = settingsOf(context);
  const storage = settings.tmpfs ? 'tmpfs' : 'disk';
  const notes = [sharedMachineNote, `data directory on ${storage}`, loadAverageNote('at start')];
  const profile = serverProfile(context, 'operators-19k');
  const stack = await OperatorStack.start({
    name: 'operators-19k', storage, clinics: settings.clinics, doctorsPerClinic: settings.doctorsPerClinic,
    operators: settings.operators, workers: settings.workers, decodingSessions: settings.decodingSessions, serverNodeArgs: profile.nodeArgs, log: context.log,
  });
  const steps: Array<{ readonly rate: number; readonly window: MeasuredWindow; readonly broke: string | undefined }> = [];
  const connectedSample = readProcessSample(stack.server.pid);
  try {
    if (settings.warmupSeconds > 0) await stack.warmUp(settings.rates[0] ?? 1, settings.warmupSeconds * 1000, settings.timeoutMs);
    for (const [index, rate] of settings.rates.entries()) {
      context.log(`step ${index + 1}/${settings.rates.length}: ${rate} commands/s for ${settings.stepSeconds} s`);
      const window = await stack.measure(`s${index}`, rate, settings.stepSeconds * 1000, settings.timeoutMs);
      const broke = breakReason(window, settings);
      steps.push({ rate, window, broke });
      context.log(`  ack p99 ${summarizeLatency(window.run.ack).p99} ms, answered ${window.run.counts.answered}/${window.run.counts.scheduled}` +
        `, server CPU ${window.serverUsage.cpuPercent}%, generators ${window.run.generatorCpuPercent}%${broke === undefined ? '' : `; BROKE: ${broke}`}`);
      if (broke !== undefined) break;
    }
  } finally {
    await stack.close();
  }
  notes.push(loadAverageNote('at end'));
  const setup = stack.load.setup;
  const rssPerSessionKB = setup.connected > 0 ? round((connectedSample.rssBytes / 1024) / setup.connected, 1) : null;
  const held = steps.filter((step) => step.broke === undefined);
  const lastHeld = held.at(-1);
  const firstBroken = steps.find((step) => step.broke !== undefined);
  const checks: TargetCheck[] = [
    { target: `${settings.operators} operator sessions held by one server process`, measured: `${setup.connected} connected, ${setup.failed} failed${setup.errorSamples.length > 0 ? ` (${setup.errorSamples.join(' | ')})` : ''}`, met: setup.failed === 0 },
    { target: 'nothing dropped at the highest rate held', measured: lastHeld === undefined ? 'no step held' : `${droppedCount(lastHeld.window)} at ${lastHeld.rate}/s`, met: lastHeld !== undefined && droppedCount(lastHeld.window) === 0 },
  ];
  const series: ResultSeries[] = steps.flatMap((step) => [
    { name: `ack @ ${step.rate}/s`, role: 'ours' as const, histogram: step.window.run.ack },
    { name: `fan-out to all @ ${step.rate}/s`, role: 'ours' as const, histogram: step.window.run.fanoutToAll },
  ]).slice(0, 12);
  const headline = `${setup.connected}/${settings.operators} sessions in ${round(setup.connectMs / 1000, 1)} s (server RSS ${Math.round(connectedSample.rssBytes / 1_048_576)} MB); ` +
    (lastHeld === undefined ? 'no rate held' : `held ${lastHeld.rate} cmd/s (ack p99 ${summarizeLatency(lastHeld.window.run.ack).p99} ms, fan-out p99 ${summarizeLatency(lastHeld.window.run.fanoutToAll).p99} ms)`) +
    (firstBroken === undefined ? '; no step broke' : `; broke at ${firstBroken.rate}/s: ${firstBroken.broke ?? ''}`);
  const figures: { [key: string]: JsonValue } = {
    targets: targetFigures(checks),
    setup: finite({ ...setup, subscribersByClinic: Object.fromEntries(setup.subscribersByClinic), passiveByClinic: Object.fromEntries(setup.passiveByClinic) }),
    serverAfterConnect: { rssMB: Math.round(connectedSample.rssBytes / 1_048_576), rssPerSessionKB },
    heldUpToRate: lastHeld?.rate ?? null,
    brokeAtRate: firstBroken?.rate ?? null,
    brokeBecause: firstBroken?.broke ?? null,
    steps: steps.map((step) => ({ rate: step.rate, broke: step.broke ?? null, ...windowFigures(step.window), serverAtStep: usageFigures(step.window.serverUsage) })),
  };
  const files = writeResults({
    scenario: settings.tmpfs ? 'operators-19k-tmpfs' : 'operators-19k',
    ...(context.outputDir === undefined ? {} : { outputDir: context.outputDir }),
    commandLine: context.commandLine,
    parameters: { ...settings, rates: [...settings.rates], storage, options: context.args.record() },
    figures, series, notes, headline,
  });
  return { files: [files], summary: [headline, ...targetLines(checks)], profiles: profile.path === undefined ? [] : [profile.path] };
}
