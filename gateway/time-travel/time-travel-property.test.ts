/**
 * Time travel, property-style: seeded random command sequences (calls registered, accepted, assigned,
 * completed, cancelled; SLA timers firing) on a controlled clock, then random instants asked through the HTTP
 * routes with `?at=`. Each answer must equal the state of an engine replayed, independently, to the last log
 * position the test itself saw durable at or before that instant — a fresh engine reading the log from the
 * start, with no snapshot, no checkpoint and no time index. The server runs with small checkpoint and snapshot
 * intervals so replays start from checkpoints, recovery snapshots, the warm engine and zero.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { clinicBoard, createEngine, listCalls, ReadModel, type HomeCall, type RegisterCallInput } from '../../engine/index.ts';
import { demoRegionCommands } from '../../engine/demo-region.ts';
import { localDate } from '../../engine/domain/local-time.ts';
import { Prng } from '../../engine/simulation/prng.ts';
import { EngineHost, isIdempotencyRecord } from '../../persistence/engine-host.ts';
import { startGateway } from '../server.ts';
import { call } from '../test-server.ts';
import { callWire } from '../views.ts';
import { createTimeTravelExtension } from './time-travel-extension.ts';
import { LmdbEnvironment } from '../../persistence/lmdb-environment.ts';
import { SnapshotStore } from '../../persistence/snapshot-store.ts';
import { checkpointDirectoryName } from '../../workers/time-travel/time-travel-task.ts';


export const stepsCount = 70;
export const instantsCount = 16;
const clinics = ['gp1', 'gp2'] as const;

function intake(n: number, clinicId: string): RegisterCallInput {
  return {
    source: 'call_center', kind: 'primary', clinicId,
    patient: { surname: 'Времяпутова', name: `Пациентка${n}`, birthDate: '1971-02-03', sex: 'F', policy: String(5500000000000000 + n), phone: '+79125550000' },
    address: { text: clinicId === 'gp1' ? 'г. Ярославль, ул. Свободы' : 'г. Ярославль, ул. Чкалова', house: String(1 + (n % 50)) },
    complaints: { text: 'температура' },
  };
}

/** The oracle: a fresh engine replaying the log from its first entry up to `position`, nothing else. */
function replayTo(host: EngineHost, position: number): ReadModel {
  const engine = createEngine({ next: () => { throw new Error('the oracle never decides'); } });
  for (const entry of host.log.read(1)) {
    if (entry.position > position) break;
    for (const record of entry.records) if (!isIdempotencyRecord(record)) engine.apply(record);
  }
  return new ReadModel(engine, host.archive);
}

t.test('?at= answers equal an independent replay to the last event at or before the instant', async (tap) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-tt-'));
  const clock = { t: Date.parse('2026-03-02T05:00:00Z'), now(): number { return this.t; } };
  let counter = 0;
  const host = await EngineHost.open({ dataDir, clock, ids: { next: () => `tt${(counter += 1).toString(36)}` }, snapshotEveryEvents: 60 });
  const timeTravel = createTimeTravelExtension({ checkpointEveryEvents: 25, checkpointsMax: 1_000, resolutionMs: 1, threads: 1, taskTimeoutMs: 120_000, workerHeapMbMax: 512, nice: 10 });
  const gateway = await startGateway({ host, clock, logger: pino({ level: 'silent' }), port: 0, requestsPerSecond: 100_000, burst: 100_000, extensions: [timeTravel] });
  tap.teardown(async () => {
    await gateway.close();
    await host.close({ snapshot: false });
    rmSync(dataDir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${gateway.port}`;
  const { token } = await gateway.tokens.issue('admin', { kind: 'region' }, 'time travel test', clock.now());
  for (const command of demoRegionCommands(4)) tap.ok((await host.submit(command, 'admin:test')).ok, `directory ${command.type}`);

  // The test's own record of what was durable when: [instant, position], in order.
  const timeline: Array<{ atMs: number; position: number }> = [];
  const note = async (): Promise<void> => {
    await host.whenDurable();
    timeline.push({ atMs: clock.now(), position: host.durablePosition });
  };
  await note();
  const prng = new Prng(19);
  const open = new Map<string, string>();
  for (let step = 0; step < stepsCount; step += 1) {
    await note();
    clock.t += prng.int(1, 40) * 60_000;
    await host.advanceTime();
    const clinicId = prng.pick(clinics);
    const ofClinic = [...open.entries()].filter(([, c]) => c === clinicId).map(([id]) => id);
    const action = ofClinic.length === 0 ? 0 : prng.int(0, 4);
    const callId = ofClinic.length === 0 ? undefined : prng.pick(ofClinic);
    const live = callId === undefined ? undefined : host.read.call(callId);
    if (action === 0 || live === undefined) {
      const outcome = await host.submit({ type: 'RegisterCall', call: intake(step, clinicId) }, 'partner:test');
      if (outcome.ok) open.set(String(outcome.reply['id']), clinicId);
    } else if (live.status === 'received') {
      await host.submit({ type: 'AcceptCall', callId: live.id }, 'operator:test');
    } else if (live.status === 'new' && action <= 3) {
      await host.submit({ type: 'AssignCall', callId: live.id, doctorId: `${clinicId}-d${prng.int(1, 4)}`, visitDate: localDate(clock.now(), 'Europe/Moscow') }, 'operator:test');
    } else if (live.status === 'assigned' && action <= 3) {
      await host.submit({ type: 'CompleteCall', callId: live.id }, 'doctor:test');
      open.delete(live.id);
    } else {
      await host.submit({ type: 'CancelCall', callId: live.id, reason: 'passed away from the test' }, 'operator:test');
      open.delete(live.id);
    }
    await note();
  }

  const firstMs = (timeline[0] as { atMs: number }).atMs;
  const lastMs = (timeline.at(-1) as { atMs: number }).atMs;
  const instants = Array.from({ length: instantsCount }, () => firstMs + Math.floor(prng.next() * (lastMs - firstMs + 1)));
  instants.push(firstMs, lastMs, (timeline[Math.floor(timeline.length / 2)] as { atMs: number }).atMs);
  const callIds = [...new Set([...host.read.clinic('gp1')?.calls.keys() ?? [], ...host.read.clinic('gp2')?.calls.keys() ?? []])];
  for (const atMs of instants) {
    const expectedPosition = timeline.filter((point) => point.atMs <= atMs).at(-1)?.position as number;
    const past = replayTo(host, expectedPosition);
    const at = encodeURIComponent(new Date(atMs).toISOString());
    for (const clinicId of clinics) {
      const clinic = past.clinic(clinicId);
      if (clinic === undefined) throw new Error(`clinic ${clinicId} missing from the oracle`);
      const board = await call(base, 'GET', `/api/v1/clinics/${clinicId}/board?at=${at}`, { token });
      tap.equal(board.status, 200, `board of ${clinicId} at ${new Date(atMs).toISOString()}`);
      tap.same(board.body, JSON.parse(JSON.stringify(clinicBoard(clinic, atMs))), `board of ${clinicId} at ${new Date(atMs).toISOString()} = replay to ${expectedPosition}`);
      const list = await call(base, 'GET', `/api/v1/clinics/${clinicId}/calls?at=${at}`, { token });
      tap.same(list.body, listCalls(clinic, {}).map((c: HomeCall) => callWire(c, 'Europe/Moscow')), `desk list of ${clinicId} at ${new Date(atMs).toISOString()}`);
    }
    const callId = callIds[Math.floor(prng.next() * callIds.length)] as string;
    const expected = past.call(callId);
    const got = await call(base, 'GET', `/api/v1/calls/${callId}?at=${at}`, { token });
    if (expected === undefined || expected.createdAt > atMs) tap.equal(got.status, 404, `call ${callId} did not exist at ${new Date(atMs).toISOString()}`);
    else tap.same(got.body, callWire(expected, 'Europe/Moscow'), `call ${callId} at ${new Date(atMs).toISOString()}`);
  }

  const before = await call(base, 'GET', `/api/v1/clinics/gp1/board?at=${encodeURIComponent(new Date(firstMs - 60_000).toISOString())}`, { token });
  tap.equal(before.status, 400, 'an instant before the first event is a 400');
  const future = await call(base, 'GET', `/api/v1/clinics/gp1/board?at=${encodeURIComponent(new Date(clock.now() + 60_000).toISOString())}`, { token });
  tap.equal(future.status, 400, 'an instant in the future is a 400');
  const noOffset = await call(base, 'GET', '/api/v1/clinics/gp1/board?at=2026-03-02T10:42:00', { token });
  tap.equal(noOffset.status, 400, 'an instant without an offset is a 400');
  const withOffset = await call(base, 'GET', `/api/v1/clinics/gp1/board?at=${encodeURIComponent(new Date(lastMs).toISOString().replace('Z', '+00:00'))}`, { token });
  tap.equal(withOffset.status, 200, 'an offset instead of Z is the same instant');
  // The replays above had checkpoints to start from (the worker writes them in <dataDir>/time-travel).
  const history = LmdbEnvironment.open({ path: join(dataDir, checkpointDirectoryName), readOnly: true });
  const checkpoints = SnapshotStore.open(history).list();
  tap.ok(checkpoints.length >= 2, `checkpoints were written (${checkpoints.length}, every 25 events)`);
  const operator = await gateway.tokens.issue('operator', { kind: 'clinics', clinicIds: ['gp2'] }, 'gp2 operator', clock.now());
  const outside = await call(base, 'GET', `/api/v1/clinics/gp1/board?at=${encodeURIComponent(new Date(lastMs).toISOString())}`, { token: operator.token });
  tap.equal(outside.status, 403, 'the same scopes as the live board');
});
