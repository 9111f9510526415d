/**
 * The durable host of the engine: recovery at start (newest snapshot + replay of the log after it), the
 * tick pipeline (commands of one event-loop turn decided at once, their events appended as one log entry,
 * replies released only when that entry is on disk), the timer driver (SLA and hold deadlines arrive as
 * `advanceTime` commands), and periodic snapshots.
 *
 * Rule 3: a reply — a rejection too — is released only after every event applied before it is durable, since
 * it may have been decided on that state. If the log cannot be written the host calls `onFatal` (by default:
 * log and exit the process) rather than diverge.
 *
 * Group commit: at most `appendsInFlightMax` log appends are in flight. While they are, the commands of later
 * turns are decided at once but their events wait and join one larger entry when an append completes — the
 * next batch fills while the last one flushes, so under load one fsync carries many commands, and at low load
 * a command waits for one fsync. At most `waitingCommandsMax` commands wait for the log; more wait in
 * `submit` (back-pressure the gateway sees as latency).
 * Bounds: a snapshot every `snapshotEveryEvents` events or `snapshotEveryMs`, whichever
 * comes first; the snapshot's encoding runs on this thread, and its pause is measured (`lastSnapshotPauseMs`).
 */
import { createEngine, ReadModel, type AddressedEvent, type Clock, type Command, type Engine, type IdSource } from '../engine/index.ts';
import type { Address } from '../engine/address.ts';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { LmdbEventLog } from './lmdb-event-log.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { decodeState, encodeState, stateHash } from './state-codec.ts';
import { CallArchive, closedCalls } from './call-archive.ts';
import { IdempotencyLedger, storedResult, type IdempotencyRecord, type StoredResult } from './idempotency-ledger.ts';

/** What the log holds: the engine's events, and the idempotency records written in the same entry. */
export type HostRecord = AddressedEvent | IdempotencyRecord;

export function isIdempotencyRecord(record: HostRecord): record is IdempotencyRecord {
  return 'ledger' in record;
}

/** The snapshot entry that carries the ledger beside the actors. */
export const idempotencySnapshotAddress = 'ledger/idempotency';

export interface SubmitOptions {
  /** The caller-scoped Idempotency-Key and the hash of the request it came with. */
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
}

/** A submit's outcome: the command's result, or a key reused with a different request (HTTP 422). */
export type SubmitOutcome = StoredResult | { readonly ok: false; readonly idempotencyMismatch: true };

export const snapshotEveryEventsDefault = 200_000;
export const snapshotEveryMsDefault = 10 * 60_000;
export const appendsInFlightMax = 2;
export const waitingCommandsMax = 50_000;
/** setTimeout's own limit; a later deadline is re-armed when this passes. */
const timerDelayMsMax = 2_147_483_647;

export interface EngineHostOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly snapshotEveryEvents?: number;
  readonly snapshotEveryMs?: number;
  /** Called with the events of each durable batch, in order (fan-out, projector nudges, webhooks). */
  readonly onDurable?: (events: readonly AddressedEvent[], position: number) => void;
  /** The log could not be written: the process must stop. Default: print and exit(70). */
  readonly onFatal?: (error: unknown) => void;
  /** Called once after recovery, before serving, e.g. to seed a demo region on an empty log. */
  readonly onEmpty?: (host: EngineHost) => Promise<void>;
}

export interface RecoveryReport {
  readonly snapshotPosition: number;
  readonly replayedEntries: number;
  readonly replayedEvents: number;
  readonly lastPosition: number;
  readonly durationMs: number;
}

interface Waiter {
  readonly result: SubmitOutcome;
  readonly resolve: (result: SubmitOutcome) => void;
}

export class EngineHost {
  readonly engine: Engine;
  readonly read: ReadModel;
  readonly recovery: RecoveryReport;
  lastSnapshotPauseMs = 0;
  lastCommitMs = 0;
  readonly #options: EngineHostOptions;
  readonly #environment: LmdbEnvironment;

  /** The writer's own log handle: readers that need `lastPosition()` current (projector) use this one. */
  get log(): LmdbEventLog<HostRecord> {
    return this.#log;
  }

  /** The snapshot store, for archiving snapshots off the box. */
  get snapshots(): SnapshotStore {
    return this.#snapshots;
  }

  /** The LMDB environment, for stores that live beside the log (tokens, webhooks). */
  get environment(): LmdbEnvironment {
    return this.#environment;
  }
  readonly #log: LmdbEventLog<HostRecord>;
  readonly ledger: IdempotencyLedger;
  readonly archive: CallArchive;
  #pendingRecords: IdempotencyRecord[] = [];
  readonly #snapshots: SnapshotStore;
  #waiters: Waiter[] = [];
  #flushScheduled = false;
  #lastDurable: Promise<unknown> = Promise.resolve();
  #assignedPosition: number;
  #appendsInFlight = 0;
  #slotWaiters: Array<() => void> = [];
  #eventsSinceSnapshot = 0;
  #lastSnapshotAt: number;
  #snapshotting = false;
  #snapshotInFlight: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #timerAt: number | undefined;
  #closed = false;
  #failed = false;
  readonly #durableListeners: Array<(events: readonly AddressedEvent[], position: number) => void> = [];
  #positionWaiters: Array<{ readonly target: number; readonly resolve: () => void }> = [];

  private constructor(options: EngineHostOptions, environment: LmdbEnvironment, log: LmdbEventLog<HostRecord>, snapshots: SnapshotStore, engine: Engine, ledger: IdempotencyLedger, recovery: RecoveryReport) {
    this.ledger = ledger;
    this.archive = new CallArchive(environment);
    this.#options = options;
    this.#environment = environment;
    this.#log = log;
    this.#snapshots = snapshots;
    this.engine = engine;
    this.read = new ReadModel(engine, this.archive);
    this.recovery = recovery;
    this.#assignedPosition = log.lastPosition();
    this.#lastSnapshotAt = options.clock.now();
  }

  static async open(options: EngineHostOptions): Promise<EngineHost> {
    const started = performance.now();
    const environment = LmdbEnvironment.open({ path: options.dataDir });
    const log = LmdbEventLog.open<HostRecord>(environment);
    const snapshots = SnapshotStore.open(environment);
    const engine = createEngine(options.ids);
    const { ledger, snapshotPosition, replayedEntries, replayedEvents } = recoverInto(engine, log, snapshots);
    ledger.prune(options.clock.now());
    const recovery = { snapshotPosition, replayedEntries, replayedEvents, lastPosition: log.lastPosition(), durationMs: performance.now() - started };
    const host = new EngineHost(options, environment, log, snapshots, engine, ledger, recovery);
    await host.#catchUpArchive();
    if (log.lastPosition() === 0 && options.onEmpty !== undefined) await options.onEmpty(host);
    host.#armTimer();
    return host;
  }

  /**
   * Decides the command now; resolves with its result once everything it saw and did is durable. With an
   * idempotency key, a repeat of the same request returns the first result and decides nothing.
   */
  async submit(command: Command, by: string, options: SubmitOptions = {}): Promise<SubmitOutcome> {
    if (this.#closed) throw new Error('the engine host is closed: no new commands are accepted');
    while (this.#waiters.length >= waitingCommandsMax) await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    const outcome = this.#decide(command, by, options);
    return new Promise<SubmitOutcome>((resolve) => {
      this.#waiters.push({ result: outcome, resolve });
      this.#scheduleFlush();
    });
  }

  #decide(command: Command, by: string, options: SubmitOptions): SubmitOutcome {
    const idempotency = options.idempotency;
    if (idempotency !== undefined) {
      const found = this.ledger.lookup(idempotency.key, idempotency.requestHash);
      if (found.kind === 'replay') return found.result;
      if (found.kind === 'mismatch') return { ok: false, idempotencyMismatch: true };
    }
    const at = this.#options.clock.now();
    const decided = this.engine.submit(command, { at, by });
    this.#captureClosed(decided.events);
    const result = storedResult(decided);
    if (idempotency !== undefined) {
      const record: IdempotencyRecord = { ledger: 'idempotency', key: idempotency.key, requestHash: idempotency.requestHash, result, at };
      this.ledger.record(record);
      this.#pendingRecords.push(record);
    }
    return result;
  }

  get lastPosition(): number {
    return this.#assignedPosition;
  }

  get durablePosition(): number {
    return this.#log.lastPosition();
  }

  stateHash(): string {
    return stateHash(this.engine.snapshot());
  }

  /** Archives calls closed by entries the archive has not seen (a crash between a commit and its archiving). */
  async #catchUpArchive(): Promise<void> {
    const from = this.archive.position() + 1;
    if (from > this.#log.lastPosition()) return;
    for (const entry of this.#log.read(Math.max(from, this.#log.firstPosition()))) {
      const events = entry.records.filter((record): record is AddressedEvent => !isIdempotencyRecord(record));
      await this.archive.record(events, entry.position, (id) => this.read.call(id));
    }
  }

  /** Subscribes to the events of each durable batch, in order (fan-out, webhooks, projector nudges). */
  onDurable(listener: (events: readonly AddressedEvent[], position: number) => void): void {
    this.#durableListeners.push(listener);
  }

  /** Resolves once every event applied so far is durable: a read barrier for queries. */
  whenDurable(): Promise<void> {
    const pending = this.engine.hasPendingEvents() || this.#pendingRecords.length > 0;
    const target = this.#assignedPosition + (pending ? 1 : 0);
    if (pending) this.#scheduleFlush();
    if (this.#log.lastPosition() >= target) return this.#lastDurable.then(() => undefined);
    return new Promise<void>((resolve) => this.#positionWaiters.push({ target, resolve }));
  }

  /** Fires the timers due at the clock's now; resolves when their events are durable. */
  async advanceTime(): Promise<void> {
    this.#captureClosed(this.engine.advanceTime(this.#options.clock.now()));
    this.#flush();
    await this.#lastDurable;
  }

  /** Writes a snapshot of the current state now (after the current tick is durable). */
  async snapshotNow(): Promise<number> {
    this.#flush();
    await this.#lastDurable;
    return this.#takeSnapshot();
  }

  /** Refuses new commands, finishes the tick in flight, writes a snapshot, closes the storage. Idempotent. */
  async close(options: { snapshot?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#flush();
    await this.#lastDurable.catch(() => undefined);
    await this.#snapshotInFlight;
    if ((options.snapshot ?? true) && !this.#failed && this.#eventsSinceSnapshot > 0) await this.#takeSnapshot().catch(() => undefined);
    await this.#log.close();
    await this.#environment.close();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#appendsInFlight >= appendsInFlightMax) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Seals the tick: its events become one log entry; its replies wait for that entry (or the last one). */
  #flush(): void {
    this.#flushScheduled = false;
    const events = this.engine.takeEvents();
    const records: HostRecord[] = this.#pendingRecords.length === 0 ? events : [...events, ...this.#pendingRecords];
    this.#pendingRecords = [];
    const waiters = this.#waiters;
    this.#waiters = [];
    if (records.length > 0) {
      this.#assignedPosition += 1;
      const position = this.#assignedPosition;
      this.#eventsSinceSnapshot += events.length;
      this.#appendsInFlight += 1;
      const started = performance.now();
      // The archive's writes first: issued in this turn, they share the entry's LMDB transaction.
      void this.archive.writeStaged(position).catch((error: unknown) => this.#fatal(error));
      this.#lastDurable = this.#log.append(records).then(
        (durable) => {
          this.lastCommitMs = performance.now() - started;
          if (durable !== position) this.#fatal(new Error(`log assigned position ${durable}, expected ${position}`));
          this.#releaseSlot();
          if (this.#positionWaiters.length > 0) {
            const ready = this.#positionWaiters.filter((w) => w.target <= position);
            this.#positionWaiters = this.#positionWaiters.filter((w) => w.target > position);
            for (const waiter of ready) waiter.resolve();
          }
          this.#options.onDurable?.(events, position);
          for (const listener of this.#durableListeners) listener(events, position);
        },
        (error: unknown) => {
          this.#releaseSlot();
          this.#fatal(error);
          throw error;
        },
      );
    }
    const durable = this.#lastDurable;
    if (waiters.length > 0) void durable.then(() => { for (const w of waiters) w.resolve(w.result); }, () => undefined);
    this.#armTimer();
    this.#maybeSnapshot();
  }

  /**
   * Calls closed by these events, copied when decided and staged in the archive (readable there at once): a
   * later command may evict them before their entry is written (a clock jump), and the archive write goes
   * out with that entry.
   */
  #captureClosed(events: readonly AddressedEvent[]): void {
    if (events.length > 0) this.archive.stage(closedCalls(events, (id) => this.read.call(id)));
  }

  /** An append completed: the commands that waited meanwhile go out as the next entry. */
  #releaseSlot(): void {
    this.#appendsInFlight -= 1;
    if (this.#waiters.length > 0 || this.engine.hasPendingEvents() || this.#pendingRecords.length > 0) this.#scheduleFlush();
    while (this.#slotWaiters.length > 0 && this.#waiters.length < waitingCommandsMax) this.#slotWaiters.shift()?.();
  }

  #armTimer(): void {
    if (this.#closed) return;
    const next = this.engine.nextTimerAt();
    if (next === this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = next;
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.#options.clock.now()), timerDelayMsMax);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      if (this.#closed) return;
      this.#captureClosed(this.engine.advanceTime(this.#options.clock.now()));
      this.#scheduleFlush();
      this.#armTimer();
    }, delay);
    this.#timer.unref();
  }

  #maybeSnapshot(): void {
    if (this.#snapshotting || this.#closed) return;
    const everyEvents = this.#options.snapshotEveryEvents ?? snapshotEveryEventsDefault;
    const everyMs = this.#options.snapshotEveryMs ?? snapshotEveryMsDefault;
    const due = this.#eventsSinceSnapshot >= everyEvents || (this.#eventsSinceSnapshot > 0 && this.#options.clock.now() - this.#lastSnapshotAt >= everyMs);
    if (due) this.#snapshotInFlight = this.#takeSnapshot().catch((error: unknown) => console.error('snapshot failed; the log still holds everything', error));
  }

  /** Encodes every actor now (the pause), then saves once the position it covers is durable. */
  async #takeSnapshot(): Promise<number> {
    this.#snapshotting = true;
    try {
      const started = performance.now();
      const position = this.#assignedPosition;
      const entries: Array<[string, Uint8Array]> = this.engine.snapshot().map(([address, state]) => [address, encodeState(state)]);
      this.ledger.prune(this.#options.clock.now());
      entries.push([idempotencySnapshotAddress, encodeState(this.ledger.toSnapshot())]);
      this.lastSnapshotPauseMs = performance.now() - started;
      this.#eventsSinceSnapshot = 0;
      this.#lastSnapshotAt = this.#options.clock.now();
      await this.#lastDurable;
      await this.#snapshots.save(position, entries);
      return position;
    } finally {
      this.#snapshotting = false;
    }
  }

  #fatal(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    const onFatal = this.#options.onFatal ?? ((e: unknown) => {
      console.error('FATAL: the event log cannot be written; stopping rather than diverging', e);
      process.exit(70);
    });
    onFatal(error);
  }
}

export interface Recovered {
  readonly ledger: IdempotencyLedger;
  readonly snapshotPosition: number;
  readonly replayedEntries: number;
  readonly replayedEvents: number;
}

/** Restores the newest valid snapshot into the engine and replays the log after it (up to `toPosition`). */
export function recoverInto(engine: Engine, log: LmdbEventLog<HostRecord>, snapshots: SnapshotStore, toPosition = Number.MAX_SAFE_INTEGER): Recovered {
  let snapshotPosition = 0;
  let ledger = new IdempotencyLedger();
  const snapshot = snapshots.latest();
  if (snapshot !== undefined && snapshot.position <= toPosition) {
    const actors: Array<[Address, unknown]> = [];
    for (const [address, bytes] of snapshot.entries()) {
      if (address === idempotencySnapshotAddress) ledger = IdempotencyLedger.fromSnapshot(decodeState(bytes) as IdempotencyRecord[]);
      else actors.push([address as Address, decodeState(bytes)]);
    }
    engine.restore(actors);
    snapshotPosition = snapshot.position;
  }
  let replayedEntries = 0;
  let replayedEvents = 0;
  for (const entry of log.read(snapshotPosition + 1)) {
    if (entry.position > toPosition) break;
    for (const record of entry.records) {
      if (isIdempotencyRecord(record)) ledger.record(record);
      else engine.apply(record);
    }
    replayedEntries += 1;
    replayedEvents += entry.records.length;
  }
  return { ledger, snapshotPosition, replayedEntries, replayedEvents };
}
