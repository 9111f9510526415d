/**
 * Helpers for the calendar tests: the demo region on a manual clock (Monday 2026-11-23 09:00 Moscow), patients,
 * bookings, and the two state checks every test can end with — restore(snapshot) and replay of all events
 * give the live state back.
 */
import type { Test } from 'tap';
import { createEngine } from '../index.ts';
import type { CommandResult } from '../engine.ts';
import { DoctorState } from '../doctor-state.ts';
import { SequenceIdSource } from '../ids.ts';
import type { PatientInput } from '../patient.ts';
import { Harness, mondayNineMs } from '../test-harness.ts';
import type { AppointmentView } from './appointment.ts';
import type { BookingInput } from './calendar-messages.ts';

export { mondayNineMs };

/** Doctor gp1-d1: therapist, Mon–Fri 08:00–12:00, 15-minute slots, cabinet 101. */
export const therapist = 'gp1-d1';
/** Doctor gp1-d3: therapist, Mon–Fri 09:00–13:00 and Sat 10:00–13:00, cabinet 103. */
export const otherTherapist = 'gp1-d3';
/** Doctor gp1-d2: pediatrician, Mon–Fri 08:00–12:00, 20-minute slots, cabinet 102. */
export const pediatrician = 'gp1-d2';
export const today = '2026-11-23';
export const tomorrow = '2026-11-24';

export function slot(doctorId: string, date: string, hhmm: string): string {
  return `${doctorId}.${date.replace(/-/g, '')}.${hhmm.replace(':', '')}`;
}

let patientSeq = 0;

export function patient(overrides: Partial<PatientInput> = {}): PatientInput {
  patientSeq += 1;
  const n = patientSeq;
  return {
    surname: 'Смирнов',
    name: `Пациент${n}`,
    birthDate: '1970-03-04',
    sex: 'M',
    phone: `+7915${String(n).padStart(7, '0')}`,
    policy: String(5500000000000000 + n),
    ...overrides,
  };
}

export class CalendarHarness extends Harness {
  book(slotId: string, by = 'operator:test', extra: Partial<BookingInput> = {}): CommandResult {
    return this.submit({ type: 'BookAppointment', booking: { slotId, patient: patient(), source: 'registry', ...extra } }, by);
  }

  /** Books and returns the appointment, failing loudly if the booking was refused. */
  booked(slotId: string, by = 'operator:test', extra: Partial<BookingInput> = {}): AppointmentView {
    const result = this.book(slotId, by, extra);
    if (!result.ok) throw new Error(`booking ${slotId} failed: ${JSON.stringify(result.rejection)}`);
    return result.reply as unknown as AppointmentView;
  }

  doctor(doctorId: string): DoctorState {
    const state = this.read.doctor(doctorId);
    if (state === undefined) throw new Error(`no doctor ${doctorId}`);
    return state;
  }

  at(date: string, hhmm: string): number {
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), h - 3, m);
  }

  /** Moves the clock to a Moscow wall time and fires the timers on the way. */
  moveTo(date: string, hhmm: string): void {
    const target = this.at(date, hhmm);
    const minutes = (target - this.clock.now()) / 60_000;
    if (minutes > 0) this.advanceMinutes(minutes);
  }
}

export function rejectionOf(result: CommandResult): { code: string; message: string; field?: string } {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.reply)}`);
  return result.rejection;
}

/** A JSON round trip: what the log's codec does to events (fresh objects, no shared references). */
export function fresh<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The two state checks: a snapshot restored into a fresh engine snapshots the same, and all events since the
 * harness was built, replayed into a fresh engine, give the same snapshot. Call once per harness (it takes the
 * engine's pending events).
 */
export function checkSnapshotAndReplay(t: Test, harness: Harness, label = ''): void {
  const live = harness.engine.snapshot();
  const restored = createEngine(new SequenceIdSource('r'));
  restored.restore(fresh(live));
  t.same(restored.snapshot(), live, `${label}restore(snapshot()) gives the same state`);
  const replayed = createEngine(new SequenceIdSource('r'));
  for (const record of fresh(harness.engine.takeEvents())) replayed.apply(record);
  t.same(replayed.snapshot(), live, `${label}replaying the events gives the same state`);
  t.equal(replayed.nextTimerAt(), harness.engine.nextTimerAt(), `${label}timers rebuilt by replay`);
  t.equal(restored.nextTimerAt(), harness.engine.nextTimerAt(), `${label}timers rebuilt by restore`);
}
