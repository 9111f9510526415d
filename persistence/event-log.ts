/**
 * The write-ahead event log: the contract every implementation keeps, and the errors it speaks.
 *
 * The engine handles the commands of one tick synchronously and hands the log one batch of records; the batch
 * becomes ONE entry at the next position (1, 2, 3, ...). `append` resolves only once the entry is durable, and
 * replies for the tick go out only then (DESIGN rule 3). Several appends may be in flight at once (group commit:
 * the next tick fills while the previous one flushes); they complete in order, and if one fails every later one
 * fails with the same error, so an acknowledged position never sits behind a hole.
 *
 * Bounds: at most `appendsInFlightMax` appends in flight (a caller that exceeds it has a bug: it must watch
 * `appendsInFlight()` and stop sealing ticks), at most `batchRecordsMax` records and `entryPayloadBytesMax` bytes
 * per entry (see log-record-codec.ts). Positions are safe integers, so they never wrap.
 */

/**
 * Default bound on appends in flight. At a tick of a few milliseconds and a disk whose fsync p99 reaches 300 ms
 * (BENCH.md), about a hundred ticks can queue behind one slow flush; 256 leaves room without letting a dead disk
 * grow memory for long.
 */
export const appendsInFlightMaxDefault = 256;

/** One durable entry: the batch of records of one tick, at its position. */
export interface LogEntry<T> {
  readonly position: number;
  readonly records: T[];
}

export interface EventLog<T> {
  /**
   * Appends one batch as one entry and resolves with its position once the entry is durable. Rejects with
   * LogClosedError after close() and with LogWriteError when the storage failed (then every later append rejects
   * too: the caller must stop the process rather than diverge).
   */
  append(records: readonly T[]): Promise<number>;

  /**
   * Durable entries with position >= fromPosition, in order, each decoded into fresh objects. Entries appended
   * while the iteration runs may or may not be seen. Throws LogCorruptionError on a bad checksum, a bad frame or a
   * gap in the positions.
   */
  read(fromPosition: number): Iterable<LogEntry<T>>;

  /** The position of the newest durable entry, or firstPosition() - 1 when the log holds no entry. */
  lastPosition(): number;

  /** The position of the oldest entry still held (trimmed entries are gone), or lastPosition() + 1 when empty. */
  firstPosition(): number;

  /** How many appends have been accepted and are not yet durable (nor failed). */
  appendsInFlight(): number;

  /**
   * Deletes every durable entry with a position below `position` (usually the position of a durable snapshot)
   * and resolves with how many were deleted. Positions are never reused: the next append still gets
   * lastPosition() + 1, also after a restart.
   */
  trimBefore(position: number): Promise<number>;

  /** Waits for the appends in flight, then refuses further appends. Idempotent. */
  close(): Promise<void>;
}

/** An entry failed its checksum, its frame or its decoding, or the positions have a gap. */
export class LogCorruptionError extends Error {
  override readonly name = 'LogCorruptionError';
  readonly position: number;
  readonly reason: string;

  constructor(position: number, reason: string) {
    super(`event log entry at position ${position} is corrupt: ${reason}`);
    this.position = position;
    this.reason = reason;
  }
}

/** The storage refused a write (disk full, I/O error). Fatal: the process must stop rather than diverge. */
export class LogWriteError extends Error {
  override readonly name = 'LogWriteError';
  /** The first position that is not durable. */
  readonly position: number;

  constructor(position: number, message: string, options?: ErrorOptions) {
    super(`event log write failed at position ${position}: ${message}`, options);
    this.position = position;
  }
}

/** append() after close(): the caller's lifecycle is wrong, or it raced shutdown. */
export class LogClosedError extends Error {
  override readonly name = 'LogClosedError';

  constructor() {
    super('event log is closed: appends are refused after close(); open a new log to write again');
  }
}
