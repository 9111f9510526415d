/**
 * Seeded simulation of the home-call engine: random commands across three clinics with time advancing,
 * invariants checked after every step, and at the end (1) replaying the produced events from empty state
 * and (2) restoring from a snapshot both give a deep-equal state. A failing seed is printed; run it alone
 * with `SIM_SEED=<seed> npx tap engine/simulation/simulation.test.ts`.
 */
import t from 'tap';
import { Prng } from './prng.ts';
import { homeCallViolations } from './home-call-invariants.ts';
import { Harness, mondayNineMs } from '../test-harness.ts';
import { createEngine, SequenceIdSource, type AddressedEvent, type Command, type HomeCall } from '../index.ts';
import { addDays, localDate } from '../domain/local-time.ts';
import { demoClinics } from '../demo-region.ts';

const stepsPerRun = 400;
const seeds = process.env['SIM_SEED'] !== undefined ? [Number(process.env['SIM_SEED'])] : Array.from({ length: 25 }, (_, i) => 1000 + i * 7919);
const clinicIds = demoClinics.map((c) => c.id);
const streets = ['ул. Свободы', 'ул. Кирова', 'ул. Чкалова', 'ул. Победы', 'ул. Папанина', 'ул. Строителей', 'ул. Марсианская'];

function randomCommand(rng: Prng, h: Harness, patients: number): Command {
  const calls: HomeCall[] = [];
  for (const clinicId of clinicIds) for (const call of h.read.clinic(clinicId)?.calls.values() ?? []) calls.push(call);
  // Mostly act on open calls: changes to closed ones are rejections, useful but less telling.
  const open = calls.filter((c) => c.status === 'received' || c.status === 'new' || c.status === 'assigned');
  const pool = open.length > 0 && rng.chance(0.85) ? open : calls;
  const call = pool.length > 0 ? rng.pick(pool) : undefined;
  const roll = rng.next();
  if (call === undefined || roll < 0.3) {
    const n = rng.int(1, patients);
    return {
      type: 'RegisterCall',
      call: {
        source: rng.pick(['portal', 'call_center', 'registry', 'doctor', 'smp'] as const),
        kind: rng.pick(['primary', 'repeat', 'active_visit', 'urgent'] as const),
        ...(rng.chance(0.2) ? { clinicId: rng.pick([...clinicIds, 'nope']) } : {}),
        patient: {
          ...(rng.chance(0.7) ? { policy: String(5000000000000000 + n) } : {}),
          surname: `Пациентов${n}`,
          name: 'Тест',
          birthDate: rng.chance(0.3) ? '2015-06-01' : rng.chance(0.02) ? '2099-01-01' : '1970-06-01',
          sex: rng.pick(['M', 'F'] as const),
        },
        address: { text: rng.pick(streets), house: String(rng.int(1, 250)) },
        complaints: { text: 'жалобы', tags: rng.chance(0.1) ? ['chest_pain'] : ['temperature'] },
        ...(rng.chance(0.1) ? { externalId: `ext-${rng.int(1, 20)}` } : {}),
      },
    };
  }
  const today = localDate(h.clock.now(), 'Europe/Moscow');
  if (roll < 0.4) return { type: 'AcceptCall', callId: call.id };
  if (roll < 0.65) {
    const clinicId = rng.chance(0.9) ? call.clinicId : rng.pick(clinicIds);
    return { type: 'AssignCall', callId: call.id, doctorId: `${clinicId}-d${rng.int(1, 4)}`, visitDate: addDays(today, rng.int(-1, 3)) };
  }
  if (roll < 0.75) return { type: 'CancelCall', callId: call.id, reason: rng.chance(0.9) ? 'отмена' : '' };
  if (roll < 0.9) return { type: 'CompleteCall', callId: call.id, diagnosis: 'J06.9' };
  return { type: 'TransferCall', callId: call.id, toClinicId: rng.pick(clinicIds), reason: 'по адресу' };
}

for (const seed of seeds) {
  t.test(`seed ${seed}`, (t) => {
    const rng = new Prng(seed);
    const h = new Harness(mondayNineMs + rng.int(0, 12) * 3_600_000);
    const log: AddressedEvent[] = [...h.engine.takeEvents()];
    const outcomes = new Map<string, number>();
    for (let step = 0; step < stepsPerRun; step += 1) {
      if (rng.chance(0.02)) {
        // Whole days pass now and then, so closed calls leave memory for the archive (eviction) too.
        h.advanceMinutes(rng.int(1, 3) * 1440);
      } else if (rng.chance(0.15)) {
        h.advanceMinutes(rng.int(1, 240));
      } else {
        const command = randomCommand(rng, h, 25);
        const result = h.submit(command, `operator:${rng.int(1, 5)}`);
        const outcome = `${command.type}:${result.ok ? 'ok' : result.rejection.code}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (!result.ok && result.events.length > 0) {
          t.fail(`seed ${seed} step ${step}: a rejected ${command.type} produced events`);
          return t.end();
        }
      }
      log.push(...h.engine.takeEvents());
      const violations = homeCallViolations(h.read, clinicIds, h.clock.now());
      if (violations.length > 0) {
        t.fail(`seed ${seed} step ${step}: ${violations.slice(0, 5).join('; ')}`);
        return t.end();
      }
    }
    // The run must have exercised every kind of change, or its invariants prove little.
    for (const kind of ['RegisterCall:ok', 'AcceptCall:ok', 'AssignCall:ok', 'CancelCall:ok', 'CompleteCall:ok', 'TransferCall:ok', 'RegisterCall:rule_broken']) {
      t.ok((outcomes.get(kind) ?? 0) > 0, `seed ${seed}: ${kind} happened`);
    }
    t.ok(log.some((r) => r.event.type === 'CallBecameOverdue'), `seed ${seed}: some call became overdue`);
    t.ok(log.some((r) => r.event.type === 'ClosedCallsEvicted'), `seed ${seed}: some closed calls left memory`);
    const live = h.engine.snapshot();
    const replayed = createEngine(new SequenceIdSource('r'));
    for (const record of log) replayed.apply(record);
    t.same(replayed.snapshot(), live, `seed ${seed}: replaying the events gives the same state`);
    const restored = createEngine(new SequenceIdSource('s'));
    restored.restore(live);
    t.same(restored.snapshot(), live, `seed ${seed}: restoring the snapshot gives the same state`);
    t.equal(restored.nextTimerAt(), h.engine.nextTimerAt(), 'timers rebuilt from the snapshot');
    t.end();
  });
}

t.test('the invariant checker catches planted faults', (t) => {
  const h = new Harness();
  const result = h.submit({
    type: 'RegisterCall',
    call: {
      source: 'registry', kind: 'primary',
      patient: { surname: 'А', name: 'Б', birthDate: '1980-01-01', sex: 'M' },
      address: { text: 'ул. Свободы', house: '1' },
      complaints: { text: 'x' },
    },
  });
  t.ok(result.ok);
  const clinic = h.read.clinic('gp1');
  if (clinic === undefined) throw new Error('no clinic');
  t.same(homeCallViolations(h.read, clinicIds, h.clock.now()), []);
  clinic.counters.new += 1;
  t.match(homeCallViolations(h.read, clinicIds, h.clock.now()).join(), /counters/);
  clinic.counters.new -= 1;
  const call = [...clinic.calls.values()][0] as HomeCall;
  call.status = 'assigned';
  call.doctorId = 'gp1-d1';
  t.match(homeCallViolations(h.read, clinicIds, h.clock.now()).join(), /illegal|history|not on that route list/);
  t.end();
});
