// booking-storm (BENCH.md): thousands of clients racing for the same few slots; throughput under contention,
// and zero double bookings. Ours and the conventional peer (bench/peer/pg-peer-server.ts: node:http, a
// Postgres transaction per request, SELECT … FOR UPDATE on the slot row) in the same run, each as its own
// process, driven by the same clients over HTTP (hold, then book with the hold).
//
// Phases per system, each on its own slice of slots so no phase races for slots an earlier one booked:
// a warm-up; saturation (every client a closed loop: capacity, in decided requests per second — a 201 or a
// 409 is a decision, an error is not); then, for both, an open-loop phase at the same arrival rate
// (`--open-fraction` of the peer's saturation rate) for latency from the intended start time (rule 2).
// Afterwards the double-booking check: every booking a client won is counted per slot, and checked on the
// server — ours through GET /api/v1/slots (booked slots) and GET /api/v1/appointments/:id, the peer in SQL.
// Targets (reported): zero double bookings; throughput ≥ 10× the peer.

import pg from 'pg';
import { summarizeLatency } from '../lib/histogram.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import type { ProcessMeter, ProcessUsage } from '../lib/process-stats.ts';
import { writeResults } from '../lib/results-writer.ts';
import type { JsonValue, RatioInput } from '../lib/results-writer.ts';
import { peerSlotId } from '../peer/pg-peer-schema.ts';
import { defaultDatabaseUrl } from '../peer/pg-peer-server.ts';
import { makeBenchDataDir } from '../load/bench-data-dir.ts';
import { BookingLoad } from '../load/booking-load.ts';
import type { BookingPhaseResult } from '../load/booking-load.ts';
import { freeSlotIds, httpJson } from '../load/http-json.ts';
import { startNamedProcessesMeter, startPidsMeter } from '../load/process-group-meter.ts';
import type { ProcessGroupMeter, ProcessGroupUsage } from '../load/process-group-meter.ts';
import { prepareRegion } from '../load/prepare-region.ts';
import { startServerProcess } from '../load/server-process.ts';
import type { ServerProcess } from '../load/server-process.ts';
import {
  finite, latencyFigures, loadAverageNote, round, serverProfile, sharedMachineNote, targetFigures, targetLines, usageFigures,
} from './scenario-kit.ts';
import type { ScenarioContext, ScenarioOutcome, TargetCheck } from './scenario-kit.ts';

export const throughputRatioTarget = 10;
export const slotsListedMax = 9_999;
const phaseNames = ['warm-up', 'saturation', 'open loop'] as const;

interface StormSettings {
  readonly clients: number;
  readonly hot: number;
  readonly windowMs: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly openSeconds: number;
  readonly openFraction: number;
  readonly workers: number;
  readonly doctorsPerClinic: number;
  readonly peerPoolSize: number;
  readonly timeoutMs: number;
  readonly tmpfs: boolean;
}

function settingsOf(context: ScenarioContext): StormSettings {
  const { args } = context;
  return {
    clients: args.number('clients', { small: 20, full: 2_000 }, { min: 2, max: 20_000 }),
    hot: args.number('hot-slots', { small: 2, full: 5 }, { min: 1, max: 1_000 }),
    windowMs: args.number('window-ms', { small: 200, full: 250 }, { min: 10, max: 60_000 }),
    warmupSeconds: args.number('warmup-seconds', { small: 0.5, full: 3 }, { min: 0.1, max: 600 }),
    seconds: args.number('seconds', { small: 1.5, full: 15 }, { min: 0.5, max: 3_600 }),
    openSeconds: args.number('open-seconds', { small: 1.5, full: 15 }, { min: 0.5, max: 3_600 }),
    openFraction: args.number('open-fraction', { small: 0.5, full: 0.5 }, { min: 0.01, max: 10 }),
    workers: args.number('workers', { small: 1, full: 2 }, { min: 1, max: 16 }),
    doctorsPerClinic: args.number('doctors-per-clinic', { small: 4, full: 8 }, { min: 1, max: 200 }),
    peerPoolSize: args.number('peer-pool-size', { small: 10, full: 10 }, { min: 1, max: 90 }),
    timeoutMs: args.number('timeout-ms', { small: 10_000, full: 10_000 }, { min: 100, max: 120_000 }),
    tmpfs: args.flag('tmpfs'),
  };
}

/** Splits the slot list into one slice per phase, so each phase races for slots nobody has booked yet. */
function slices(slots: readonly string[]): Array<readonly string[]> {
  const size = Math.floor(slots.length / phaseNames.length);
  return phaseNames.map((_, index) => slots.slice(index * size, (index + 1) * size));
}

interface SystemRun {
  readonly name: string;
  readonly warmup: BookingPhaseResult;
  readonly saturation: BookingPhaseResult;
  readonly serverUsage: ProcessUsage;
  /** Every postgres process on the machine (other users' included) and the peer's own backends. */
  readonly postgresUsage: ProcessGroupUsage | undefined;
  readonly backendUsage: ProcessGroupUsage | undefined;
  open: BookingPhaseResult | undefined;
  openServerUsage: ProcessUsage | undefined;
  readonly load: BookingLoad;
  readonly server: ServerProcess;
  readonly slices: ReadonlyArray<readonly string[]>;
}

/** The pids of the Postgres backends whose application_name is `applicationName` (the peer's pool). */
async function backendPids(applicationName: string): Promise<number[]> {
  const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'] ?? defaultDatabaseUrl, max: 1 });
  try {
    const result = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return result.rows.map((row) => Number(row.pid));
  } finally {
    await pool.end();
  }
}

/** The peer's database URL with an application_name, so its backends can be told apart from other users'. */
export function peerDatabaseUrl(applicationName: string): string {
  const base = process.env['DATABASE_URL'] ?? defaultDatabaseUrl;
  return `${base}${base.includes('?') ? '&' : '?'}application_name=${applicationName}`;
}

async function drive(name: string, server: ServerProcess, tokens: readonly string[], slots: readonly string[], settings: StormSettings,
  log: (line: string) => void, peerApplicationName: string | undefined): Promise<SystemRun> {
  const load = await BookingLoad.start(server.baseUrl, tokens, settings.clients, settings.workers);
  const parts = slices(slots);
  const window = (index: number): { slots: readonly string[]; hot: number; windowMs: number } => ({ slots: parts[index] ?? [], hot: settings.hot, windowMs: settings.windowMs });
  log(`${name}: warm-up ${settings.warmupSeconds} s, then saturation ${settings.seconds} s with ${settings.clients} clients on ${settings.hot} hot slots per ${settings.windowMs} ms`);
  const warmup = await load.saturate(window(0), settings.warmupSeconds * 1000, settings.timeoutMs);
  const backends = peerApplicationName === undefined ? [] : await backendPids(peerApplicationName);
  let meter: ProcessMeter | undefined;
  let postgres: ProcessGroupMeter | undefined;
  let backendMeter: ProcessGroupMeter | undefined;
  const saturation = await load.saturate(window(1), settings.seconds * 1000, settings.timeoutMs, () => {
    meter = startProcessMeter(server.pid);
    postgres = peerApplicationName === undefined ? undefined : startNamedProcessesMeter('postgres');
    backendMeter = peerApplicationName === undefined ? undefined : startPidsMeter(`postgres backends of ${peerApplicationName}`, backends);
  });
  const serverUsage = meter?.stop();
  if (serverUsage === undefined) throw new Error('booking storm: the saturation phase ended before it started');
  return {
    name, warmup, saturation, serverUsage, postgresUsage: postgres?.stop(), backendUsage: backendMeter?.stop(), open: undefined, openServerUsage: undefined,
    load, server, slices: parts,
  };
}

function decidedPerSecond(phase: BookingPhaseResult): number {
  return phase.elapsedMs > 0 ? round(phase.decidedRequests / (phase.elapsedMs / 1000), 1) : 0;
}

function attemptsPerSecond(phase: BookingPhaseResult): number {
  return phase.elapsedMs > 0 ? round(phase.attempts / (phase.elapsedMs / 1000), 1) : 0;
}

function doubleBookedSlots(runs: readonly BookingPhaseResult[]): { readonly won: number; readonly slots: number; readonly doubleBooked: number } {
  const perSlot = new Map<string, number>();
  let won = 0;
  for (const run of runs) {
    for (const [slotId] of run.successes) {
      won += 1;
      perSlot.set(slotId, (perSlot.get(slotId) ?? 0) + 1);
    }
  }
  return { won, slots: perSlot.size, doubleBooked: [...perSlot.values()].filter((count) => count > 1).length };
}

async function verifyOurs(server: ServerProcess, adminToken: string, runs: readonly BookingPhaseResult[]): Promise<{ [key: string]: JsonValue }> {
  const booked = await httpJson('GET', `${server.baseUrl}/api/v1/slots?clinicId=c1&status=booked&limit=${slotsListedMax}`, adminToken);
  const bookedSlots = new Set(Array.isArray(booked.body) ? (booked.body as readonly unknown[]).map((slot) => String(typeof slot === 'object' && slot !== null ? Reflect.get(slot, 'id') : '')) : []);
  let appointmentsChecked = 0;
  let appointmentsMismatched = 0;
  let wonButNotBooked = 0;
  for (const run of runs) {
    for (const [slotId, appointmentId] of run.successes) {
      if (!bookedSlots.has(slotId)) wonButNotBooked += 1;
      const appointment = await httpJson('GET', `${server.baseUrl}/api/v1/appointments/${encodeURIComponent(appointmentId)}`, adminToken);
      appointmentsChecked += 1;
      const body = appointment.body;
      const matches = appointment.status === 200 && typeof body === 'object' && body !== null && Reflect.get(body, 'slotId') === slotId &&
        Reflect.get(body, 'status') === 'booked';
      if (!matches) appointmentsMismatched += 1;
    }
  }
  return { bookedSlotsOnServer: bookedSlots.size, appointmentsChecked, appointmentsMismatched, wonButNotBooked };
}

async function verifyPeer(schema: string): Promise<{ [key: string]: JsonValue }> {
  const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'] ?? defaultDatabaseUrl, max: 1 });
  try {
    const doubles = await pool.query<{ slots: string }>(`SELECT count(*)::text AS slots FROM (SELECT slot_id FROM ${schema}.appointments GROUP BY slot_id HAVING count(*) > 1) d`);
    const totals = await pool.query<{ appointments: string; booked: string }>(
      `SELECT (SELECT count(*) FROM ${schema}.appointments)::text AS appointments, (SELECT count(*) FROM ${schema}.slots WHERE status = 'booked')::text AS booked`);
    return {
      slotsWithTwoOrMoreAppointments: Number(doubles.rows[0]?.slots ?? -1),
      appointmentsInDatabase: Number(totals.rows[0]?.appointments ?? -1),
      bookedSlotsInDatabase: Number(totals.rows[0]?.booked ?? -1),
    };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

function phaseFigures(phase: BookingPhaseResult | undefined): JsonValue {
  if (phase === undefined) return null;
  const { successes: _successes, latency, generatorUsage, ...rest } = phase;
  return finite({
    ...rest, decidedRequestsPerSecond: decidedPerSecond(phase), attemptsPerSecond: attemptsPerSecond(phase),
    latency: latencyFigures(latency), generators: generatorUsage.map((usage) => usageFigures(usage)),
  });
}

export async function runBookingStorm(context: ScenarioContext): Promise<ScenarioOutcome> {
  const settings = settingsOf(context);
  const storage = settings.tmpfs ? 'tmpfs' : 'disk';
  const notes = [sharedMachineNote, `our data directory on ${storage}; the peer's Postgres on this machine's disk (synchronous_commit as configured)`,
    loadAverageNote('at start')];
  const profile = serverProfile(context, 'booking-storm');
  const dataDir = makeBenchDataDir('booking-storm', storage);
  const schema = `bench_storm_${process.pid}`;
  let ours: SystemRun | undefined;
  let peer: SystemRun | undefined;
  let oursVerification: { [key: string]: JsonValue } = {};
  let peerVerification: { [key: string]: JsonValue } = {};
  try {
    context.log(`preparing our region and ${settings.clients} client tokens`);
    const region = await prepareRegion(dataDir.path, { clinics: 1, doctorsPerClinic: settings.doctorsPerClinic, operators: settings.clients });
    const ourServer = await startServerProcess({ dataDir: dataDir.path, nodeArgs: profile.nodeArgs });
    const ourSlots = await freeSlotIds(ourServer.baseUrl, region.tokens.admin, 'c1', slotsListedMax);
    const slotsPerDoctor = Math.max(48, Math.ceil(ourSlots.length / settings.doctorsPerClinic));
    context.log(`starting the pg peer (schema ${schema}, ${settings.doctorsPerClinic} × ${slotsPerDoctor} slots, pool ${settings.peerPoolSize})`);
    const peerServer = await startServerProcess({
      dataDir: '', env: { DATABASE_URL: peerDatabaseUrl(schema) }, script: {
        path: 'bench/peer/pg-peer-server.ts',
        args: ['--port', '0', '--reset', '--schema', schema, '--clinics', '1', '--doctors-per-clinic', String(settings.doctorsPerClinic),
          '--slots-per-doctor', String(slotsPerDoctor), '--patients', '1000', '--pool-size', String(settings.peerPoolSize)],
      },
    });
    const peerSlots: string[] = [];
    for (let slot = 1; slot <= slotsPerDoctor; slot += 1) {
      for (let doctor = 1; doctor <= settings.doctorsPerClinic; doctor += 1) peerSlots.push(peerSlotId(1, doctor, slot));
    }
    ours = await drive('ours', ourServer, region.tokens.operators.map((operator) => operator.token), ourSlots, settings, context.log, undefined);
    peer = await drive('pg peer', peerServer, [], peerSlots, settings, context.log, schema);
    const openRate = Math.max(1, round(attemptsPerSecond(peer.saturation) * settings.openFraction, 1));
    for (const run of [ours, peer]) {
      context.log(`${run.name}: open loop at ${openRate} attempts/s for ${settings.openSeconds} s`);
      let meter: ProcessMeter | undefined;
      run.open = await run.load.open({ slots: run.slices[2] ?? [], hot: settings.hot, windowMs: settings.windowMs }, openRate, settings.openSeconds * 1000,
        settings.timeoutMs, () => {
          meter = startProcessMeter(run.server.pid);
        });
      run.openServerUsage = meter?.stop();
    }
    oursVerification = await verifyOurs(ourServer, region.tokens.admin, [ours.warmup, ours.saturation, ...(ours.open === undefined ? [] : [ours.open])]);
    await ours.load.close();
    await peer.load.close();
    await ourServer.stop();
    await peerServer.stop();
  } finally {
    await ours?.load.close();
    await peer?.load.close();
    peerVerification = await verifyPeer(schema).catch((error: unknown) => ({ error: String(error) }));
    dataDir.remove();
  }
  notes.push(loadAverageNote('at end'));
  const oursPhases = [ours.warmup, ours.saturation, ...(ours.open === undefined ? [] : [ours.open])];
  const peerPhases = [peer.warmup, peer.saturation, ...(peer.open === undefined ? [] : [peer.open])];
  const oursDoubles = doubleBookedSlots(oursPhases);
  const peerDoubles = doubleBookedSlots(peerPhases);
  const oursRate = decidedPerSecond(ours.saturation);
  const peerRate = decidedPerSecond(peer.saturation);
  const ratio = peerRate > 0 ? round(oursRate / peerRate, 2) : Number.POSITIVE_INFINITY;
  const serverDoubles = Number(peerVerification['slotsWithTwoOrMoreAppointments'] ?? 0);
  const oursServerProblems = Number(oursVerification['appointmentsMismatched'] ?? 0) + Number(oursVerification['wonButNotBooked'] ?? 0) +
    Math.abs(Number(oursVerification['bookedSlotsOnServer'] ?? 0) - oursDoubles.slots);
  const checks: TargetCheck[] = [
    { target: 'zero double bookings (ours)', measured: `${oursDoubles.doubleBooked} slots won twice by clients; ${oursDoubles.won} bookings on ${oursDoubles.slots} slots; server check problems ${oursServerProblems}`, met: oursDoubles.doubleBooked === 0 && oursServerProblems === 0 },
    { target: 'zero double bookings (pg peer)', measured: `${peerDoubles.doubleBooked} slots won twice by clients; ${serverDoubles} slots with 2+ appointments in SQL`, met: peerDoubles.doubleBooked === 0 && serverDoubles === 0 },
    { target: `throughput ≥ ${throughputRatioTarget}× the peer (decided requests/s at saturation)`, measured: `${oursRate}/s vs ${peerRate}/s = ${ratio}×`, met: ratio >= throughputRatioTarget },
  ];
  const cpuSeconds = (usage: ProcessUsage): number => (usage.cpuUserMs + usage.cpuSystemMs) / 1000;
  const oursPerCpu = round(ours.saturation.decidedRequests / Math.max(1e-9, cpuSeconds(ours.serverUsage)), 1);
  const peerCpuSeconds = cpuSeconds(peer.serverUsage) + (peer.backendUsage?.cpuMs ?? 0) / 1000;
  const peerPerCpu = round(peer.saturation.decidedRequests / Math.max(1e-9, peerCpuSeconds), 1);
  const ratios: RatioInput[] = [
    { name: 'decided requests per server CPU-second at saturation, ours ÷ pg peer (its Node process + its Postgres backends)', ours: oursPerCpu, reference: peerPerCpu, referenceName: 'pg peer', unit: 'req/CPU-s' },
    { name: 'decided requests/s at saturation, ours ÷ pg peer', ours: oursRate, reference: peerRate, referenceName: 'pg peer', unit: 'req/s' },
    { name: 'booking attempts/s at saturation, ours ÷ pg peer', ours: attemptsPerSecond(ours.saturation), reference: attemptsPerSecond(peer.saturation), referenceName: 'pg peer', unit: 'attempts/s' },
  ];
  const series = [
    ...(ours.open === undefined ? [] : [{ name: 'ours, open loop (hold + book)', role: 'ours' as const, histogram: ours.open.latency }]),
    ...(peer.open === undefined ? [] : [{ name: 'pg peer, open loop (hold + book)', role: 'baseline' as const, histogram: peer.open.latency }]),
  ];
  const headline = `${settings.clients} clients on ${settings.hot} hot slots: ours ${oursRate} decided req/s vs pg peer ${peerRate} (${ratio}×; per CPU-second ${round(oursPerCpu / Math.max(1e-9, peerPerCpu), 2)}×); ` +
    `double bookings ours ${oursDoubles.doubleBooked}, peer ${peerDoubles.doubleBooked}; open-loop p99 ours ${ours.open === undefined ? '?' : summarizeLatency(ours.open.latency).p99} ms vs peer ` +
    `${peer.open === undefined ? '?' : summarizeLatency(peer.open.latency).p99} ms`;
  const files = writeResults({
    scenario: 'booking-storm',
    ...(context.outputDir === undefined ? {} : { outputDir: context.outputDir }),
    commandLine: context.commandLine,
    parameters: { ...settings, storage, options: context.args.record() },
    figures: {
      targets: targetFigures(checks),
      ours: {
        warmup: phaseFigures(ours.warmup), saturation: phaseFigures(ours.saturation), open: phaseFigures(ours.open),
        serverAtSaturation: usageFigures(ours.serverUsage), serverAtOpenLoop: usageFigures(ours.openServerUsage),
        clientsDoubleBookingCheck: oursDoubles, serverCheck: oursVerification,
      },
      peer: {
        warmup: phaseFigures(peer.warmup), saturation: phaseFigures(peer.saturation), open: phaseFigures(peer.open),
        serverAtSaturation: usageFigures(peer.serverUsage), serverAtOpenLoop: usageFigures(peer.openServerUsage),
        postgresAllProcessesAtSaturation: finite(peer.postgresUsage ?? null),
        postgresPeerBackendsAtSaturation: finite(peer.backendUsage ?? null),
        clientsDoubleBookingCheck: peerDoubles, serverCheck: peerVerification,
      },
    },
    series, ratios, notes: [...notes, 'the peer\'s CPU per request counts its Node process and its own Postgres backends (found by application_name); ' +
      'postgresAllProcessesAtSaturation counts every postgres process on the machine, other users\' included'], headline,
  });
  return { files: [files], summary: [headline, ...targetLines(checks)], profiles: profile.path === undefined ? [] : [profile.path] };
}
