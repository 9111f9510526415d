/**
 * Time-travel latency: `GET /api/v1/clinics/{id}/board?at=` and `/calls?at=` for instants 1 hour, 1 day and 30
 * days before the end of a generated history, answered by the real server (`gateway/main.ts` in its own process,
 * BENCH.md rule 6), and the command p99 while such queries run, side by side with the same load without them.
 *
 * Steps: generate the history into a fresh data directory (bench/history-generator.ts, which also writes the
 * time index at the simulated instants); start the server; wait until its time-travel worker has written its
 * checkpoints (every TIME_TRAVEL_CHECKPOINT_EVERY_EVENTS events); then, for each instant, `--queries` requests
 * taken round-robin across the instants (so each one replays from a checkpoint, not from the warm engine of the
 * last); then `--seconds` of open-loop RegisterCall at `--rate` without and with a time-travel query loop.
 *
 * Run: `node --max-old-space-size=8192 --import tsx bench/time-travel.ts --scale seed` (or `--calls 100000`).
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { LmdbEnvironment } from '../persistence/lmdb-environment.ts';
import { openLogForReading } from '../persistence/host-storage.ts';
import { SnapshotStore } from '../persistence/snapshot-store.ts';
import { checkpointDirectoryName } from '../workers/time-travel/time-travel-task.ts';
import { checkpointEveryEventsDefault } from '../gateway/time-travel/time-travel-extension.ts';
import { eventsPerEntry, generateIntoDataDir, seedScaleCalls } from './history-generator.ts';
import { createLatencyHistogram, recordLatencyMs } from './lib/histogram.ts';
import { runOpenLoop, summarize } from './lib/open-loop.ts';
import { writeResults } from './lib/results-writer.ts';
import { makeBenchDataDir } from './load/bench-data-dir.ts';
import { httpJson } from './load/http-json.ts';
import { issueAdminToken } from './load/prepare-region.ts';
import { killAllServers, startServerProcess } from './load/server-process.ts';
import { sampleRegisterCommand } from './lib/sample-call.ts';

const { values } = parseArgs({
  strict: true,
  options: {
    scale: { type: 'string', default: 'small' },
    calls: { type: 'string' },
    queries: { type: 'string', default: '20' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    'checkpoint-every-events': { type: 'string', default: String(checkpointEveryEventsDefault) },
    'checkpoint-wait-seconds': { type: 'string', default: '900' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const calls = values.calls !== undefined ? Number(values.calls) : values.scale === 'seed' ? seedScaleCalls : 50_000;
const clinics = values.scale === 'seed' ? 40 : 5;
const queriesPerInstant = Number(values.queries);
const ratePerSecond = Number(values.rate);
const loadSeconds = Number(values.seconds);
const checkpointEveryEvents = Number(values['checkpoint-every-events']);
const historyEndMs = Date.UTC(2026, 10, 20);
const backs = [{ name: '1h', ms: 3_600_000 }, { name: '1d', ms: 86_400_000 }, { name: '30d', ms: 30 * 86_400_000 }] as const;

const dataDir = makeBenchDataDir('time-travel', 'disk');
const figures: Record<string, number | string | boolean> = {};
const loadAverage = async (): Promise<string> => (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim();
try {
  const generateStarted = performance.now();
  const generated = await generateIntoDataDir(dataDir.path, { seed: 42, calls, clinics, doctorsPerClinic: 25, untilMs: historyEndMs }, false);
  figures['generator.ms'] = Math.round(performance.now() - generateStarted);
  figures['history.entries'] = generated.position;
  figures['history.events'] = generated.events;
  console.log(`generated ${generated.events} events in ${generated.position} entries (${figures['generator.ms']} ms)`);
  const token = await issueAdminToken(dataDir.path);
  const server = await startServerProcess({ dataDir: dataDir.path, env: { TIME_TRAVEL_CHECKPOINT_EVERY_EVENTS: String(checkpointEveryEvents), LOG_LEVEL: 'warn' } });
  figures['server.listeningAfterMs'] = Math.round(server.listeningAfterMs);
  console.log(`server listening after ${figures['server.listeningAfterMs']} ms`);

  // The checkpointer walks the whole history once; wait for its frontier to reach the end of the log.
  const checkpointStarted = performance.now();
  const lastPosition = generated.position;
  const entriesPerCheckpoint = Math.ceil(checkpointEveryEvents / eventsPerEntry);
  let newest = 0;
  let checkpoints = 0;
  while (performance.now() - checkpointStarted < Number(values['checkpoint-wait-seconds']) * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // Only once the worker has created the store: a read-only open of a missing environment fails.
    if (existsSync(join(dataDir.path, checkpointDirectoryName, 'data.mdb'))) {
      const history = LmdbEnvironment.open({ path: join(dataDir.path, checkpointDirectoryName), readOnly: true });
      try {
        const list = SnapshotStore.open(history).list();
        newest = list[0]?.position ?? 0;
        checkpoints = list.length;
      } catch {
        // The store's databases are not created yet.
      } finally {
        await history.close();
      }
    }
    console.log(`checkpoints: ${checkpoints}, newest at ${newest} of ${lastPosition}`);
    if (newest >= lastPosition - entriesPerCheckpoint - 1) break;
  }
  figures['checkpoints.count'] = checkpoints;
  figures['checkpoints.newestPosition'] = newest;
  figures['checkpoints.walkMs'] = Math.round(performance.now() - checkpointStarted);

  const environment = LmdbEnvironment.open({ path: dataDir.path, readOnly: true });
  const log = openLogForReading(dataDir.path, environment);
  figures['log.lastPosition'] = log.lastPosition();
  await environment.close();

  const clinicId = 'c1';
  const query = async (backMs: number, index: number): Promise<number> => {
    const at = encodeURIComponent(new Date(historyEndMs - backMs).toISOString());
    const path = index % 2 === 0 ? `/api/v1/clinics/${clinicId}/board?at=${at}` : `/api/v1/clinics/${clinicId}/calls?at=${at}`;
    const started = performance.now();
    const answer = await httpJson('GET', `${server.baseUrl}${path}`, token);
    if (answer.status !== 200) throw new Error(`time travel ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    return performance.now() - started;
  };
  const histograms = new Map(backs.map((back) => [back.name, createLatencyHistogram()]));
  for (const back of backs) await query(back.ms, 0);
  for (let round = 0; round < queriesPerInstant; round += 1) {
    for (const back of backs) recordLatencyMs(histograms.get(back.name) as ReturnType<typeof createLatencyHistogram>, await query(back.ms, round));
  }
  figures['loadavg.afterQueries'] = await loadAverage();

  // Command p99 without, then with, a time-travel query loop running.
  let n = 0;
  const send = async (): Promise<void> => {
    n += 1;
    const command = sampleRegisterCommand(n) as Extract<ReturnType<typeof sampleRegisterCommand>, { type: 'RegisterCall' }>;
    const answer = await httpJson('POST', `${server.baseUrl}/api/v1/calls`, token, { ...command.call, clinicId });
    if (answer.status !== 201 && answer.status !== 200 && answer.status !== 409) throw new Error(`register: ${answer.status}`);
  };
  const quiet = await runOpenLoop({ ratePerSecond, durationMs: loadSeconds * 1000, send });
  figures['loadavg.quiet'] = await loadAverage();
  let travelling = true;
  let travelQueries = 0;
  const travelLoop = (async () => {
    for (let i = 0; travelling; i += 1) {
      await query((backs[i % backs.length] as { ms: number }).ms, i);
      travelQueries += 1;
    }
  })();
  const busy = await runOpenLoop({ ratePerSecond, durationMs: loadSeconds * 1000, send });
  travelling = false;
  await travelLoop;
  figures['loadavg.withQueries'] = await loadAverage();
  figures['timeTravelQueriesDuringLoad'] = travelQueries;
  const quietSummary = summarize(quiet);
  const busySummary = summarize(busy);
  await server.stop();

  const files = writeResults({
    scenario: 'time-travel',
    parameters: { calls, clinics, queriesPerInstant, ratePerSecond, loadSeconds, checkpointEveryEvents, historyEnd: new Date(historyEndMs).toISOString(), scale: values.scale ?? 'small' },
    figures,
    series: [
      ...backs.map((back) => ({ name: `?at= ${back.name} back (board and calls, round-robin)`, role: 'ours' as const, histogram: histograms.get(back.name) as ReturnType<typeof createLatencyHistogram> })),
      { name: 'RegisterCall while ?at= queries run', role: 'ours' as const, histogram: busy.latency },
      { name: 'RegisterCall alone', role: 'floor' as const, histogram: quiet.latency },
    ],
    ratios: [{ name: 'RegisterCall p99 with time-travel queries running vs without', ours: busySummary.p99, reference: quietSummary.p99, referenceName: 'no queries', unit: 'ms' }],
    notes: [
      'The server is its own process; the load generator and the query loop share the machine (2 cores, shared with other sessions): see the load averages.',
      'Each round asks the three instants in turn, so every query moves the worker\'s engine from a checkpoint rather than replaying nothing.',
      'History generated with bench/history-generator.ts: one log entry per 2,000 events, so an entry spans hours of simulated time at seed density.',
    ],
    headline: backs.map((back) => `${back.name} p50 ${summarize(histograms.get(back.name) as ReturnType<typeof createLatencyHistogram>).p50.toFixed(0)} ms`).join(', ') + `; command p99 ${busySummary.p99.toFixed(1)} vs ${quietSummary.p99.toFixed(1)} ms`,
    ...(values.out === undefined ? {} : { outputDir: values.out }),
    commandLine: process.argv,
  });
  console.log(`results: ${files.markdownPath}`);
} finally {
  await killAllServers();
  if (!values.keep) dataDir.remove();
}
