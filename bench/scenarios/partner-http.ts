// partner-http (BENCH.md): HTTP throughput and latency of the partner API — create a call, search a patient's
// calls, list free slots, hold + book, call-out results — with the partner token of the bench region and the
// rate limit raised for the server under test (RATE_LIMIT_PER_SECOND). Per endpoint: autocannon, closed loop,
// for throughput (rule 8: autocannon is not an open model); then our open-loop driver at `--open-fraction` of
// that throughput for latency from the intended send time. Same run baseline: the conventional pg peer under
// the same autocannon load on the endpoints it has (create call, hold + book).

import { decodeHistogram, summarizeLatency } from '../lib/histogram.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import { writeResults } from '../lib/results-writer.ts';
import type { JsonValue, RatioInput, ResultSeries } from '../lib/results-writer.ts';
import { peerSlotId } from '../peer/pg-peer-schema.ts';
import { defaultDatabaseUrl } from '../peer/pg-peer-server.ts';
import pg from 'pg';
import { makeBenchDataDir } from '../load/bench-data-dir.ts';
import { benchClinicId } from '../load/bench-region.ts';
import { freeSlotIds, httpJson } from '../load/http-json.ts';
import { runCannon, runHttpOpenLoop } from '../load/http-load.ts';
import type { CannonAnswer } from '../load/http-load.ts';
import { PartnerRequests, partnerEndpoints } from '../load/partner-endpoints.ts';
import type { PartnerData, PartnerEndpoint } from '../load/partner-endpoints.ts';
import { prepareRegion } from '../load/prepare-region.ts';
import { startServerProcess } from '../load/server-process.ts';
import type { ServerProcess } from '../load/server-process.ts';
import {
  finite, latencyFigures, loadAverageNote, round, serverProfile, sharedMachineNote, targetLines, usageFigures,
} from './scenario-kit.ts';
import type { ScenarioContext, ScenarioOutcome } from './scenario-kit.ts';

export const slotsListedPerClinicMax = 9_999;
const peerEndpoints: readonly PartnerEndpoint[] = ['create-call', 'hold-book'];
/** Endpoints also driven against the bare uWS HTTP handler (bench/peer/uws-http-floor.ts), the network floor. */
const floorEndpoints: readonly PartnerEndpoint[] = ['create-call', 'hold-book'];

interface PartnerSettings {
  readonly clinics: number;
  readonly doctorsPerClinic: number;
  readonly connections: number;
  readonly seconds: number;
  readonly openSeconds: number;
  readonly openFraction: number;
  readonly openRateMax: number;
  readonly prebooked: number;
  readonly searchPatients: number;
  readonly timeoutMs: number;
  readonly tmpfs: boolean;
  readonly skipPeer: boolean;
  readonly skipFloor: boolean;
  readonly endpoints: readonly PartnerEndpoint[];
}

function settingsOf(context: ScenarioContext): PartnerSettings {
  const { args } = context;
  return {
    clinics: args.number('clinics', { small: 2, full: 30 }, { min: 1, max: 1_000 }),
    doctorsPerClinic: args.number('doctors-per-clinic', { small: 2, full: 8 }, { min: 1, max: 200 }),
    connections: args.number('connections', { small: 4, full: 50 }, { min: 1, max: 10_000 }),
    seconds: args.number('seconds', { small: 1, full: 10 }, { min: 1, max: 3_600 }),
    openSeconds: args.number('open-seconds', { small: 1, full: 10 }, { min: 1, max: 3_600 }),
    openFraction: args.number('open-fraction', { small: 0.5, full: 0.5 }, { min: 0.01, max: 10 }),
    openRateMax: args.number('open-rate-max', { small: 200, full: 3_000 }, { min: 1, max: 100_000 }),
    prebooked: args.number('prebooked', { small: 3, full: 100 }, { min: 1, max: 10_000 }),
    searchPatients: args.number('search-patients', { small: 5, full: 200 }, { min: 1, max: 100_000 }),
    timeoutMs: args.number('timeout-ms', { small: 10_000, full: 10_000 }, { min: 100, max: 120_000 }),
    tmpfs: args.flag('tmpfs'),
    skipPeer: args.flag('skip-peer'),
    skipFloor: args.flag('skip-floor'),
    endpoints: endpointsOf(args.text('endpoints', partnerEndpoints.join(','))),
  };
}

/** `--endpoints a,b`: a subset of the partner endpoints, in the scenario's order. */
function endpointsOf(list: string): PartnerEndpoint[] {
  const asked = list.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const unknown = asked.filter((entry) => !(partnerEndpoints as readonly string[]).includes(entry));
  if (asked.length === 0 || unknown.length > 0) throw new RangeError(`--endpoints: a comma-separated list of ${partnerEndpoints.join(', ')}`);
  return partnerEndpoints.filter((endpoint) => asked.includes(endpoint));
}

async function seedOurs(server: ServerProcess, token: string, settings: PartnerSettings): Promise<{ data: PartnerData; holdBookSlots: string[]; createReplyBytes: number }> {
  const clinicIds = Array.from({ length: settings.clinics }, (_, index) => benchClinicId(index + 1));
  const seeding = new PartnerRequests({ clinicIds, searchPolicies: [], slotIds: [], appointmentIds: [], tag: 99 });
  const searchPolicies: string[] = [];
  let createReplyBytes = 2;
  for (let index = 0; index < settings.searchPatients; index += 1) {
    const request = seeding.createCall();
    const created = await httpJson('POST', `${server.baseUrl}${request.path}`, token, JSON.parse(request.body ?? '{}'));
    if (created.status !== 201) throw new Error(`seeding a call: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
    createReplyBytes = Math.max(createReplyBytes, Buffer.byteLength(JSON.stringify(created.body)));
    const policy: unknown = Reflect.get(JSON.parse(request.body ?? '{}') as object, 'patient');
    searchPolicies.push(String(Reflect.get(policy as object, 'policy')));
  }
  const slots: string[] = [];
  for (const clinicId of clinicIds) slots.push(...(await freeSlotIds(server.baseUrl, token, clinicId, slotsListedPerClinicMax)));
  const appointmentIds: string[] = [];
  for (const slotId of slots.slice(0, settings.prebooked)) {
    const request = seeding.book(slotId, undefined);
    const booked = await httpJson('POST', `${server.baseUrl}${request.path}`, token, JSON.parse(request.body ?? '{}'));
    const id: unknown = typeof booked.body === 'object' && booked.body !== null ? Reflect.get(booked.body, 'id') : undefined;
    if (booked.status !== 201 || typeof id !== 'string') throw new Error(`pre-booking ${slotId}: ${booked.status} ${JSON.stringify(booked.body).slice(0, 300)}`);
    appointmentIds.push(id);
  }
  return { data: { clinicIds, searchPolicies, slotIds: [], appointmentIds, tag: 1 }, holdBookSlots: interleaveByDoctor(slots.slice(settings.prebooked)), createReplyBytes };
}

/**
 * Orders slots round robin over their doctors (a slot id is `<doctorId>.<date>.<time>`), so that the concurrent
 * holds of the one partner principal fall on different doctors: a holder may hold at most five slots of one
 * doctor at a time (engine/calendar/hold-decide.ts), and consecutive slots of one doctor would meet that bound.
 */
export function interleaveByDoctor(slots: readonly string[]): string[] {
  const byDoctor = new Map<string, string[]>();
  for (const slot of slots) {
    const doctor = slot.slice(0, slot.indexOf('.'));
    const list = byDoctor.get(doctor) ?? [];
    list.push(slot);
    byDoctor.set(doctor, list);
  }
  const lists = [...byDoctor.values()];
  const interleaved: string[] = [];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let index = 0; index < longest; index += 1) {
    for (const list of lists) {
      const slot = list[index];
      if (slot !== undefined) interleaved.push(slot);
    }
  }
  return interleaved;
}

function cannonFigures(answer: CannonAnswer, serverUsage: JsonValue): JsonValue {
  const { type: _type, usage, ...rest } = answer;
  return finite({ ...rest, generator: usageFigures(usage), server: serverUsage });
}

function ratioHeadline(ratios: readonly RatioInput[], referenceName: string): string {
  const rows = ratios.filter((ratio) => ratio.referenceName === referenceName);
  if (rows.length === 0) return '';
  return `; vs ${referenceName} ${rows.map((ratio) => `${ratio.name.split(' ')[0] ?? ''} ${round(ratio.ours / Math.max(1e-9, ratio.reference), 2)}×`).join(', ')}`;
}

function data0ClinicIds(settings: PartnerSettings): string[] {
  return Array.from({ length: settings.clinics }, (_, index) => benchClinicId(index + 1));
}

export async function runPartnerHttp(context: ScenarioContext): Promise<ScenarioOutcome> {
  const settings = settingsOf(context);
  const storage = settings.tmpfs ? 'tmpfs' : 'disk';
  const notes = [sharedMachineNote, `data directory on ${storage}`, 'autocannon is closed-loop: its req/s is capacity, its latency is not corrected for coordinated omission; the open-loop series are', loadAverageNote('at start')];
  const profile = serverProfile(context, 'partner-http');
  const dataDir = makeBenchDataDir('partner-http', storage);
  const figures: { [key: string]: JsonValue } = {};
  const series: ResultSeries[] = [];
  const ratios: RatioInput[] = [];
  const summary: string[] = [];
  const ourRates = new Map<PartnerEndpoint, number>();
  let createReplyBytes = 1000;
  try {
    const region = await prepareRegion(dataDir.path, { clinics: settings.clinics, doctorsPerClinic: settings.doctorsPerClinic, operators: 0 });
    const server = await startServerProcess({ dataDir: dataDir.path, nodeArgs: profile.nodeArgs });
    const token = region.tokens.partner;
    const seeded = await seedOurs(server, token, settings);
    const { data, holdBookSlots } = seeded;
    createReplyBytes = seeded.createReplyBytes;
    const half = Math.floor(holdBookSlots.length / 2);
    for (const endpoint of settings.endpoints) {
      const cannonData: PartnerData = { ...data, slotIds: holdBookSlots.slice(0, half), tag: 10 };
      const openData: PartnerData = { ...data, slotIds: holdBookSlots.slice(half), tag: 20 };
      context.log(`ours ${endpoint}: autocannon ${settings.connections} connections for ${settings.seconds} s`);
      const cannonMeter = startProcessMeter(server.pid);
      const cannon = await runCannon({ baseUrl: server.baseUrl, token, connections: settings.connections, seconds: settings.seconds, endpoint, data: cannonData });
      const cannonServer = cannonMeter.stop();
      const perAttempt = endpoint === 'hold-book' ? 2 : 1;
      const attemptsPerSecond = (cannon.requestsPerSecond['average'] ?? 0) / perAttempt;
      ourRates.set(endpoint, cannon.requestsPerSecond['average'] ?? 0);
      const openRate = Math.max(1, Math.min(settings.openRateMax, round(attemptsPerSecond * settings.openFraction, 1)));
      context.log(`ours ${endpoint}: open loop at ${openRate}/s for ${settings.openSeconds} s`);
      const openMeter = startProcessMeter(server.pid);
      const open = await runHttpOpenLoop({ baseUrl: server.baseUrl, token, endpoint, ratePerSecond: openRate, seconds: settings.openSeconds, timeoutMs: settings.timeoutMs, data: openData });
      const openServer = openMeter.stop();
      const histogram = decodeHistogram(open.histogramBase64);
      series.push({ name: `${endpoint} (open loop)`, role: 'ours', histogram });
      figures[endpoint] = {
        autocannon: cannonFigures(cannon, usageFigures(cannonServer)),
        openLoop: finite({ ratePerSecond: openRate, counts: open.counts, statusCodes: open.statusCodes, sendLagMaxMs: open.sendLagMaxMs,
          latency: latencyFigures(histogram), generator: usageFigures(open.usage), server: usageFigures(openServer) }),
      };
      summary.push(`${endpoint}: ${Math.round(cannon.requestsPerSecond['average'] ?? 0)} req/s (autocannon, ${cannon.non2xx} non-2xx, ${cannon.errors} errors); ` +
        `open loop at ${openRate}/s p50 ${summarizeLatency(histogram).p50} / p99 ${summarizeLatency(histogram).p99} ms`);
    }
    await server.stop();
  } finally {
    dataDir.remove();
  }
  if (!settings.skipPeer) {
    const schema = `bench_partner_${process.pid}`;
    const slotsPerDoctor = 240;
    const peer = await startServerProcess({
      dataDir: '', script: {
        path: 'bench/peer/pg-peer-server.ts',
        args: ['--port', '0', '--reset', '--schema', schema, '--clinics', String(settings.clinics), '--doctors-per-clinic', String(settings.doctorsPerClinic),
          '--slots-per-doctor', String(slotsPerDoctor), '--patients', '1000'],
      },
    });
    try {
      const slotIds: string[] = [];
      for (let slot = 1; slot <= slotsPerDoctor; slot += 1) {
        for (let clinic = 1; clinic <= settings.clinics; clinic += 1) {
          for (let doctor = 1; doctor <= settings.doctorsPerClinic; doctor += 1) slotIds.push(peerSlotId(clinic, doctor, slot));
        }
      }
      const clinicIds = Array.from({ length: settings.clinics }, (_, index) => `c${index + 1}`);
      for (const endpoint of peerEndpoints.filter((candidate) => settings.endpoints.includes(candidate))) {
        context.log(`pg peer ${endpoint}: autocannon ${settings.connections} connections for ${settings.seconds} s`);
        const meter = startProcessMeter(peer.pid);
        const cannon = await runCannon({ baseUrl: peer.baseUrl, token: 'none', connections: settings.connections, seconds: settings.seconds, endpoint,
          data: { clinicIds, searchPolicies: [], slotIds, appointmentIds: [], tag: 30 } });
        const peerRate = cannon.requestsPerSecond['average'] ?? 0;
        figures[`peer ${endpoint}`] = cannonFigures(cannon, usageFigures(meter.stop()));
        ratios.push({ name: `${endpoint} req/s (autocannon), ours ÷ pg peer`, ours: round(ourRates.get(endpoint) ?? 0, 1), reference: round(peerRate, 1), referenceName: 'pg peer', unit: 'req/s' });
        summary.push(`pg peer ${endpoint}: ${Math.round(peerRate)} req/s (${cannon.non2xx} non-2xx, ${cannon.errors} errors)`);
      }
      await peer.stop();
    } finally {
      const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'] ?? defaultDatabaseUrl, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await pool.end();
    }
  }
  if (!settings.skipFloor) {
    // The same autocannon client against a bare uWS handler answering replies of our create-call size.
    const floor = await startServerProcess({ dataDir: '', script: { path: 'bench/peer/uws-http-floor.ts', args: ['--port', '0', '--reply-bytes', String(createReplyBytes)] } });
    try {
      const slotIds = Array.from({ length: 100_000 }, (_, index) => `floor-d${index % 97}.2026-01-01.${index}`);
      for (const endpoint of floorEndpoints.filter((candidate) => settings.endpoints.includes(candidate))) {
        context.log(`bare uWS floor ${endpoint}: autocannon ${settings.connections} connections for ${settings.seconds} s`);
        const meter = startProcessMeter(floor.pid);
        const cannon = await runCannon({ baseUrl: floor.baseUrl, token: 'none', connections: settings.connections, seconds: settings.seconds, endpoint,
          data: { clinicIds: data0ClinicIds(settings), searchPolicies: [], slotIds, appointmentIds: [], tag: 40 } });
        const floorRate = cannon.requestsPerSecond['average'] ?? 0;
        figures[`floor ${endpoint}`] = cannonFigures(cannon, usageFigures(meter.stop()));
        ratios.push({ name: `${endpoint} req/s (autocannon), ours ÷ bare uWS handler`, ours: round(ourRates.get(endpoint) ?? 0, 1), reference: round(floorRate, 1), referenceName: 'bare uWS handler', unit: 'req/s' });
        summary.push(`bare uWS handler ${endpoint}: ${Math.round(floorRate)} req/s (replies of ${createReplyBytes} bytes; ${cannon.non2xx} non-2xx, ${cannon.errors} errors)`);
      }
      await floor.stop();
    } finally {
      await floor.kill9().catch(() => undefined);
    }
  }
  notes.push(loadAverageNote('at end'));
  const headline = settings.endpoints.map((endpoint) => `${endpoint} ${Math.round(ourRates.get(endpoint) ?? 0)}/s`).join(', ') +
    ` (autocannon, ${settings.connections} connections)` + ratioHeadline(ratios, 'pg peer') + ratioHeadline(ratios, 'bare uWS handler');
  const files = writeResults({
    scenario: 'partner-http',
    ...(context.outputDir === undefined ? {} : { outputDir: context.outputDir }),
    commandLine: context.commandLine,
    parameters: { ...settings, storage, options: context.args.record() },
    figures, series, ratios, notes, headline,
  });
  return { files: [files], summary: [headline, ...summary, ...targetLines([])], profiles: profile.path === undefined ? [] : [profile.path] };
}
