/**
 * Generates a large, realistic history straight into a data directory: the demo region, then day by day home
 * calls registered, accepted, assigned (5–70 minutes later, so some breach the 30-minute SLA), served (1–30
 * hours later, so some breach the 24-hour SLA) or cancelled, and reception appointments booked the evening
 * before, called out, checked in, served or missed, and rated. Every event is decided by the real engine from a
 * command, appended to the LMDB log in the host's record format, and closed calls are archived the way the
 * host archives them; a snapshot closes the run. So `EngineHost.open` on the directory recovers exactly what
 * production would hold. Used by the freeze test and bench/freeze.ts.
 *
 * Why not through EngineHost.submit: replies come back only after a durable commit, so every follow-up (an
 * assignment needs the call's id) would wait for the disk; deciding synchronously on one engine and appending
 * whole batches keeps 100k calls within seconds. The sequence is seeded, so a run is reproducible.
 *
 * Bounds: at most `generatedCallsMax` calls; `commandsPerEntry` commands per log entry; patients come from a
 * pool of eight days of calls, so a patient's call is closed before the same patient calls again.
 */
import { mkdirSync } from 'node:fs';
import { createEngine, ReadModel, SequenceIdSource, type Command, type Engine, type Reply } from '../../engine/index.ts';
import { demoClinics, demoRegionCommands, demoTimeZone } from '../../engine/demo-region.ts';
import { addDays, instantOf, localParts, weekdayOf } from '../../engine/domain/local-time.ts';
import { CallArchive } from '../../persistence/call-archive.ts';
import type { HostRecord } from '../../persistence/engine-host.ts';
import { LmdbEnvironment } from '../../persistence/lmdb-environment.ts';
import { LmdbEventLog } from '../../persistence/lmdb-event-log.ts';
import { SnapshotStore } from '../../persistence/snapshot-store.ts';
import { encodeState } from '../../persistence/state-codec.ts';
import { ActionQueue, type Action } from './action-queue.ts';
import { callCommand, randomSource } from './history-commands.ts';

export const generatedCallsMax = 5_000_000;
export const commandsPerEntry = 2_000;
/** Timers (SLA, calendar rolls, evictions) fire at least this often in simulated time. */
export const timerStepMs = 10 * 60_000;
const minuteMs = 60_000;

export interface HistoryOptions {
  readonly dataDir: string;
  readonly calls: number;
  /** Working days (Monday–Saturday) the calls are spread over. */
  readonly days: number;
  readonly doctorsPerClinic?: number;
  readonly appointmentsPerDoctorDay?: number;
  readonly seed?: number;
  /** The first day, a local date in the demo zone (Europe/Moscow). */
  readonly firstDate?: string;
  readonly onProgress?: (done: { readonly day: number; readonly days: number; readonly calls: number }) => void;
}

export interface GeneratedHistory {
  readonly calls: number;
  readonly appointments: number;
  readonly commands: number;
  readonly rejected: number;
  readonly rejectionSamples: readonly string[];
  readonly firstDate: string;
  readonly lastDate: string;
  /** The simulated instant the history ends at: start the host's clock here. */
  readonly endMs: number;
  readonly lastPosition: number;
  readonly durationMs: number;
}

export async function generateHistory(options: HistoryOptions): Promise<GeneratedHistory> {
  if (!(Number.isInteger(options.calls) && options.calls >= 0 && options.calls <= generatedCallsMax)) throw new RangeError(`calls must be 0..${generatedCallsMax}`);
  const started = performance.now();
  mkdirSync(options.dataDir, { recursive: true });
  const environment = LmdbEnvironment.open({ path: options.dataDir });
  const log = LmdbEventLog.open<HostRecord>(environment);
  const archive = new CallArchive(environment);
  const snapshots = SnapshotStore.open(environment);
  const engine = createEngine(new SequenceIdSource('h'));
  const random = randomSource(options.seed ?? 1);
  const firstDate = options.firstDate ?? '2025-01-06';
  const sim = new Simulation(engine, log, archive, instantOf(addDays(firstDate, -1), 6 * 60, demoTimeZone));
  for (const command of demoRegionCommands(options.doctorsPerClinic ?? 8)) sim.submitNow(command, 'admin:generator');

  const workingDates: string[] = [];
  for (let date = firstDate; workingDates.length < options.days; date = addDays(date, 1)) if (weekdayOf(date) !== 7) workingDates.push(date);
  const callsPerDay = Math.ceil(options.calls / Math.max(options.days, 1));
  const poolSize = Math.max(1_000, callsPerDay * 8);
  const patientBusyUntil = new Float64Array(poolSize);
  let calls = 0;
  let appointments = 0;

  for (const [dayIndex, date] of workingDates.entries()) {
    const dayCalls = Math.min(callsPerDay, options.calls - calls);
    for (let n = 0; n < dayCalls; n += 1) {
      const at = instantOf(date, 7 * 60, demoTimeZone) + Math.floor(random.next() * 11 * 60 * minuteMs);
      const clinic = random.pick(demoClinics);
      let patient = Math.floor(random.next() * poolSize);
      // A bounded probe: the pool holds eight days of calls, so a free patient is near; if not, reuse one.
      for (let probe = 0; probe < poolSize && (patientBusyUntil[patient] ?? 0) > at; probe += 1) patient = (patient + 1) % poolSize;
      patientBusyUntil[patient] = at + 4 * 24 * 60 * minuteMs;
      const index = calls;
      calls += 1;
      sim.schedule({ at, run: () => callCommand(index, patient, clinic.id, clinic.streets, random), then: (reply) => callLife(reply, clinic.id, at) });
    }
    appointments += planAppointments(date);
    await sim.runUntil(instantOf(addDays(date, 1), 6 * 60, demoTimeZone));
    options.onProgress?.({ day: dayIndex + 1, days: workingDates.length, calls });
  }
  const lastDate = workingDates[workingDates.length - 1] ?? firstDate;
  await sim.runUntil(instantOf(addDays(lastDate, 3), 6 * 60, demoTimeZone));
  const lastPosition = await sim.flush();
  await snapshots.save(lastPosition, engine.snapshot().map(([address, state]): [string, Uint8Array] => [address, encodeState(state)]));
  await log.close();
  await environment.close();
  return {
    calls, appointments, commands: sim.commands, rejected: sim.rejected, rejectionSamples: sim.rejectionSamples,
    firstDate, lastDate, endMs: sim.now, lastPosition, durationMs: performance.now() - started,
  };

  function callLife(reply: Reply, clinicId: string, registeredAt: number): void {
    const callId = String(reply['id']);
    let at = registeredAt;
    if (reply['status'] === 'received') {
      // Portal and ambulance calls wait for an operator's check first.
      at += (2 + Math.floor(random.next() * 8)) * minuteMs;
      sim.schedule({ at, run: () => ({ type: 'AcceptCall', callId }) });
    }
    if (random.next() < 0.04) {
      sim.schedule({ at: at + 20 * minuteMs, run: () => ({ type: 'CancelCall', callId, reason: 'пациент отказался от вызова' }) });
      return;
    }
    const assignAt = at + (5 + Math.floor(random.next() * 65)) * minuteMs;
    sim.schedule({
      at: assignAt,
      run: () => {
        const choice = workingDoctor(clinicId, localParts(assignAt, demoTimeZone).date, assignAt);
        return choice === undefined ? undefined : { type: 'AssignCall', callId, ...choice };
      },
      then: () => {
        const serveAt = Math.max(assignAt, sim.now) + (60 + Math.floor(random.next() * 29 * 60)) * minuteMs;
        sim.schedule({ at: serveAt, run: () => ({ type: 'CompleteCall', callId, diagnosis: 'J06.9 ОРВИ', note: 'рекомендации даны' }) });
      },
    });
  }

  /** A doctor of the clinic still working today, else one working on the next working day. */
  function workingDoctor(clinicId: string, today: string, at: number): { readonly doctorId: string; readonly visitDate: string } | undefined {
    const minutes = localParts(at, demoTimeZone).minutes;
    const roster = [...(sim.read.clinic(clinicId)?.roster.values() ?? [])];
    for (let ahead = 0; ahead <= 3; ahead += 1) {
      const date = addDays(today, ahead);
      const candidates = roster.filter((doctor) => {
        const shifts = sim.read.doctor(doctor.id)?.shiftsOn(date) ?? [];
        const last = shifts[shifts.length - 1];
        return last !== undefined && (ahead > 0 || minutes < last.endMinutes);
      });
      if (candidates.length > 0) return { doctorId: random.pick(candidates).id, visitDate: date };
    }
    return undefined;
  }

  /** Books tomorrow's reception the evening before; the robot calls; the day runs the queue. */
  function planAppointments(date: string): number {
    const perDoctor = options.appointmentsPerDoctorDay ?? 4;
    const bookAt = instantOf(date, 19 * 60, demoTimeZone);
    const tomorrow = addDays(date, 1);
    let planned = 0;
    for (const clinic of demoClinics) {
      for (const info of sim.read.clinic(clinic.id)?.roster.values() ?? []) {
        // Free slots are looked up at booking time, on the state of that evening.
        sim.schedule({
          at: bookAt,
          run: () => {
            const day = sim.read.doctor(info.id)?.calendar.days.get(tomorrow);
            const free = (day?.slots ?? []).filter((slot) => slot.appointmentId === undefined).slice(0, perDoctor);
            for (const [index, slot] of free.entries()) {
              const phoneIndex = Math.floor(random.next() * poolSize);
              sim.schedule({
                at: bookAt + (index + 1) * 1_000,
                run: () => ({
                  type: 'BookAppointment',
                  booking: {
                    slotId: slot.id,
                    source: random.pick(['registry', 'call_center', 'portal'] as const),
                    patient: { surname: random.pick(['Орлова', 'Зайцев', 'Белова', 'Комаров']), name: random.pick(['Ирина', 'Павел', 'Анна']), birthDate: '1980-05-17', sex: 'F', phone: `+7915${String(phoneIndex).padStart(7, '0')}` },
                    services: ['приём врача'],
                  },
                }),
                then: (reply) => visitLife(String(reply['id']), info.id, bookAt, slot.startAt),
              });
            }
            return undefined;
          },
        });
        planned += perDoctor;
      }
    }
    return planned;
  }

  function visitLife(appointmentId: string, doctorId: string, bookedAt: number, startAt: number): void {
    const roll = random.next();
    const result = roll < 0.6 ? 'confirmed' : roll < 0.7 ? 'declined' : roll < 0.85 ? 'no_answer' : 'busy';
    const talkSeconds = result === 'confirmed' || result === 'declined' ? 20 + Math.floor(random.next() * 60) : 0;
    sim.schedule({ at: bookedAt + 30 * minuteMs, run: () => ({ type: 'RecordCalloutResult', appointmentId, result, attempt: 1, talkSeconds }) });
    if (result === 'declined') return;
    if (random.next() < 0.1) {
      sim.schedule({ at: startAt + 40 * minuteMs, run: () => ({ type: 'MarkNoShow', appointmentId }) });
      return;
    }
    sim.schedule({ at: startAt, run: () => ({ type: 'CheckInAppointment', appointmentId }) });
    sim.schedule({ at: startAt + 1_000, run: () => ({ type: 'CallNextPatient', doctorId }) });
    sim.schedule({ at: startAt + 2_000, run: () => ({ type: 'CompleteAppointment', appointmentId }) });
    if (random.next() < 0.5) {
      sim.schedule({ at: startAt + 60 * minuteMs, run: () => ({ type: 'GiveFeedback', appointmentId, rating: 1 + Math.floor(random.next() * 5), comment: 'спасибо доктору' }) });
    }
  }
}

/** The engine on a simulated clock, its batches appended to the log and its closed calls archived. */
class Simulation {
  readonly read: ReadModel;
  commands = 0;
  rejected = 0;
  readonly rejectionSamples: string[] = [];
  now: number;
  readonly #engine: Engine;
  readonly #log: LmdbEventLog<HostRecord>;
  readonly #archive: CallArchive;
  readonly #queue = new ActionQueue();
  #nextTimerAt: number;
  #sinceFlush = 0;
  #position = 0;

  constructor(engine: Engine, log: LmdbEventLog<HostRecord>, archive: CallArchive, startMs: number) {
    this.#engine = engine;
    this.#log = log;
    this.#archive = archive;
    this.now = startMs;
    this.#nextTimerAt = startMs + timerStepMs;
    this.read = new ReadModel(engine);
  }

  schedule(action: Action): void {
    this.#queue.push(action.at < this.now ? { ...action, at: this.now } : action);
  }

  submitNow(command: Command, by: string): Reply | undefined {
    this.commands += 1;
    this.#sinceFlush += 1;
    const result = this.#engine.submit(command, { at: this.now, by });
    if (result.ok) return result.reply;
    this.rejected += 1;
    if (this.rejectionSamples.length < 5 && command.type !== 'RegisterCall') this.rejectionSamples.push(`${command.type}: ${result.rejection.message}`);
    return undefined;
  }

  async runUntil(endMs: number): Promise<void> {
    for (let action = this.#queue.popBefore(endMs); action !== undefined; action = this.#queue.popBefore(endMs)) {
      this.#advanceTo(action.at);
      const command = action.run();
      const reply = command === undefined ? undefined : this.submitNow(command, 'operator:generator');
      if (reply !== undefined) action.then?.(reply);
      if (this.#sinceFlush >= commandsPerEntry) await this.flush();
    }
    this.#advanceTo(endMs);
  }

  #advanceTo(at: number): void {
    while (this.#nextTimerAt <= at) {
      this.#engine.advanceTime(this.#nextTimerAt);
      this.#nextTimerAt += timerStepMs;
    }
    this.now = Math.max(this.now, at);
  }

  /** Appends the pending events as one entry and archives the calls they close. */
  async flush(): Promise<number> {
    this.#sinceFlush = 0;
    const events = this.#engine.takeEvents();
    if (events.length === 0) return this.#position;
    this.#position = await this.#log.append(events);
    await this.#archive.record(events, this.#position, (id) => this.read.call(id));
    return this.#position;
  }
}
