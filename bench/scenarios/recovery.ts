// recovery (BENCH.md): a history of home calls (bench/history-generator.ts, through the real engine, straight
// into the LMDB log, with a snapshot at its end), the server started on it, a tail of commands acknowledged
// after the snapshot, `kill -9` while more are in flight, restart. Measured from the restart's spawn: the
// listening line, the first /healthz 200, the first acknowledged command (a POST /api/v1/calls answered 201);
// the server's own recovery report (snapshot position, entries and events replayed, ms); RSS once serving;
// and that every acknowledged tail command is still there. Target (reported): serving again within 10 s at
// seed scale (1,355,437 calls: `--scale seed`, with the generator on an 8 GB heap).

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { readProcessSample } from '../lib/process-stats.ts';
import { writeResults } from '../lib/results-writer.ts';
import type { JsonValue } from '../lib/results-writer.ts';
import { makeBenchDataDir } from '../load/bench-data-dir.ts';
import { httpJson } from '../load/http-json.ts';
import { issueAdminToken } from '../load/prepare-region.ts';
import { startServerProcess } from '../load/server-process.ts';
import type { ServerProcess } from '../load/server-process.ts';
import { finite, loadAverageNote, round, serverProfile, targetFigures, targetLines } from './scenario-kit.ts';
import type { ScenarioContext, ScenarioOutcome, TargetCheck } from './scenario-kit.ts';

export const seedScaleCalls = 1_355_437;
export const servingTargetSeconds = 10;
export const generatorTimeoutMs = 3 * 60 * 60_000;
export const healthPollIntervalMs = 10;
export const tailConcurrencyMax = 32;
export const ackedCheckedMax = 500;
const repositoryDirectory = fileURLToPath(new URL('../../', import.meta.url));

interface RecoverySettings {
  readonly calls: number;
  readonly seedScale: boolean;
  readonly tailCommands: number;
  readonly inFlightAtKill: number;
  readonly tmpfs: boolean;
  readonly generatorHeapMb: number;
}

function settingsOf(context: ScenarioContext): RecoverySettings {
  const { args } = context;
  const seedScale = args.text('scale', '') === 'seed';
  return {
    calls: seedScale ? seedScaleCalls : args.number('calls', { small: 2_000, full: 200_000 }, { min: 100, max: 5_000_000 }),
    seedScale,
    tailCommands: args.number('tail-commands', { small: 50, full: 5_000 }, { min: 1, max: 1_000_000 }),
    inFlightAtKill: args.number('in-flight-at-kill', { small: 10, full: 200 }, { min: 0, max: 10_000 }),
    tmpfs: args.flag('tmpfs'),
    generatorHeapMb: args.number('generator-heap-mb', { small: 2_048, full: 8_192 }, { min: 512, max: 32_768 }),
  };
}

function generate(dataDir: string, settings: RecoverySettings, log: (line: string) => void): Promise<{ readonly ms: number; readonly output: string }> {
  const started = performance.now();
  const args = [`--max-old-space-size=${settings.generatorHeapMb}`, '--import', 'tsx', 'bench/history-generator.ts', '--data-dir', dataDir,
    ...(settings.seedScale ? ['--scale', 'seed'] : ['--calls', String(settings.calls)])];
  log(`generating ${settings.calls} calls: node ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repositoryDirectory, stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), generatorTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ms: Math.round(performance.now() - started), output: output.trim() });
      else reject(new Error(`history generator exited (code ${code}, signal ${signal}): ${output.slice(-500)}`));
    });
  });
}

function callBody(n: number, clinicId: string): { readonly [field: string]: unknown } {
  return {
    source: 'call_center', kind: 'primary', clinicId, externalId: `recovery-${n}`,
    patient: { policy: `4${String(n).padStart(15, '0')}`, surname: 'Восстанов', name: `Пациент-${n}`, birthDate: '1966-06-06', sex: n % 2 === 0 ? 'F' : 'M' },
    address: { text: 'г. Ярославль, ул. Свободы 1-я', house: String(1 + (n % 100)) },
    complaints: { text: 'кашель', tags: ['cough'] },
  };
}

async function postCall(server: ServerProcess, token: string, n: number, clinicId: string): Promise<string | undefined> {
  try {
    const answer = await httpJson('POST', `${server.baseUrl}/api/v1/calls`, token, callBody(n, clinicId));
    const id: unknown = typeof answer.body === 'object' && answer.body !== null ? Reflect.get(answer.body, 'id') : undefined;
    return answer.status === 201 && typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until /healthz answers 200; the time is from the server's spawn. */
async function untilHealthy(server: ServerProcess, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const response = await request(`${server.baseUrl}/healthz`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
      await response.body.text();
      if (response.statusCode === 200) return performance.now() - server.spawnedAtMs;
    } catch {
      // Not yet.
    }
    await new Promise((resolve) => setTimeout(resolve, healthPollIntervalMs));
  }
  throw new Error(`/healthz did not answer within ${timeoutMs} ms`);
}

function recoveryReportOf(server: ServerProcess): JsonValue {
  for (const line of server.lines()) {
    if (!line.includes('engine recovered')) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      const report: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'recovery') : undefined;
      return finite(report ?? null);
    } catch {
      return line;
    }
  }
  return null;
}

async function timedStart(dataDir: string, token: string, nodeArgs: readonly string[], probe: number, clinicId: string): Promise<{ server: ServerProcess; figures: { [key: string]: JsonValue } }> {
  const server = await startServerProcess({ dataDir, env: { LOG_LEVEL: 'info' }, nodeArgs, startTimeoutMs: 10 * 60_000 });
  const healthyAfterMs = await untilHealthy(server, 60_000);
  const acked = await postCall(server, token, probe, clinicId);
  const ackedAfterMs = performance.now() - server.spawnedAtMs;
  const sample = readProcessSample(server.pid);
  return {
    server,
    figures: {
      listeningAfterMs: Math.round(server.listeningAfterMs), healthzAfterMs: Math.round(healthyAfterMs),
      firstCommandAckedAfterMs: Math.round(ackedAfterMs), firstCommandAcked: acked !== undefined,
      rssMB: Math.round(sample.rssBytes / 1_048_576), rssPeakMB: Math.round(sample.rssPeakBytes / 1_048_576),
      recoveryReport: recoveryReportOf(server),
    },
  };
}

export async function runRecovery(context: ScenarioContext): Promise<ScenarioOutcome> {
  const settings = settingsOf(context);
  const storage = settings.tmpfs ? 'tmpfs' : 'disk';
  const notes = [`data directory on ${storage}`, 'times are from the spawn of the server process (node start and tsx compilation included)', loadAverageNote('at start')];
  const profile = serverProfile(context, 'recovery');
  const dataDir = makeBenchDataDir('recovery', storage);
  const figures: { [key: string]: JsonValue } = {};
  const clinicId = 'c1';
  let acknowledged: string[] = [];
  try {
    const generated = await generate(dataDir.path, settings, context.log);
    figures['generator'] = { ms: generated.ms, output: generated.output.split('\n').at(-1) ?? '' };
    const token = await issueAdminToken(dataDir.path);
    context.log('first start on the generated history (from its snapshot)');
    const first = await timedStart(dataDir.path, token, [], 1, clinicId);
    figures['firstStart'] = first.figures;
    context.log(`${settings.tailCommands} commands acknowledged after the snapshot, then kill -9 with ${settings.inFlightAtKill} in flight`);
    let next = 2;
    for (let start = 0; start < settings.tailCommands; start += tailConcurrencyMax) {
      const batch = Array.from({ length: Math.min(tailConcurrencyMax, settings.tailCommands - start) }, () => next++);
      const ids = await Promise.all(batch.map((n) => postCall(first.server, token, n, clinicId)));
      acknowledged.push(...ids.filter((id): id is string => id !== undefined));
    }
    const inFlight = Array.from({ length: settings.inFlightAtKill }, () => postCall(first.server, token, next++, clinicId));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await first.server.kill9();
    const lastAcked = (await Promise.all(inFlight)).filter((id): id is string => id !== undefined);
    acknowledged = [...acknowledged, ...lastAcked];
    context.log('restart after kill -9');
    const second = await timedStart(dataDir.path, token, profile.nodeArgs, next++, clinicId);
    figures['restartAfterKill9'] = second.figures;
    let missing = 0;
    const checked = acknowledged.slice(-ackedCheckedMax);
    for (const id of checked) {
      const answer = await httpJson('GET', `${second.server.baseUrl}/api/v1/calls/${encodeURIComponent(id)}`, token);
      if (answer.status !== 200) missing += 1;
    }
    figures['acknowledged'] = { tail: acknowledged.length - lastAcked.length, ackedWhileKilled: lastAcked.length, checked: checked.length, missingAfterRestart: missing };
    await second.server.stop();
  } finally {
    dataDir.remove();
  }
  notes.push(loadAverageNote('at end'));
  const restart = figures['restartAfterKill9'] as { readonly [key: string]: JsonValue } | undefined;
  const servingMs = Number(restart?.['firstCommandAckedAfterMs'] ?? Number.NaN);
  const missing = Number((figures['acknowledged'] as { readonly [key: string]: JsonValue } | undefined)?.['missingAfterRestart'] ?? -1);
  const checks: TargetCheck[] = [
    { target: `serving again (first command acknowledged) ≤ ${servingTargetSeconds} s after kill -9${settings.seedScale ? '' : ' (the target is for seed scale; this run is smaller)'}`, measured: `${round(servingMs / 1000, 2)} s`, met: servingMs <= servingTargetSeconds * 1000 },
    { target: 'every acknowledged command survives kill -9', measured: `${missing} missing`, met: missing === 0 },
  ];
  const headline = `${settings.calls} calls (${storage}): serving again ${round(servingMs / 1000, 2)} s after kill -9 ` +
    `(healthz ${round(Number(restart?.['healthzAfterMs'] ?? Number.NaN) / 1000, 2)} s), RSS ${String(restart?.['rssMB'] ?? '?')} MB; ${missing} acknowledged missing`;
  const files = writeResults({
    scenario: settings.tmpfs ? 'recovery-tmpfs' : 'recovery',
    ...(context.outputDir === undefined ? {} : { outputDir: context.outputDir }),
    commandLine: context.commandLine,
    parameters: { ...settings, storage, options: context.args.record() },
    figures: { targets: targetFigures(checks), ...figures }, notes, headline,
  });
  return { files: [files], summary: [headline, ...targetLines(checks)], profiles: profile.path === undefined ? [] : [profile.path] };
}
