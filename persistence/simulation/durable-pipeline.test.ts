/**
 * Seeded simulation of the durable pipeline (issue 15): the real EngineHost on a simulated disk
 * (persistence/simulation/simulated-storage.ts) with drawn sync latencies, rare stalls and write failures; many
 * commands in flight at once; days passing (timers fire, closed calls leave memory for the archive); snapshots;
 * and crashes at random points — the host is abandoned mid-flight and a new one recovers on the same storage.
 * After every crash, and at the end:
 *
 * - every acknowledged command is there: the recovered log reaches the newest acknowledged position, and every
 *   call whose registration was acknowledged is found (in memory or in the archive);
 * - the recovered state (snapshot + replay) has the state hash of a full replay of the log from position 1;
 * - a failed write stops the host (onFatal) and is treated as the process exiting.
 *
 * A failing seed is printed with how to replay it alone:
 *   SIM_DURABLE_SEED=<seed> npx tap persistence/simulation/durable-pipeline.test.ts
 * Sized to finish in under a minute (8 seeds × 250 steps: ~20 s on a quiet machine, ~50 s at load average 20); a
 * longer run: SIM_DURABLE_SEEDS=200 SIM_DURABLE_STEPS=2000.
 */
import t from 'tap';
import { createEngine, SequenceIdSource, type Command, type HomeCall } from '../../engine/index.ts';
import { demoClinics, demoRegionCommands } from '../../engine/demo-region.ts';
import { addDays, localDate } from '../../engine/domain/local-time.ts';
import { mondayNineMs } from '../../engine/test-harness.ts';
import { EngineHost, isIdempotencyRecord, type HostRecord, type SubmitOutcome } from '../engine-host.ts';
import { decodeLogEntry } from '../log-record-codec.ts';
import { stateHash } from '../state-codec.ts';
import { SimulatedStorage, SimulatedWorld, type DiskProfile } from './simulated-storage.ts';

const seedCount = Number(process.env['SIM_DURABLE_SEEDS'] ?? 8);
const stepsPerSeed = Number(process.env['SIM_DURABLE_STEPS'] ?? 250);
const seeds = process.env['SIM_DURABLE_SEED'] !== undefined ? [Number(process.env['SIM_DURABLE_SEED'])] : Array.from({ length: seedCount }, (_, index) => 4_242 + index * 7_919);
const clinicIds = demoClinics.map((clinic) => clinic.id);
const dayMs = 86_400_000;

interface Acknowledged {
  readonly position: number;
  readonly callId: string | undefined;
}

function randomCommand(world: SimulatedWorld, host: EngineHost, patient: number): Command {
  const { rng } = world;
  const calls: HomeCall[] = [];
  for (const clinicId of clinicIds) for (const call of host.read.clinic(clinicId)?.calls.values() ?? []) calls.push(call);
  const open = calls.filter((call) => call.status === 'received' || call.status === 'new' || call.status === 'assigned');
  const call = open.length > 0 && rng.chance(0.6) ? rng.pick(open) : undefined;
  if (call === undefined) {
    return {
      type: 'RegisterCall',
      call: {
        source: 'call_center', kind: 'primary',
        patient: { policy: String(5_100_000_000_000_000 + patient), surname: `Симулятов${patient}`, name: 'Тест', birthDate: '1970-06-01', sex: rng.pick(['M', 'F'] as const) },
        address: { text: rng.pick(['ул. Свободы', 'ул. Кирова', 'ул. Чкалова', 'ул. Победы']), house: String(rng.int(1, 250)) },
        complaints: { text: 'жалобы', tags: ['temperature'] },
      },
    };
  }
  const roll = rng.next();
  const today = localDate(world.now, 'Europe/Moscow');
  if (roll < 0.3) return { type: 'AcceptCall', callId: call.id };
  if (roll < 0.6) return { type: 'AssignCall', callId: call.id, doctorId: `${call.clinicId}-d${rng.int(1, 3)}`, visitDate: addDays(today, rng.int(0, 2)) };
  if (roll < 0.7) return { type: 'CancelCall', callId: call.id, reason: 'отмена' };
  return { type: 'CompleteCall', callId: call.id, diagnosis: 'J06.9' };
}

function replayHash(storage: SimulatedStorage): string {
  const engine = createEngine(new SequenceIdSource('replay'));
  for (let position = 1; position <= storage.disk.lastPosition; position += 1) {
    const frame = storage.disk.frames.get(position);
    if (frame === undefined) throw new Error(`the simulated disk lacks position ${position}`);
    for (const record of decode(position, frame)) if (!isIdempotencyRecord(record)) engine.apply(record);
  }
  return stateHash(engine.snapshot());
}

function decode(position: number, frame: Buffer): HostRecord[] {
  return decodeLogEntry<HostRecord>(position, frame);
}

for (const seed of seeds) {
  void t.test(`durable pipeline, seed ${seed}`, async (t) => {
    const replayHint = `replay: SIM_DURABLE_SEED=${seed} npx tap persistence/simulation/durable-pipeline.test.ts`;
    const world = new SimulatedWorld(seed, mondayNineMs + (seed % 10) * 3_600_000);
    const profile: DiskProfile = {
      syncMs: world.rng.pick([0.05, 0.15, 0.6, 2]), syncJitterMs: world.rng.pick([0.1, 1, 5]),
      stallProbability: world.rng.pick([0, 0.005, 0.02]), stallMs: world.rng.pick([50, 300]),
      writeFailureProbability: world.rng.pick([0, 0, 0.003, 0.02]), landsAtCrashProbability: 0.5,
    };
    const storage = new SimulatedStorage(world, profile);
    const snapshotEveryEvents = world.rng.pick([40, 150, 1_000_000]);
    let generation = 0;
    let fatal = false;
    const open = async (): Promise<EngineHost> => {
      generation += 1;
      fatal = false;
      const host = await world.until(EngineHost.openOn(storage.open(), {
        clock: { now: () => world.now }, ids: new SequenceIdSource(`g${generation}x`), snapshotEveryEvents,
        onFatal: () => { fatal = true; },
        onEmpty: async (fresh) => {
          for (const command of demoRegionCommands(3)) {
            const outcome = await fresh.submit(command, 'admin:setup');
            if (!outcome.ok) throw new Error(`setup refused: ${JSON.stringify(outcome)}`);
          }
        },
      }));
      return host;
    };
    const acknowledged: Acknowledged[] = [];
    let newestAcknowledged = 0;
    let patients = 0;
    let crashes = 0;
    let failures = 0;
    const problems: string[] = [];
    const check = (host: EngineHost, when: string): void => {
      if (host.durablePosition < newestAcknowledged) problems.push(`${when}: the log ends at ${host.durablePosition} but position ${newestAcknowledged} was acknowledged`);
      for (const ack of acknowledged) {
        if (ack.callId !== undefined && host.read.call(ack.callId) === undefined) problems.push(`${when}: acknowledged call ${ack.callId} (position ${ack.position}) is gone`);
      }
      const replayed = replayHash(storage);
      if (host.stateHash() !== replayed) problems.push(`${when}: the recovered state differs from a full replay of the log`);
    };
    let host = await open();
    for (let step = 0; step < stepsPerSeed && problems.length === 0; step += 1) {
      const roll = world.rng.next();
      if (fatal || roll < 0.02) {
        if (fatal) failures += 1;
        else crashes += 1;
        storage.crash();
        host = await open();
        check(host, `step ${step}, after ${fatal ? 'a write failure' : 'a crash'} (generation ${generation})`);
        continue;
      }
      if (roll < 0.05) {
        // Days pass: timers fire, calls closed long ago leave memory (the archive must hold them).
        await world.runUntil(world.now + world.rng.int(1, 4) * dayMs);
        continue;
      }
      // A burst of commands in flight at once; then the world runs for a while (syncs complete or not).
      const burst = world.rng.int(1, 12);
      for (let index = 0; index < burst; index += 1) {
        const command = randomCommand(world, host, (patients += 1));
        const submitted = host.submit(command, `operator:${world.rng.int(1, 4)}`);
        const owner = host;
        void submitted.then((outcome: SubmitOutcome) => {
          const position = owner.durablePosition;
          newestAcknowledged = Math.max(newestAcknowledged, position);
          const reply = outcome.ok && 'reply' in outcome ? (outcome.reply as { readonly id?: unknown }) : undefined;
          acknowledged.push({ position, callId: command.type === 'RegisterCall' && typeof reply?.id === 'string' ? reply.id : undefined });
        }, () => undefined);
      }
      await world.runUntil(world.now + world.rng.pick([0, 0.1, 1, 5, 50]));
    }
    if (problems.length === 0 && !fatal) {
      await world.until(host.whenDurable());
      check(host, 'at the end');
    }
    t.same(problems.slice(0, 5), [], `${problems.length} problems (${replayHint})`);
    t.ok(acknowledged.length > 0, `${acknowledged.length} commands acknowledged, ${crashes} crashes, ${failures} write failures, ${generation} generations, disk ${JSON.stringify(profile)}`);
  });
}
