/**
 * A simulated disk for the engine host (issue 15; the way TigerBeetle tests its pipeline): a seeded world with
 * virtual time and one event queue, and storage on it — a log, a snapshot store and a call archive — whose writes
 * become durable only when their simulated sync completes, after a latency the seed draws (with rare long
 * stalls), and fail now and then. `crash()` is `kill -9`: every queued event is dropped (the old host's ticks,
 * timers and syncs die with its process), a write in flight lands or not (the seed decides: it reached the disk
 * but its acknowledgement never went out), and only what is durable survives for the next `EngineHost.openOn`.
 *
 * Determinism: every choice comes from the seed, the clock is the world's, and the world runs one event at a time,
 * letting every microtask settle between events (a real `setImmediate`, which the host never sees), so a seed
 * replays exactly.
 *
 * Bounds: `eventsPerRunMax` events per `until` (a host that never settles is a failure, not a hang).
 */
import { strict as assert } from 'node:assert';
import type { AddressedEvent, HomeCall } from '../../engine/index.ts';
import { Prng } from '../../engine/simulation/prng.ts';
import { closedCalls } from '../call-archive.ts';
import type { HostArchive, HostLog, HostLogFrame, HostRecord, HostScheduler, HostSnapshotStore, HostStorage, HostTimer } from '../engine-host.ts';
import { LogClosedError, LogWriteError } from '../event-log.ts';
import type { LogEntry } from '../event-log.ts';
import { decodeLogEntry, encodeLogEntry } from '../log-record-codec.ts';
import type { Snapshot } from '../snapshot-store.ts';

export const eventsPerRunMax = 1_000_000;

export interface DiskProfile {
  /** A sync takes this many ms, plus up to `syncJitterMs`. */
  readonly syncMs: number;
  readonly syncJitterMs: number;
  /** Probability that a sync stalls for `stallMs` instead. */
  readonly stallProbability: number;
  readonly stallMs: number;
  /** Probability that a log write fails (EIO, disk full). */
  readonly writeFailureProbability: number;
  /** Probability that a write in flight at a crash reached the disk anyway. */
  readonly landsAtCrashProbability: number;
}

interface QueuedEvent {
  readonly at: number;
  readonly seq: number;
  readonly epoch: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** Virtual time and the one event queue of the simulated process. */
export class SimulatedWorld {
  readonly rng: Prng;
  now: number;
  epoch = 0;
  #seq = 0;
  #queue: QueuedEvent[] = [];

  constructor(seed: number, startMs: number) {
    this.rng = new Prng(seed);
    this.now = startMs;
  }

  schedule(delayMs: number, run: () => void): QueuedEvent {
    const event: QueuedEvent = { at: this.now + Math.max(0, delayMs), seq: (this.#seq += 1), epoch: this.epoch, run, cancelled: false };
    // Kept sorted by (at, seq): insertion from the end, since most events are due soon.
    let index = this.#queue.length;
    while (index > 0) {
      const before = this.#queue[index - 1];
      if (before === undefined || before.at < event.at || (before.at === event.at && before.seq < event.seq)) break;
      index -= 1;
    }
    this.#queue.splice(index, 0, event);
    return event;
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Runs the next event (time jumps to it), then lets every microtask it started settle. False when idle. */
  async step(): Promise<boolean> {
    const event = this.#queue.shift();
    if (event === undefined) return false;
    this.now = Math.max(this.now, event.at);
    if (!event.cancelled && event.epoch === this.epoch) event.run();
    await settle();
    return true;
  }

  /** Runs events until `promise` settles; throws if the world goes idle first (a deadlock) or runs away. */
  async until<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    await settle();
    for (let events = 0; !settled; events += 1) {
      assert(events < eventsPerRunMax, `the simulation ran ${eventsPerRunMax} events without the awaited step settling`);
      if (!(await this.step())) {
        await settle();
        if (!settled) throw new Error('the simulated world went idle while a step was still waiting: a lost wake-up');
      }
    }
    return watched;
  }

  /** Runs every event due up to `atMs`, then moves the clock there. */
  async runUntil(atMs: number): Promise<void> {
    for (let events = 0; ; events += 1) {
      assert(events < eventsPerRunMax);
      const next = this.#queue[0];
      if (next === undefined || next.at > atMs) break;
      await this.step();
    }
    this.now = Math.max(this.now, atMs);
  }

  /** kill -9: every queued event of the old process is dropped. */
  crash(): void {
    this.epoch += 1;
    this.#queue = [];
  }

  scheduler(): HostScheduler {
    return {
      immediate: (task) => {
        this.schedule(0, task);
      },
      timer: (task, delayMs): HostTimer => {
        const event = this.schedule(delayMs, task);
        return { cancel: () => { event.cancelled = true; } };
      },
    };
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** What survives a crash. */
export class SimulatedDisk {
  readonly frames = new Map<number, Buffer>();
  lastPosition = 0;
  readonly snapshots: Array<{ readonly position: number; readonly entries: ReadonlyArray<[string, Uint8Array]> }> = [];
  readonly archived = new Map<string, HomeCall>();
  archivePosition = 0;
  /** Writes in flight, for the crash to land or drop. */
  inFlight: Array<() => void> = [];
}

export class SimulatedStorage {
  readonly world: SimulatedWorld;
  readonly disk = new SimulatedDisk();
  readonly profile: DiskProfile;

  constructor(world: SimulatedWorld, profile: DiskProfile) {
    this.world = world;
    this.profile = profile;
  }

  /** A sync's latency, drawn from the seed. */
  syncDelayMs(): number {
    const { rng } = this.world;
    if (rng.chance(this.profile.stallProbability)) return this.profile.stallMs;
    return this.profile.syncMs + rng.next() * this.profile.syncJitterMs;
  }

  /** kill -9 of the process using this storage: writes in flight land or not; everything queued is gone. */
  crash(): void {
    const inFlight = this.disk.inFlight;
    this.disk.inFlight = [];
    for (const land of inFlight) if (this.world.rng.chance(this.profile.landsAtCrashProbability)) land();
    this.world.crash();
  }

  /** A fresh process's view of the disk: what `EngineHost.openOn` takes. */
  open(): HostStorage {
    return {
      log: new SimulatedLog(this),
      snapshots: new SimulatedSnapshots(this),
      archive: new SimulatedArchive(this),
      scheduler: this.world.scheduler(),
      close: () => Promise.resolve(),
    };
  }
}

interface PendingAppend {
  readonly position: number;
  readonly frame: Buffer;
  readonly resolve: (position: number) => void;
  readonly reject: (error: unknown) => void;
}

/** The segment log's behaviour on the simulated disk: one write in flight, everything waiting joins the next. */
class SimulatedLog implements HostLog {
  readonly #storage: SimulatedStorage;
  readonly #epoch: number;
  #assigned: number;
  #durable: number;
  #pending: PendingAppend[] = [];
  #writing = false;
  #inFlight = 0;
  #failure: LogWriteError | undefined;
  #closed = false;

  constructor(storage: SimulatedStorage) {
    this.#storage = storage;
    this.#epoch = storage.world.epoch;
    this.#assigned = storage.disk.lastPosition;
    this.#durable = storage.disk.lastPosition;
  }

  append(records: readonly HostRecord[]): Promise<number> {
    if (this.#closed) return Promise.reject(new LogClosedError());
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const frame = encodeLogEntry(records);
    const position = (this.#assigned += 1);
    this.#inFlight += 1;
    return new Promise<number>((resolve, reject) => {
      this.#pending.push({ position, frame, resolve, reject });
      if (!this.#writing) this.#write();
    });
  }

  #write(): void {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) {
      this.#writing = false;
      return;
    }
    this.#writing = true;
    const disk = this.#storage.disk;
    const land = (): void => {
      for (const append of batch) {
        assert.equal(append.position, disk.lastPosition + 1, 'simulated log positions must be contiguous');
        disk.frames.set(append.position, append.frame);
        disk.lastPosition = append.position;
      }
    };
    disk.inFlight.push(land);
    const fails = this.#storage.world.rng.chance(this.#storage.profile.writeFailureProbability);
    this.#storage.world.schedule(this.#storage.syncDelayMs(), () => {
      disk.inFlight = disk.inFlight.filter((candidate) => candidate !== land);
      if (this.#storage.world.epoch !== this.#epoch) return;
      this.#inFlight -= batch.length;
      const first = batch[0];
      if (fails && first !== undefined) {
        this.#failure = new LogWriteError(first.position, 'simulated I/O error');
        for (const append of [...batch, ...this.#pending]) append.reject(this.#failure);
        this.#inFlight -= this.#pending.length;
        this.#pending = [];
        this.#writing = false;
        return;
      }
      land();
      const last = batch.at(-1);
      if (last !== undefined) this.#durable = last.position;
      for (const append of batch) append.resolve(append.position);
      this.#write();
    });
  }

  *read(fromPosition: number): Iterable<LogEntry<HostRecord>> {
    for (let position = Math.max(1, fromPosition); position <= this.#durable; position += 1) {
      const frame = this.#storage.disk.frames.get(position);
      assert(frame !== undefined, `simulated log: position ${position} missing`);
      yield { position, records: decodeLogEntry<HostRecord>(position, frame) };
    }
  }

  *readFrames(fromPosition: number): Iterable<HostLogFrame> {
    for (let position = Math.max(1, fromPosition); position <= this.#durable; position += 1) {
      const frame = this.#storage.disk.frames.get(position);
      assert(frame !== undefined);
      yield { position, frame: Buffer.from(frame) };
    }
  }

  lastPosition(): number {
    return this.#durable;
  }

  firstPosition(): number {
    return 1;
  }

  appendsInFlight(): number {
    return this.#inFlight;
  }

  trimBefore(): Promise<number> {
    return Promise.resolve(0);
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}

class SimulatedSnapshots implements HostSnapshotStore {
  readonly #storage: SimulatedStorage;
  readonly #epoch: number;

  constructor(storage: SimulatedStorage) {
    this.#storage = storage;
    this.#epoch = storage.world.epoch;
  }

  save(position: number, actors: Iterable<[string, Uint8Array]>): Promise<unknown> {
    const entries: Array<[string, Uint8Array]> = [...actors].map(([address, bytes]) => [address, Uint8Array.from(bytes)]);
    return new Promise((resolve) => {
      this.#storage.world.schedule(this.#storage.syncDelayMs(), () => {
        if (this.#storage.world.epoch !== this.#epoch) return;
        const snapshots = this.#storage.disk.snapshots;
        snapshots.push({ position, entries });
        if (snapshots.length > 2) snapshots.shift();
        resolve(undefined);
      });
    });
  }

  latest(): Snapshot | undefined {
    const newest = this.#storage.disk.snapshots.at(-1);
    if (newest === undefined) return undefined;
    const entries = newest.entries;
    return {
      kind: 'complete', position: newest.position, actorCount: entries.length, stateBytes: entries.reduce((sum, [, bytes]) => sum + bytes.length, 0), hash: 'simulated',
      *entries() {
        for (const [address, bytes] of entries) yield [address, Uint8Array.from(bytes)];
      },
    };
  }
}

class SimulatedArchive implements HostArchive {
  readonly #storage: SimulatedStorage;
  readonly #epoch: number;
  readonly #staged = new Map<string, HomeCall>();
  readonly #writing = new Map<string, HomeCall>();
  #position: number;

  constructor(storage: SimulatedStorage) {
    this.#storage = storage;
    this.#epoch = storage.world.epoch;
    this.#position = storage.disk.archivePosition;
  }

  get(callId: string): HomeCall | undefined {
    return this.#staged.get(callId) ?? this.#writing.get(callId) ?? this.#storage.disk.archived.get(callId);
  }

  position(): number {
    return this.#position;
  }

  record(events: readonly AddressedEvent[], position: number, lookup: (callId: string) => HomeCall | undefined): Promise<unknown> {
    return this.#write(closedCalls(events, lookup), position);
  }

  stage(calls: readonly HomeCall[]): void {
    for (const call of calls) this.#staged.set(call.id, call);
  }

  writeStaged(position: number): Promise<unknown> {
    const calls = [...this.#staged.values()];
    this.#staged.clear();
    return this.#write(calls, position);
  }

  *calls(): Iterable<HomeCall> {
    yield* this.#storage.disk.archived.values();
  }

  #write(calls: readonly HomeCall[], position: number): Promise<unknown> {
    const copies = calls.map((call) => structuredClone(call));
    for (const call of copies) this.#writing.set(call.id, call);
    this.#position = Math.max(this.#position, position);
    const disk = this.#storage.disk;
    const land = (): void => {
      for (const call of copies) disk.archived.set(call.id, call);
      disk.archivePosition = Math.max(disk.archivePosition, position);
    };
    disk.inFlight.push(land);
    return new Promise((resolve) => {
      this.#storage.world.schedule(this.#storage.syncDelayMs(), () => {
        disk.inFlight = disk.inFlight.filter((candidate) => candidate !== land);
        if (this.#storage.world.epoch !== this.#epoch) return;
        land();
        for (const call of copies) if (this.#writing.get(call.id) === call) this.#writing.delete(call.id);
        resolve(undefined);
      });
    });
  }
}
