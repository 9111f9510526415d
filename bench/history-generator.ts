/**
 * The data generator: a deterministic region (clinics, subdivisions, districts by street, doctors with weekly
 * hours) and a history of home calls since 2018, decided by the real engine so the log holds exactly what the
 * product would have written. `--scale seed` reproduces the source system's size: 1,355,437 calls, 181,609 of
 * them from the ambulance. Written straight into the engine's LMDB log (one entry per `eventsPerEntry`
 * events), with a snapshot at the end and a progress bar.
 *
 * Run: `node --max-old-space-size=8192 --import tsx bench/history-generator.ts --data-dir ./data/seed --scale seed`
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { createEngine, SequenceIdSource, type Command, type Engine, type AddressedEvent } from '../engine/index.ts';
import type { DoctorInfo, RegionCommand } from '../engine/index.ts';
import { Prng } from '../engine/simulation/prng.ts';
import { LmdbEnvironment } from '../persistence/lmdb-environment.ts';
import { LmdbEventLog } from '../persistence/lmdb-event-log.ts';
import { SnapshotStore } from '../persistence/snapshot-store.ts';
import { encodeState } from '../persistence/state-codec.ts';
import type { HostRecord } from '../persistence/engine-host.ts';
import { CallArchive } from '../persistence/call-archive.ts';
import { TimeIndex } from '../persistence/time-index.ts';
import { ReadModel } from '../engine/read-model.ts';

export const seedScaleCalls = 1_355_437;
export const seedScaleAmbulanceCalls = 181_609;
export const eventsPerEntry = 2_000;
const historyStartMs = Date.UTC(2018, 0, 9, 6, 0);

export interface GeneratorOptions {
  readonly seed: number;
  readonly calls: number;
  readonly clinics: number;
  readonly doctorsPerClinic: number;
  /** The instant the history ends (the last call is registered before it). */
  readonly untilMs: number;
}

const streetNames = ['Свободы', 'Кирова', 'Ленина', 'Чкалова', 'Победы', 'Советская', 'Папанина', 'Строителей', 'Мира', 'Гагарина', 'Пушкина', 'Лесная', 'Садовая', 'Школьная', 'Заводская', 'Молодёжная'];
const surnames = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев', 'Лебедев', 'Семёнов'];
const names = ['Александр', 'Мария', 'Сергей', 'Елена', 'Дмитрий', 'Анна', 'Андрей', 'Ольга', 'Алексей', 'Татьяна'];

/** The directory: clinics with adult and children's subdivisions, one adult and one child district per street. */
export function regionCommands(options: GeneratorOptions): RegionCommand[] {
  const commands: RegionCommand[] = [];
  for (let c = 1; c <= options.clinics; c += 1) {
    const clinicId = `c${c}`;
    commands.push({
      type: 'AddClinic',
      clinic: {
        id: clinicId, name: `Поликлиника № ${c}`, address: `ул. ${streetNames[c % streetNames.length] ?? ''}, ${c}`, phone: `+7485210${String(c).padStart(4, '0')}`,
        timeZone: 'Europe/Moscow',
        subdivisions: [{ id: 'adult', name: 'Взрослое отделение', ageCategory: 'adult' }, { id: 'child', name: 'Детское отделение', ageCategory: 'child' }],
      },
    });
    for (let s = 0; s < 4; s += 1) {
      const street = `ул. ${streetNames[(c * 4 + s) % streetNames.length] ?? ''} ${c}-я`;
      for (const sub of ['adult', 'child'] as const) {
        commands.push({ type: 'AddDistrict', district: { id: `${clinicId}-${sub[0] ?? 'x'}${s}`, clinicId, subdivisionId: sub, name: `Участок ${s + 1}`, rules: [{ street }] } });
      }
    }
    for (let d = 1; d <= options.doctorsPerClinic; d += 1) {
      const child = d % 3 === 0;
      const doctor: DoctorInfo = {
        id: `${clinicId}-d${d}`, clinicId, name: `${surnames[d % surnames.length] ?? ''} ${names[d % names.length]?.[0] ?? ''}. ${names[(d + 3) % names.length]?.[0] ?? ''}.`,
        specialty: child ? 'pediatrician' : 'therapist', subdivisionId: child ? 'child' : 'adult',
        districtIds: [`${clinicId}-${child ? 'c' : 'a'}${d % 4}`],
        weeklyShifts: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startMinutes: 7 * 60, endMinutes: 21 * 60 })),
        homeVisitMinutes: 30,
      };
      commands.push({ type: 'AddDoctor', doctor });
    }
  }
  return commands;
}

interface Pending {
  readonly at: number;
  readonly command: Command;
}

/** A min-heap of future actions by time (assign after registration, complete after assignment). */
class Agenda {
  readonly #items: Pending[] = [];
  push(item: Pending): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as Pending).at <= item.at) break;
      items[i] = items[parent] as Pending;
      i = parent;
    }
    items[i] = item;
  }
  peekAt(): number {
    return this.#items[0]?.at ?? Infinity;
  }
  pop(): Pending | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && (items[left] as Pending).at < (items[smallest] as Pending).at) smallest = left;
      if (right < items.length && (items[right] as Pending).at < (items[smallest] as Pending).at) smallest = right;
      if (smallest === i) break;
      const swap = items[i] as Pending;
      items[i] = items[smallest] as Pending;
      items[smallest] = swap;
      i = smallest;
    }
    return top;
  }
  get size(): number {
    return this.#items.length;
  }
}

/** Drives the engine through the history, handing each batch of events to `sink`. */
export async function generateHistory(
  options: GeneratorOptions,
  sink: (records: AddressedEvent[], engine: Engine, atMs: number) => Promise<void>,
  onProgress?: (done: number) => void,
): Promise<Engine> {
  const rng = new Prng(options.seed);
  const engine = createEngine(new SequenceIdSource('g'));
  for (const command of regionCommands(options)) {
    const result = engine.submit(command, { at: historyStartMs, by: 'admin:generator' });
    if (!result.ok) throw new Error(`generator directory refused: ${JSON.stringify(result.rejection)}`);
  }
  const agenda = new Agenda();
  const stepMs = (options.untilMs - historyStartMs) / options.calls;
  const ambulanceShare = seedScaleAmbulanceCalls / seedScaleCalls;
  const patients = Math.max(10, Math.floor(options.calls / 3));
  let pending: AddressedEvent[] = [];
  // The simulated instant of the last command: when the batch it closes "became durable" (the time index's view).
  let lastAtMs = historyStartMs;
  const flush = async (force: boolean) => {
    pending.push(...engine.takeEvents());
    if (pending.length >= eventsPerEntry || (force && pending.length > 0)) {
      const batch = pending;
      pending = [];
      await sink(batch, engine, lastAtMs);
    }
  };
  const runDue = async (untilMs: number) => {
    while (agenda.size > 0 && agenda.peekAt() <= untilMs) {
      const item = agenda.pop() as Pending;
      engine.advanceTime(item.at);
      const result = engine.submit(item.command, { at: item.at, by: 'operator:generator' });
      lastAtMs = item.at;
      if (result.ok) scheduleNext(item.command, result.reply, item.at);
      await flush(false);
    }
  };
  const scheduleNext = (command: Command, reply: Readonly<Record<string, unknown>>, at: number) => {
    const id = String(reply['id'] ?? '');
    if (command.type === 'RegisterCall' || command.type === 'AcceptCall') {
      if (reply['status'] === 'received') { agenda.push({ at: at + rng.int(1, 15) * 60_000, command: { type: 'AcceptCall', callId: id } }); return; }
      const roll = rng.next();
      if (roll < 0.04) { agenda.push({ at: at + rng.int(5, 120) * 60_000, command: { type: 'CancelCall', callId: id, reason: 'отменён пациентом' } }); return; }
      const clinicId = String(reply['clinicId']);
      const doctor = `${clinicId}-d${rng.int(1, options.doctorsPerClinic)}`;
      const delay = roll < 0.9 ? rng.int(2, 28) : rng.int(31, 180);
      const when = at + delay * 60_000;
      agenda.push({ at: when, command: { type: 'AssignCall', callId: id, doctorId: doctor, visitDate: String(reply['visitDate']) } });
      return;
    }
    if (command.type === 'AssignCall') {
      const hours = rng.chance(0.95) ? rng.int(1, 20) : rng.int(25, 40);
      agenda.push({ at: at + hours * 3_600_000, command: { type: 'CompleteCall', callId: id, diagnosis: rng.pick(['J06.9 ОРВИ', 'J20.9 Бронхит', 'I10 Гипертензия', 'A09 Гастроэнтерит', 'R50.9 Лихорадка']) } });
    }
  };
  for (let i = 0; i < options.calls; i += 1) {
    const at = Math.floor(historyStartMs + i * stepMs);
    await runDue(at);
    engine.advanceTime(at);
    const clinic = rng.int(1, options.clinics);
    const streetIndex = rng.int(0, 3);
    const patientNumber = rng.int(1, patients);
    const child = patientNumber % 4 === 0;
    const source = rng.chance(ambulanceShare) ? 'smp' : rng.pick(['portal', 'call_center', 'call_center', 'registry', 'doctor'] as const);
    const command: Command = {
      type: 'RegisterCall',
      call: {
        source,
        kind: source === 'smp' ? rng.pick(['active_visit', 'urgent'] as const) : rng.chance(0.8) ? 'primary' : 'repeat',
        patient: {
          policy: String(7600000000000000 + patientNumber), surname: surnames[patientNumber % surnames.length] ?? 'Иванов', name: names[patientNumber % names.length] ?? 'Иван',
          birthDate: child ? `20${String(10 + (patientNumber % 12)).padStart(2, '0')}-0${1 + (patientNumber % 9)}-15` : `19${40 + (patientNumber % 55)}-0${1 + (patientNumber % 9)}-1${patientNumber % 10}`,
          sex: patientNumber % 2 === 0 ? 'M' : 'F', phone: `+79${String(100000000 + patientNumber).slice(-9)}`,
        },
        address: { text: `г. Ярославль, ул. ${streetNames[(clinic * 4 + streetIndex) % streetNames.length] ?? ''} ${clinic}-я`, house: String(rng.int(1, 120)), apartment: String(rng.int(1, 200)) },
        complaints: { text: 'температура, слабость', tags: rng.chance(0.5) ? ['temperature', 'weakness'] : ['cough'] },
      },
    };
    const result = engine.submit(command, { at, by: `operator:generator` });
    lastAtMs = at;
    if (result.ok) scheduleNext(command, result.reply, at);
    await flush(false);
    if (i % 5_000 === 0) onProgress?.(i);
  }
  await runDue(Infinity);
  await flush(true);
  onProgress?.(options.calls);
  return engine;
}

export async function generateIntoDataDir(dataDir: string, options: GeneratorOptions, progress = true): Promise<{ position: number; events: number }> {
  mkdirSync(dataDir, { recursive: true });
  const environment = LmdbEnvironment.open({ path: dataDir });
  const log = LmdbEventLog.open<HostRecord>(environment);
  const snapshots = SnapshotStore.open(environment);
  const bar = progress ? new cliProgress.SingleBar({ format: 'calls {bar} {value}/{total} {percentage}% | {eta_formatted} left | {rate}/s', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  const started = Date.now();
  bar?.start(options.calls, 0, { rate: 0 });
  const archive = new CallArchive(environment);
  // When each entry "became durable", at its simulated instant, so time travel (?at=) works on generated history.
  const timeIndex = TimeIndex.open(environment, log.lastPosition(), historyStartMs, { resolutionMs: 1 });
  let events = 0;
  let inFlight: Promise<number> = Promise.resolve(0);
  let position = log.lastPosition();
  const engine = await generateHistory(
    options,
    async (records, current, atMs) => {
      events += records.length;
      await inFlight;
      inFlight = log.append(records);
      // Closed calls are archived while still resident, as the host does after each durable batch.
      position += 1;
      timeIndex.record(position, atMs);
      const read = new ReadModel(current);
      await archive.record(records, position, (id) => read.call(id));
    },
    (done) => bar?.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) }),
  );
  await inFlight;
  await timeIndex.close();
  bar?.stop();
  await snapshots.save(log.lastPosition(), engine.snapshot().map(([address, state]) => [address, encodeState(state)]));
  await log.close();
  await environment.close();
  return { position, events };
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string', default: './data/generated' },
      scale: { type: 'string', default: 'small' },
      calls: { type: 'string' },
      seed: { type: 'string', default: '42' },
    },
  });
  const calls = values.calls !== undefined ? Number(values.calls) : values.scale === 'seed' ? seedScaleCalls : 20_000;
  const clinics = values.scale === 'seed' ? 40 : 5;
  const result = await generateIntoDataDir(values['data-dir'], { seed: Number(values.seed), calls, clinics, doctorsPerClinic: 25, untilMs: Date.UTC(2026, 10, 20) });
  console.log(JSON.stringify({ dataDir: values['data-dir'], calls, ...result }));
}
