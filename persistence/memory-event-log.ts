/**
 * An in-memory EventLog for tests and the seeded simulation. It encodes every batch with the same frame codec as
 * the LMDB log (so callers cannot mutate a stored entry and a record that cannot be encoded fails here too) and
 * makes appends durable on a later macrotask, all pending appends at once, so group commit and several appends in
 * flight behave as on disk.
 *
 * The durable part lives in a MemoryLogStorage that outlives the log: a simulated crash is "drop the log, keep
 * the storage, open a new log on it"; whatever was in flight is lost, as on disk. `injectWriteFailure` makes the
 * next flush fail like a full disk.
 *
 * Bounds: `appendsInFlightMax` appends in flight (default appendsInFlightMaxDefault), and the codec's per-entry
 * bounds.
 */
import { strict as assert } from 'node:assert';
import {
  LogClosedError,
  LogCorruptionError,
  LogWriteError,
  appendsInFlightMaxDefault,
} from './event-log.ts';
import type { EventLog, LogEntry } from './event-log.ts';
import { decodeLogEntry, encodeLogEntry } from './log-record-codec.ts';

/** The durable state of a memory log: frames by position. Survives the log object, like a disk. */
export class MemoryLogStorage {
  readonly frames = new Map<number, Buffer>();
  /** The oldest position held, or lastPosition + 1 when empty; moves only forward (trim). */
  firstPosition = 1;
  lastPosition = 0;
}

export interface MemoryEventLogOptions {
  readonly storage?: MemoryLogStorage;
  readonly appendsInFlightMax?: number;
}

interface PendingAppend {
  readonly position: number;
  readonly frame: Buffer;
  readonly resolve: (position: number) => void;
  readonly reject: (error: Error) => void;
}

export class MemoryEventLog<T> implements EventLog<T> {
  readonly storage: MemoryLogStorage;
  private readonly appendsInFlightMax: number;
  private readonly pending: PendingAppend[] = [];
  private positionAssignedLast: number;
  private flushScheduled = false;
  private failure: LogWriteError | undefined;
  private failureInjected: string | undefined;
  private closing: Promise<void> | undefined;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(options: MemoryEventLogOptions = {}) {
    this.storage = options.storage ?? new MemoryLogStorage();
    this.appendsInFlightMax = options.appendsInFlightMax ?? appendsInFlightMaxDefault;
    assert(Number.isSafeInteger(this.appendsInFlightMax) && this.appendsInFlightMax >= 1);
    this.positionAssignedLast = this.storage.lastPosition;
  }

  append(records: readonly T[]): Promise<number> {
    if (this.closing !== undefined) return Promise.reject(new LogClosedError());
    if (this.failure !== undefined) return Promise.reject(this.failure);
    assert(
      this.pending.length < this.appendsInFlightMax,
      `${this.pending.length} appends in flight: the caller must wait until appendsInFlight() < ${this.appendsInFlightMax}`,
    );
    // Encoding now, not at flush, copies the records before the caller can mutate them.
    const frame = encodeLogEntry(records);
    const position = ++this.positionAssignedLast;
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ position, frame, resolve, reject });
      this.scheduleFlush();
    });
  }

  *read(fromPosition: number): Iterable<LogEntry<T>> {
    assert(Number.isSafeInteger(fromPosition), `fromPosition must be a safe integer, got ${fromPosition}`);
    for (let position = Math.max(fromPosition, this.storage.firstPosition); position <= this.storage.lastPosition; position++) {
      const frame = this.storage.frames.get(position);
      // A position between first and last that is missing means a trim raced this iteration: the caller read
      // entries it had itself allowed to be trimmed. Report it as a gap rather than skip silently.
      if (frame === undefined) throw new LogCorruptionError(position, 'entry missing (gap in positions)');
      yield { position, records: decodeLogEntry<T>(position, frame) };
    }
  }

  lastPosition(): number {
    return this.storage.lastPosition;
  }

  firstPosition(): number {
    return this.storage.firstPosition;
  }

  appendsInFlight(): number {
    return this.pending.length;
  }

  trimBefore(position: number): Promise<number> {
    assert(Number.isSafeInteger(position), `trimBefore needs a safe integer position, got ${position}`);
    if (this.closing !== undefined) return Promise.reject(new LogClosedError());
    const storage = this.storage;
    const end = Math.min(position, storage.lastPosition + 1);
    let deleted = 0;
    for (let trimmed = storage.firstPosition; trimmed < end; trimmed++) {
      if (storage.frames.delete(trimmed)) deleted++;
    }
    storage.firstPosition = Math.max(storage.firstPosition, end);
    return Promise.resolve(deleted);
  }

  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  /** Makes the next flush fail as a full disk would: its appends and every later one reject with LogWriteError. */
  injectWriteFailure(message: string): void {
    this.failureInjected = message;
  }

  private drain(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A macrotask, not a microtask: appends of the same event-loop turn form one group, like an LMDB transaction.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const group = this.pending.splice(0, this.pending.length);
    const first = group[0];
    if (first === undefined) return;
    if (this.failureInjected !== undefined) {
      this.failure = new LogWriteError(first.position, this.failureInjected);
      for (const append of group) append.reject(this.failure);
    } else {
      for (const append of group) {
        assert.equal(append.position, this.storage.lastPosition + 1, 'memory log positions must be contiguous');
        this.storage.frames.set(append.position, append.frame);
        this.storage.lastPosition = append.position;
      }
      for (const append of group) append.resolve(append.position);
    }
    if (this.pending.length === 0) {
      for (const resolve of this.idleWaiters.splice(0, this.idleWaiters.length)) resolve();
    }
  }
}
