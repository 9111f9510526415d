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
 * Storage is injected (DESIGN "The durable path, measured"): `EngineHost.openOn(storage, options)` takes the
 * log, the snapshot store, the call archive and a scheduler for the tick and the timers, so the seeded
 * simulation (persistence/simulation/) can run the same pipeline on a simulated disk and crash it anywhere.
 * `EngineHost.open(options)` is the product's factory: LMDB for snapshots, archive and stores, the segment log
 * beside it (persistence/host-storage.ts).
 *
 * One synced write per tick: the tick's entry is appended at once (the log coalesces entries that arrive while
 * its previous write is syncing into its next write: group commit without a timer, so a lone command waits for
 * exactly one sync and load turns into larger writes). Nothing else is on the acknowledgement path: the archive
 * of closed calls is written after the entry is durable (it is a projection of the log; recovery re-archives
 * from the log what a crash lost), and snapshots, token stamps and webhook cursors are LMDB commits of their own
 * that no reply waits for. At most `appendsInFlightMax` entries are in flight; while that many are, later turns'
 * commands are decided and join one entry when an append completes. At most `waitingCommandsMax` commands wait
 * for the log; more wait in `submit` (back-pressure the gateway sees as latency).
 *
 * Bounds: a snapshot every `snapshotEveryEvents` events or `snapshotEveryMs`, whichever comes first. With a
 * snapshot builder (the product's storage) the encoding runs on the builder's thread, off this one; without one
 * (the simulation), and for the snapshot written by close(), it runs here at once (evolve mutates in place, so it
 * cannot be sliced over turns) and its pause is measured (`lastSnapshotPauseMs`).
 */
import { createEngine, ReadModel, type AddressedEvent, type Clock, type Command, type Engine, type HomeCall, type IdSource } from '../engine/index.ts';
import type { Address } from '../engine/address.ts';
import type { LmdbEnvironment } from './lmdb-environment.ts';
import type { EventLog, LogEntry } from './event-log.ts';
import type { Snapshot } from './snapshot-store.ts';
import { decodeState, encodeState, stateHash } from './state-codec.ts';
import { closedCalls } from './call-archive.ts';
import { IdempotencyLedger, storedResult, type IdempotencyRecord, type StoredResult } from './idempotency-ledger.ts';
import { idempotencySnapshotAddress, isIdempotencyRecord, type HostArchive, type HostLog, type HostRecord, type HostScheduler, type HostSnapshotStore, type HostStorage, type HostTimer } from './host-ports.ts';

export {
  idempotencySnapshotAddress, isIdempotencyRecord, nodeScheduler,
  type HostArchive, type HostLog, type HostLogFrame, type HostRecord, type HostScheduler, type HostSnapshotStore, type HostStorage, type HostTimer,
} from './host-ports.ts';

export interface SubmitOptions {
  /** The caller-scoped Idempotency-Key and the hash of the request it came with. */
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
}

/** A submit's outcome: the command's result, or a key reused with a different request (HTTP 422). */
export type SubmitOutcome = StoredResult | { readonly ok: false; readonly idempotencyMismatch: true };

export const snapshotEveryEventsDefault = 200_000;
export const snapshotEveryMsDefault = 10 * 60_000;
/**
 * Entries in flight at once. The segment log writes every entry waiting when its previous write completes in one
 * write, so this bounds memory while the disk stalls, not the batching: 64 turns of commands queue behind one
 * slow sync before later turns are merged into one entry.
 */
export const appendsInFlightMax = 64;
export const waitingCommandsMax = 50_000;
/** setTimeout's own limit; a later deadline is re-armed when this passes. */
const timerDelayMsMax = 2_147_483_647;

/** The stages of one tick, in milliseconds (stage histograms on /metrics: gateway/durable-stage-metrics.ts). */
export interface TickStages {
  readonly commands: number;
  readonly records: number;
  /** Time the engine spent deciding this tick's commands. */
  readonly decideMs: number;
  /** From the tick's first command being decided to the tick being sealed (the wait for the tick to close). */
  readonly sealWaitMs: number;
  /** Encoding the entry and handing it to the log. */
  readonly appendMs: number;
  /** From the hand-off to the entry being durable (the write, its sync, and any write ahead of it). */
  readonly syncMs: number;
}

export interface EngineHostOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly snapshotEveryEvents?: number;
  readonly snapshotEveryMs?: number;
  /** Where the segment log's synced write runs (LOG_WRITE_ON); default segment-event-log.ts's. */
  readonly logWriteOn?: 'engine-thread' | 'threadpool';
  /** Called with the events of each durable batch, in order (fan-out, projector nudges, webhooks). */
  readonly onDurable?: (events: readonly AddressedEvent[], position: number) => void;
  /** The log could not be written: the process must stop. Default: print and exit(70). */
  readonly onFatal?: (error: unknown) => void;
  /** Called once after recovery, before serving, e.g. to seed a demo region on an empty log. */
  readonly onEmpty?: (host: EngineHost) => Promise<void>;
}

export type EngineHostStorageOptions = Omit<EngineHostOptions, 'dataDir'>;

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
  readonly #options: EngineHostStorageOptions;
  readonly #storage: HostStorage;
  readonly #scheduler: HostScheduler;

  /** The writer's own log handle: readers that need `lastPosition()` current (projector, outbox) use this one. */
  get log(): HostLog {
    return this.#log;
  }

  /** The snapshot store, for archiving snapshots off the box. */
  get snapshots(): HostSnapshotStore {
    return this.#storage.snapshots;
  }

  /** The LMDB environment, for stores that live beside the log (tokens, webhooks). */
  get environment(): LmdbEnvironment {
    const environment = this.#storage.environment;
    if (environment === undefined) throw new Error('this host runs on storage without an LMDB environment (a simulation)');
    return environment;
  }
  readonly #log: HostLog;
  readonly ledger: IdempotencyLedger;
  readonly archive: HostArchive;
  #pendingRecords: IdempotencyRecord[] = [];
  #waiters: Waiter[] = [];
  #flushScheduled = false;
  #lastDurable: Promise<unknown> = Promise.resolve();
  #assignedPosition: number;
  #slotWaiters: Array<() => void> = [];
  #eventsSinceSnapshot = 0;
  #lastSnapshotAt: number;
  #snapshotting = false;
  #snapshotInFlight: Promise<unknown> = Promise.resolve();
  #timer: HostTimer | undefined;
  #timerAt: number | undefined;
  #closed = false;
  #failed = false;
  /** This tick's stage clock: when its first command was decided, and the engine time spent deciding. */
  #tickStartedAt: number | undefined;
  #tickDecideMs = 0;
  #tickCommands = 0;
  readonly #durableListeners: Array<(events: readonly AddressedEvent[], position: number) => void> = [];
  readonly #stageListeners: Array<(stages: TickStages) => void> = [];
  #positionWaiters: Array<{ readonly target: number; readonly resolve: () => void }> = [];

  private constructor(options: EngineHostStorageOptions, storage: HostStorage, engine: Engine, ledger: IdempotencyLedger, recovery: RecoveryReport) {
    this.ledger = ledger;
    this.archive = storage.archive;
    this.#options = options;
    this.#storage = storage;
    this.#scheduler = storage.scheduler;
    this.#log = storage.log;
    this.engine = engine;
    this.read = new ReadModel(engine, this.archive);
    this.recovery = recovery;
    this.#assignedPosition = storage.log.lastPosition();
    this.#lastSnapshotAt = options.clock.now();
  }

  /** The product's host: LMDB beside the segment log in `dataDir` (persistence/host-storage.ts). */
  static async open(options: EngineHostOptions): Promise<EngineHost> {
    const { openHostStorage } = await import('./host-storage.ts');
    const storage = await openHostStorage(options.dataDir, options.logWriteOn);
    try {
      return await EngineHost.openOn(storage, options);
    } catch (error) {
      await storage.close().catch(() => undefined);
      throw error;
    }
  }

  /** Recovers a host on the given storage: newest snapshot, then the log after it, re-archiving what a crash lost. */
  static async openOn(storage: HostStorage, options: EngineHostStorageOptions): Promise<EngineHost> {
    const started = performance.now();
    const engine = createEngine(options.ids);
    const archive = storage.archive;
    const archived: Promise<unknown>[] = [];
    const resident = new ReadModel(engine);
    const lookup = (id: string): HomeCall | undefined => resident.call(id);
    const { ledger, snapshotPosition, replayedEntries, replayedEvents } = recoverInto(engine, storage.log, storage.snapshots, Number.MAX_SAFE_INTEGER, (entry) => {
      // Calls closed by entries the archive has not seen, read right after their entry (before a later entry can evict them).
      if (entry.position <= archive.position()) return;
      const events = entry.records.filter((record): record is AddressedEvent => !isIdempotencyRecord(record));
      archived.push(archive.record(events, entry.position, lookup));
    });
    await Promise.all(archived);
    ledger.prune(options.clock.now());
    const recovery = { snapshotPosition, replayedEntries, replayedEvents, lastPosition: storage.log.lastPosition(), durationMs: performance.now() - started };
    const host = new EngineHost(options, storage, engine, ledger, recovery);
    if (storage.log.lastPosition() === 0 && options.onEmpty !== undefined) await options.onEmpty(host);
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
    const started = performance.now();
    const outcome = this.#decide(command, by, options);
    this.#tickStartedAt ??= started;
    this.#tickDecideMs += performance.now() - started;
    this.#tickCommands += 1;
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

  /** Subscribes to the events of each durable batch, in order (fan-out, webhooks, projector nudges). */
  onDurable(listener: (events: readonly AddressedEvent[], position: number) => void): void {
    this.#durableListeners.push(listener);
  }

  /** Subscribes to the stage timings of each durable tick (the stage histograms). */
  onTickStages(listener: (stages: TickStages) => void): void {
    this.#stageListeners.push(listener);
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
    this.#timer?.cancel();
    this.#flush();
    await this.#lastDurable.catch(() => undefined);
    await this.#snapshotInFlight;
    // On this thread: the process is stopping, so a pause costs nothing, and a cold builder would replay the log.
    if ((options.snapshot ?? true) && !this.#failed && this.#eventsSinceSnapshot > 0) await this.#takeSnapshot('engine-thread').catch(() => undefined);
    await this.#log.close();
    await this.#storage.snapshotBuilder?.close();
    await this.#storage.close();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#log.appendsInFlight() >= appendsInFlightMax) return;
    this.#flushScheduled = true;
    this.#scheduler.immediate(() => this.#flush());
  }

  /** Seals the tick: its events become one log entry; its replies wait for that entry (or the last one). */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#failed) return;
    const sealedAt = performance.now();
    const events = this.engine.takeEvents();
    const records: HostRecord[] = this.#pendingRecords.length === 0 ? events : [...events, ...this.#pendingRecords];
    this.#pendingRecords = [];
    const waiters = this.#waiters;
    this.#waiters = [];
    const stages = { commands: this.#tickCommands, decideMs: this.#tickDecideMs, sealWaitMs: this.#tickStartedAt === undefined ? 0 : sealedAt - this.#tickStartedAt };
    this.#tickStartedAt = undefined;
    this.#tickDecideMs = 0;
    this.#tickCommands = 0;
    if (records.length > 0) {
      this.#assignedPosition += 1;
      const position = this.#assignedPosition;
      this.#eventsSinceSnapshot += events.length;
      const appended = this.#log.append(records);
      const handedOffAt = performance.now();
      this.#lastDurable = appended.then(
        (durable) => {
          const durableAt = performance.now();
          this.lastCommitMs = durableAt - handedOffAt;
          if (durable !== position) this.#fatal(new Error(`log assigned position ${durable}, expected ${position}`));
          // The archive is a projection of the log: written now, off the acknowledgement path; recovery re-archives
          // from the log whatever a crash loses here.
          void this.archive.writeStaged(position).catch((error: unknown) => console.error('call archive write failed; recovery re-archives it from the log', error));
          this.#releaseSlot();
          if (this.#positionWaiters.length > 0) {
            const ready = this.#positionWaiters.filter((w) => w.target <= position);
            this.#positionWaiters = this.#positionWaiters.filter((w) => w.target > position);
            for (const waiter of ready) waiter.resolve();
          }
          this.#options.onDurable?.(events, position);
          for (const listener of this.#durableListeners) listener(events, position);
          if (this.#stageListeners.length > 0) {
            const tick: TickStages = { ...stages, records: records.length, appendMs: handedOffAt - sealedAt, syncMs: durableAt - handedOffAt };
            for (const listener of this.#stageListeners) listener(tick);
          }
        },
        (error: unknown) => {
          this.#fatal(error);
          throw error;
        },
      );
    }
    const durable = this.#lastDurable;
    // A failed entry went to onFatal already; whoever awaits it later sees the rejection, nobody else must.
    durable.catch(() => undefined);
    if (waiters.length > 0) void durable.then(() => { for (const w of waiters) w.resolve(w.result); }, () => undefined);
    this.#armTimer();
    this.#maybeSnapshot();
  }

  /**
   * Calls closed by these events, copied when decided and staged in the archive (readable there at once): a
   * later command may evict them before their entry is written (a clock jump), and the archive write goes
   * out once that entry is durable.
   */
  #captureClosed(events: readonly AddressedEvent[]): void {
    if (events.length > 0) this.archive.stage(closedCalls(events, (id) => this.read.call(id)));
  }

  /** An append completed: the commands that waited meanwhile go out as the next entry. */
  #releaseSlot(): void {
    if (this.#waiters.length > 0 || this.engine.hasPendingEvents() || this.#pendingRecords.length > 0) this.#scheduleFlush();
    while (this.#slotWaiters.length > 0 && this.#waiters.length < waitingCommandsMax) this.#slotWaiters.shift()?.();
  }

  #armTimer(): void {
    if (this.#closed) return;
    const next = this.engine.nextTimerAt();
    if (next === this.#timerAt) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = next;
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.#options.clock.now()), timerDelayMsMax);
    this.#timer = this.#scheduler.timer(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      if (this.#closed) return;
      this.#captureClosed(this.engine.advanceTime(this.#options.clock.now()));
      this.#scheduleFlush();
      this.#armTimer();
    }, delay);
  }

  #maybeSnapshot(): void {
    if (this.#snapshotting || this.#closed) return;
    const everyEvents = this.#options.snapshotEveryEvents ?? snapshotEveryEventsDefault;
    const everyMs = this.#options.snapshotEveryMs ?? snapshotEveryMsDefault;
    const due = this.#eventsSinceSnapshot >= everyEvents || (this.#eventsSinceSnapshot > 0 && this.#options.clock.now() - this.#lastSnapshotAt >= everyMs);
    if (due) this.#snapshotInFlight = this.#takeSnapshot().catch((error: unknown) => console.error('snapshot failed; the log still holds everything', error));
  }

  /**
   * Encodes every actor now (the pause), then saves once the position it covers is durable; or, with a snapshot
   * builder, waits for the position to be durable and lets the builder's thread encode it.
   */
  async #takeSnapshot(where: 'builder' | 'engine-thread' = 'builder'): Promise<number> {
    this.#snapshotting = true;
    try {
      const builder = this.#storage.snapshotBuilder;
      if (builder !== undefined && where === 'builder') return await this.#buildSnapshotElsewhere(builder);
      const started = performance.now();
      const position = this.#assignedPosition;
      const entries: Array<[string, Uint8Array]> = this.engine.snapshot().map(([address, state]) => [address, encodeState(state)]);
      this.ledger.prune(this.#options.clock.now());
      entries.push([idempotencySnapshotAddress, encodeState(this.ledger.toSnapshot())]);
      this.lastSnapshotPauseMs = performance.now() - started;
      this.#eventsSinceSnapshot = 0;
      this.#lastSnapshotAt = this.#options.clock.now();
      await this.#lastDurable;
      await this.#storage.snapshots.save(position, entries);
      return position;
    } finally {
      this.#snapshotting = false;
    }
  }

  async #buildSnapshotElsewhere(builder: NonNullable<HostStorage['snapshotBuilder']>): Promise<number> {
    if (this.engine.hasPendingEvents() || this.#pendingRecords.length > 0) this.#flush();
    const position = this.#assignedPosition;
    this.#eventsSinceSnapshot = 0;
    this.#lastSnapshotAt = this.#options.clock.now();
    await this.#lastDurable;
    const entries = await builder.build(position, this.#options.clock.now());
    const started = performance.now();
    await this.#storage.snapshots.save(position, entries);
    // What the engine thread spent on it: receiving the bytes is done by now; this is the store's part.
    this.lastSnapshotPauseMs = performance.now() - started;
    return position;
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
export function recoverInto(
  engine: Engine,
  log: EventLog<HostRecord>,
  snapshots: { latest(): Snapshot | undefined },
  toPosition = Number.MAX_SAFE_INTEGER,
  afterEntry?: (entry: LogEntry<HostRecord>) => void,
): Recovered {
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
    afterEntry?.(entry);
    replayedEntries += 1;
    replayedEvents += entry.records.length;
  }
  return { ledger, snapshotPosition, replayedEntries, replayedEvents };
}
