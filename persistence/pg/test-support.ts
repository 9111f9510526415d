/**
 * Shared fixtures of the Postgres tests (not a test file itself): a fresh schema per test file on a real
 * Postgres, dropped at the end so test files can run in parallel; a seeded engine scenario written tick by tick
 * into an LMDB log in a temp directory; and the msgpack codec the tests use for actor snapshot bytes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import pg from 'pg';
import { addDays, localDate } from '../../engine/domain/local-time.ts';
import { demoClinics } from '../../engine/demo-region.ts';
import type { AddressedEvent, Command, HomeCall, Slot } from '../../engine/index.ts';
import { Prng } from '../../engine/simulation/prng.ts';
import { Harness } from '../../engine/test-harness.ts';
import type { TapTest } from '../event-log-suite.ts';
import { LmdbEnvironment } from '../lmdb-environment.ts';
import { LmdbEventLog } from '../lmdb-event-log.ts';
import { SnapshotStore } from '../snapshot-store.ts';
import { openPostgresDatabase, type PostgresDatabase } from './postgres-database.ts';

export const testDatabaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  readonly schema: string;
  /** Unique per test file, so killing "our" connections never touches another file's. */
  readonly applicationName: string;
  readonly databaseUrl: string;
  /** Opens a pool on the schema (closed at teardown unless closed before). */
  open(options?: { readonly onIdleError?: (error: Error) => void }): PostgresDatabase;
  /** Runs one statement on a separate admin connection (not under the application name). */
  admin<R extends pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

export async function withTestSchema(t: TapTest): Promise<TestSchema> {
  const suffix = randomBytes(6).toString('hex');
  const schema = `cd_test_${suffix}`;
  const applicationName = `cd-test-${suffix}`;
  const adminClient = new pg.Client({ connectionString: testDatabaseUrl, application_name: `${applicationName}-admin` });
  await adminClient.connect();
  await adminClient.query(`create schema ${schema}`);
  const opened: PostgresDatabase[] = [];
  t.teardown(async () => {
    for (const database of opened) await database.close();
    await adminClient.query(`drop schema if exists ${schema} cascade`);
    await adminClient.end();
  });
  return {
    schema,
    applicationName,
    databaseUrl: testDatabaseUrl,
    open(options = {}) {
      const database = openPostgresDatabase({
        databaseUrl: testDatabaseUrl,
        schema,
        applicationName,
        // The rows are the same either way; without the WAL fsync per commit the tests measure the code.
        sessionSettings: { synchronous_commit: 'off' },
        ...(options.onIdleError === undefined ? {} : { onIdleError: options.onIdleError }),
      });
      opened.push(database);
      return database;
    },
    async admin<R extends pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<R[]> {
      const result = await adminClient.query<R>(text, [...values]);
      return result.rows;
    },
  };
}

/**
 * A temp directory, on tmpfs when there is one: these tests append an LMDB entry per tick, and on this machine's
 * disk an fsync can take 300 ms (BENCH.md), which would make the time of a test the disk's, not the code's.
 */
export async function temporaryDirectory(t: TapTest, prefix: string): Promise<string> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const path = await mkdtemp(join(base, prefix));
  t.teardown(() => rm(path, { recursive: true, force: true }));
  return path;
}

// Standard msgpack, no records extension: what a snapshot writer would store for an actor's canonical state.
const statePackr = new Packr({ useRecords: false, mapsAsObjects: true });

export function encodeActorState(state: unknown): Uint8Array {
  return statePackr.pack(state);
}

export function decodeActorState(bytes: Uint8Array): unknown {
  return statePackr.unpack(bytes);
}

/** A live engine, the LMDB log of everything it did, and the snapshot store of the same environment. */
export interface Scenario {
  readonly harness: Harness;
  readonly dataDir: string;
  readonly environment: LmdbEnvironment;
  readonly log: LmdbEventLog<AddressedEvent>;
  readonly snapshots: SnapshotStore;
  readonly rng: Prng;
  /** Events appended so far. */
  events: number;
  /** Runs `steps` more random steps, each tick appended as one entry. */
  run(steps: number): Promise<void>;
  /** Saves a snapshot of the engine at the log's last position. */
  snapshot(): Promise<number>;
  /** Appends the events of commands submitted directly to the harness as one entry. */
  flush(): Promise<void>;
}

/** Opens a scenario on a fresh temp dir: the demo region is the first entry. Closed at teardown. */
export async function openScenario(t: TapTest, seed: number): Promise<Scenario> {
  const dataDir = await temporaryDirectory(t, 'clinic-dispatch-pg-');
  const environment = LmdbEnvironment.open({ path: dataDir });
  const log = LmdbEventLog.open<AddressedEvent>(environment);
  const snapshots = SnapshotStore.open(environment);
  t.teardown(async () => {
    await log.close();
    await environment.close();
  });
  const harness = new Harness();
  const scenario: Scenario = {
    harness,
    dataDir,
    environment,
    log,
    snapshots,
    rng: new Prng(seed),
    events: 0,
    async run(steps: number): Promise<void> {
      for (let step = 0; step < steps; step++) {
        const commands = this.rng.int(1, 3);
        for (let index = 0; index < commands; index++) {
          const calendar = this.rng.chance(0.5) ? randomCalendarCommand(this.rng, harness) : undefined;
          if (calendar === undefined) harness.submit(randomCommand(this.rng, harness));
          else harness.submit(calendar.command, calendar.by);
        }
        if (this.rng.chance(0.1)) harness.advanceMinutes(this.rng.int(1, 45));
        // Now and then across a night: the calendars roll, holds expire, reminders are queued.
        if (this.rng.chance(0.01)) harness.advanceMinutes(this.rng.int(10, 20) * 60);
        await appendTick(this);
      }
    },
    flush(): Promise<void> {
      return appendTick(this);
    },
    async snapshot(): Promise<number> {
      const position = log.lastPosition();
      const actors = harness.engine.snapshot().map(([address, state]): [string, Uint8Array] => [address, encodeActorState(state)]);
      await snapshots.save(position, actors);
      return position;
    },
  };
  await appendTick(scenario);
  calendarStory(harness);
  await appendTick(scenario);
  return scenario;
}

function mustSucceed(harness: Harness, command: Command, by = 'operator:story'): Record<string, unknown> {
  const result = harness.submit(command, by);
  if (!result.ok) throw new Error(`${command.type} refused: ${JSON.stringify(result.rejection)}`);
  return result.reply as Record<string, unknown>;
}

/**
 * A fixed story at Monday 09:00 so the rarer calendar events are always in the log: a visit from booking to
 * feedback with a low rating (an alert, acknowledged), a booking moved to another doctor, a held slot.
 */
function calendarStory(harness: Harness): void {
  const patient = { surname: 'Историев', name: 'Сюжет', birthDate: '1975-05-05', sex: 'M' as const, phone: '+79150000001' };
  const visit = mustSucceed(harness, { type: 'BookAppointment', booking: { slotId: 'gp1-d1.20261123.0930', patient, source: 'registry', services: ['осмотр'] } });
  const visitId = String(visit['id']);
  mustSucceed(harness, { type: 'CheckInAppointment', appointmentId: visitId });
  mustSucceed(harness, { type: 'CallNextPatient', doctorId: 'gp1-d1' });
  mustSucceed(harness, { type: 'CompleteAppointment', appointmentId: visitId });
  mustSucceed(harness, { type: 'GiveFeedback', appointmentId: visitId, rating: 1, comment: 'долго ждал' });
  const alertId = [...(harness.read.clinic('gp1')?.calendar.alerts.alerts.keys() ?? [])][0];
  if (alertId === undefined) throw new Error('a rating of 1 raises an alert');
  mustSucceed(harness, { type: 'AcknowledgeAlert', alertId });
  const other = { ...patient, name: 'Перенос', phone: '+79150000002' };
  const moved = mustSucceed(harness, { type: 'BookAppointment', booking: { slotId: 'gp1-d1.20261124.1000', patient: other, source: 'portal' } });
  mustSucceed(harness, { type: 'RescheduleAppointment', appointmentId: String(moved['id']), slotId: 'gp1-d3.20261124.1000' });
  mustSucceed(harness, { type: 'HoldSlot', slotId: 'gp1-d1.20261125.1000' }, 'operator:story');
}

async function appendTick(scenario: Scenario): Promise<void> {
  const events = scenario.harness.engine.takeEvents();
  if (events.length === 0) return;
  await scenario.log.append(events);
  scenario.events += events.length;
}

const clinicIds = demoClinics.map((clinic) => clinic.id);
const streets = ['ул. Свободы', 'ул. Кирова', 'ул. Чкалова', 'ул. Победы', 'ул. Папанина', 'ул. Строителей'];

/** Like the engine's simulation: mostly valid commands on open calls, some rejections. */
function randomCommand(rng: Prng, harness: Harness): Command {
  const calls: HomeCall[] = [];
  for (const clinicId of clinicIds) for (const call of harness.read.clinic(clinicId)?.calls.values() ?? []) calls.push(call);
  const open = calls.filter((call) => call.status === 'received' || call.status === 'new' || call.status === 'assigned');
  const pool = open.length > 0 && rng.chance(0.85) ? open : calls;
  const call = pool.length > 0 ? rng.pick(pool) : undefined;
  const roll = rng.next();
  if (call === undefined || roll < 0.35) {
    const n = rng.int(1, 400);
    return {
      type: 'RegisterCall',
      call: {
        source: rng.pick(['portal', 'call_center', 'registry', 'doctor', 'smp'] as const),
        kind: rng.pick(['primary', 'repeat', 'active_visit', 'urgent'] as const),
        patient: {
          ...(rng.chance(0.7) ? { policy: String(5000000000000000 + n) } : {}),
          surname: `Пациентов${n}`,
          name: 'Тест',
          ...(rng.chance(0.5) ? { patronymic: 'Петрович' } : {}),
          birthDate: rng.chance(0.3) ? '2015-06-01' : '1970-06-01',
          sex: rng.pick(['M', 'F'] as const),
          ...(rng.chance(0.6) ? { phone: `+7912${String(1000000 + n)}` } : {}),
        },
        address: { text: rng.pick(streets), house: String(rng.int(1, 200)), ...(rng.chance(0.5) ? { apartment: '7', floor: 2 } : {}) },
        complaints: { text: 'жалобы', tags: rng.chance(0.1) ? ['chest_pain'] : ['temperature'] },
        ...(rng.chance(0.3) ? { caller: { type: 'relative', phone: '89123456789' } } : {}),
        ...(rng.chance(0.1) ? { externalId: `ext-${rng.int(1, 50)}` } : {}),
      },
    };
  }
  const today = localDate(harness.clock.now(), 'Europe/Moscow');
  if (roll < 0.45) return { type: 'AcceptCall', callId: call.id };
  if (roll < 0.7) return { type: 'AssignCall', callId: call.id, doctorId: `${call.clinicId}-d${rng.int(1, 4)}`, visitDate: addDays(today, rng.int(0, 3)) };
  if (roll < 0.78) return { type: 'CancelCall', callId: call.id, reason: 'отмена' };
  if (roll < 0.92) return { type: 'CompleteCall', callId: call.id, ...(rng.chance(0.7) ? { diagnosis: 'J06.9' } : {}), ...(rng.chance(0.3) ? { note: 'ok' } : {}) };
  return { type: 'TransferCall', callId: call.id, toClinicId: rng.pick(clinicIds), reason: 'по адресу' };
}

const doctorIds = clinicIds.flatMap((clinicId) => [1, 2, 3, 4].map((n) => `${clinicId}-d${n}`));
const holders = ['operator:a', 'operator:b', 'partner:p'];

interface CalendarStep {
  readonly command: Command;
  readonly by: string;
}

/** Calendar commands with plausible targets (free slots, live appointments); some are rejections. */
function randomCalendarCommand(rng: Prng, harness: Harness): CalendarStep | undefined {
  const now = harness.clock.now();
  const doctorId = rng.pick(doctorIds);
  const doctor = harness.read.doctor(doctorId);
  if (doctor === undefined) return undefined;
  const slots: Slot[] = [];
  for (const day of doctor.calendar.days.values()) for (const slot of day.slots) slots.push(slot);
  const free = slots.filter((slot) => slot.startAt > now && doctor.calendar.statusOf(slot, now) === 'free');
  const held = slots.filter((slot) => doctor.calendar.statusOf(slot, now) === 'held');
  const appointments = [...doctor.appointments.byId.values()];
  const appointment = appointments.length > 0 ? rng.pick(appointments) : undefined;
  const by = rng.pick(holders);
  const roll = rng.next();
  const clinicId = doctorId.slice(0, doctorId.indexOf('-'));
  const today = localDate(now, 'Europe/Moscow');
  if ((roll < 0.3 || appointment === undefined) && free.length > 0) {
    const n = rng.int(1, 80);
    return {
      by,
      command: {
        type: 'BookAppointment',
        booking: {
          slotId: rng.pick(free.slice(0, 40)).id,
          patient: { surname: `Записанный${n}`, name: 'Тест', birthDate: '1980-01-0' + String(1 + (n % 9)), sex: 'F', phone: `+7915${String(2000000 + n)}`, ...(n % 2 === 0 ? { policy: String(6000000000000000 + n) } : {}) },
          source: rng.pick(['registry', 'call_center', 'portal', 'partner', 'kiosk', 'doctor'] as const),
          ...(rng.chance(0.5) ? { services: [rng.pick(['консультация', 'ЭКГ', 'осмотр'])] } : {}),
        },
      },
    };
  }
  if (roll < 0.38 && free.length > 0) return { by, command: { type: 'HoldSlot', slotId: rng.pick(free).id } };
  if (roll < 0.42 && held.length > 0) {
    const slot = rng.pick(held);
    return { by: slot.hold?.holder ?? by, command: { type: 'ReleaseHold', slotId: slot.id } };
  }
  if (roll < 0.45) {
    const from = addDays(today, rng.int(0, 6));
    return { by, command: { type: 'AddCalendarException', doctorId, exception: { kind: rng.pick(['vacation', 'sick_day', 'stop'] as const), from, to: addDays(from, rng.int(0, 2)), reason: 'тест' } } };
  }
  if (roll < 0.47 && doctor.calendar.exceptions.size > 0) {
    return { by, command: { type: 'LiftCalendarException', exceptionId: rng.pick([...doctor.calendar.exceptions.keys()]) } };
  }
  if (roll < 0.49) {
    const shift = rng.pick([0, 30, 60]);
    const cabinet = String(rng.int(101, 104));
    const template = [1, 2, 3, 4, 5, 6].filter(() => rng.chance(0.8)).map((weekday) => ({ weekday, startMinutes: 8 * 60 + shift, endMinutes: 11 * 60 + shift, cabinet }));
    return { by: 'admin:test', command: { type: 'SetSchedule', doctorId, template } };
  }
  if (roll < 0.51) {
    return { by: 'admin:test', command: { type: 'UpdateCalendarSettings', clinicId, settings: { calloutAttemptsMax: rng.int(1, 4), holdTtlMinutes: rng.int(1, 10), calloutTemplate: rng.chance(0.5) ? 'Здравствуйте, [patient]! [date] [time] [doctor] ([specialty]), [clinic], [address]. [services] Тел. [clinicPhone]' : 'Hi [patient], [date] [time]' } } };
  }
  if (roll < 0.53) {
    const outbox = harness.read.clinic(clinicId)?.calendar.outbox;
    return { by, command: { type: 'AckOutbox', clinicId, throughSeq: Math.max(0, (outbox?.seq ?? 0) - rng.int(0, 3)) } };
  }
  if (roll < 0.55) {
    const alerts = [...(harness.read.clinic(clinicId)?.calendar.alerts.alerts.keys() ?? [])];
    if (alerts.length > 0) return { by, command: { type: 'AcknowledgeAlert', alertId: rng.pick(alerts) } };
  }
  if (appointment === undefined) return undefined;
  const id = appointment.id;
  const pick = rng.next();
  if (pick < 0.12) return { by, command: { type: 'ConfirmAppointment', appointmentId: id } };
  if (pick < 0.22) return { by, command: { type: 'CancelAppointment', appointmentId: id, reason: 'передумал' } };
  if (pick < 0.34 && free.length > 0) {
    const otherDoctor = harness.read.doctor(rng.pick(doctorIds.filter((other) => other.startsWith(`${clinicId}-`))));
    const targets = rng.chance(0.6) || otherDoctor === undefined ? free : [...otherDoctor.calendar.days.values()].flatMap((day) => day.slots).filter((slot) => slot.startAt > now && otherDoctor.calendar.statusOf(slot, now) === 'free');
    if (targets.length > 0) return { by, command: { type: 'RescheduleAppointment', appointmentId: id, slotId: rng.pick(targets).id } };
  }
  if (pick < 0.46) return { by, command: { type: 'CheckInAppointment', appointmentId: id } };
  if (pick < 0.54) return { by, command: { type: 'CallNextPatient', doctorId } };
  if (pick < 0.62) return { by, command: { type: 'CompleteAppointment', appointmentId: id } };
  if (pick < 0.68) return { by, command: { type: 'MarkNoShow', appointmentId: id } };
  if (pick < 0.9) {
    const attempt = rng.chance(0.15) ? Math.max(1, appointment.callout.length) : appointment.callout.length + 1;
    return {
      by: 'partner:robot',
      command: {
        type: 'RecordCalloutResult',
        appointmentId: id,
        result: rng.pick(['confirmed', 'declined', 'busy', 'no_answer', 'failed'] as const),
        attempt,
        ...(rng.chance(0.5) ? { talkSeconds: rng.int(0, 120) } : {}),
      },
    };
  }
  return { by, command: { type: 'GiveFeedback', appointmentId: id, rating: rng.int(1, 5), ...(rng.chance(0.5) ? { comment: 'отзыв' } : {}) } };
}
