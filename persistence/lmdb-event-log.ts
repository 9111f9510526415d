/**
 * The EventLog on LMDB: one entry per tick under its position (an ordered-binary number key, so positions are safe
 * integers and never wrap the way a uint32 key would after ~50 days of millisecond ticks), the value is the framed
 * batch of log-record-codec.ts, verified on every read.
 *
 * Group commit: `append` issues a plain lmdb-js `put` at once, without a transaction callback. lmdb-js gathers the
 * puts of one event-loop turn into one transaction on its write thread; turns that arrive while a commit is syncing
 * queue up behind it, so several appends are in flight and each resolves when its transaction is on disk (the
 * environment is opened with overlappingSync off, see lmdb-environment.ts). Completion is chained in position
 * order, and the first failure poisons every later append, so an acknowledged position never follows a hole.
 *
 * Opening checks the tail: the positions must be contiguous and the newest `tailEntriesVerified` entries must pass
 * their checksum and decode. A bad tail throws LogCorruptionError; nothing is truncated unless the caller runs
 * `LmdbEventLog.repairTail` after deciding to. A failed commit (disk full, I/O error) becomes LogWriteError.
 *
 * Bounds: `appendsInFlightMax` appends in flight, `trimEntriesPerTransactionMax` deletions per trim transaction,
 * the codec's per-entry bounds.
 */
import { strict as assert } from 'node:assert';
import type { Database } from 'lmdb';
import {
  LogClosedError,
  LogCorruptionError,
  LogWriteError,
  appendsInFlightMaxDefault,
} from './event-log.ts';
import type { EventLog, LogEntry } from './event-log.ts';
import type { LmdbEnvironment } from './lmdb-environment.ts';
import { explainLmdbWriteFailure } from './lmdb-write-failure.ts';
import { decodeLogEntry, encodeLogEntry, verifyLogEntryFrame } from './log-record-codec.ts';

export const logDatabaseName = 'event-log';
export const logMetaDatabaseName = 'event-log-meta';
/** Meta key: the oldest position not trimmed, so positions are never reused after the log is trimmed empty. */
const firstPositionKey = 'firstPosition';
/**
 * Every append that could have been in flight at a crash, by default. LMDB commits are atomic, so a damaged tail
 * means damaged media or a bug, and that is where the newest writes went.
 */
export const tailEntriesVerifiedDefault = appendsInFlightMaxDefault;
/** Keeps one trim transaction (and the writer lock it holds) to a few milliseconds. */
export const trimEntriesPerTransactionMax = 10_000;

export interface LmdbEventLogOptions {
  readonly appendsInFlightMax?: number;
  readonly tailEntriesVerified?: number;
}

/** What repairTail found and did. Nothing is deleted when the tail is intact. */
export type TailRepair =
  | { readonly kind: 'intact'; readonly lastPosition: number }
  | {
      readonly kind: 'truncated';
      readonly fromPosition: number;
      readonly entriesRemoved: number;
      readonly reason: string;
    };

/** One entry as stored: its verified frame, a copy the caller owns (for an archive that must match byte for byte). */
export interface LogFrame {
  readonly position: number;
  readonly frame: Buffer;
}

type EntryDatabase = Database<Buffer, number>;
type MetaDatabase = Database<number, string>;

interface LogBounds {
  readonly first: number;
  readonly last: number;
}

export class LmdbEventLog<T> implements EventLog<T> {
  private readonly environment: LmdbEnvironment;
  private readonly entries: EntryDatabase;
  private readonly meta: MetaDatabase;
  private readonly appendsInFlightMax: number;
  private positionFirst: number;
  private positionDurableLast: number;
  private positionAssignedLast: number;
  private inFlight = 0;
  /** Settles (never rejects) once the newest append has settled: the order chain. */
  private appendTail: Promise<void> = Promise.resolve();
  private trimTail: Promise<unknown> = Promise.resolve();
  private failure: LogWriteError | undefined;
  private closing: Promise<void> | undefined;

  private constructor(environment: LmdbEnvironment, options: LmdbEventLogOptions) {
    this.environment = environment;
    this.appendsInFlightMax = options.appendsInFlightMax ?? appendsInFlightMaxDefault;
    assert(Number.isSafeInteger(this.appendsInFlightMax) && this.appendsInFlightMax >= 1);
    this.entries = environment.openDatabase<Buffer, number>(logDatabaseName, { encoding: 'binary' });
    this.meta = environment.openDatabase<number, string>(logMetaDatabaseName, {});
    const tailEntriesVerified = options.tailEntriesVerified ?? tailEntriesVerifiedDefault;
    const check = checkLog<T>(this.entries, this.meta, tailEntriesVerified);
    if (check.kind === 'corrupt') throw check.error;
    this.positionFirst = check.bounds.first;
    this.positionDurableLast = check.bounds.last;
    this.positionAssignedLast = check.bounds.last;
  }

  /**
   * Opens the log in an environment (writer or read-only). Throws LogCorruptionError when the tail is damaged or
   * the positions have a gap; see repairTail.
   */
  static open<T>(environment: LmdbEnvironment, options: LmdbEventLogOptions = {}): LmdbEventLog<T> {
    return new LmdbEventLog<T>(environment, options);
  }

  /**
   * Deletes the damaged tail: every entry from the first bad position among the newest `tailEntriesVerified` (or
   * the first gap) to the end. Only the caller can decide this is right, since entries it deletes may have been
   * acknowledged if the damage came from the media rather than from a crash. Damage below the verified tail is
   * not repaired here (it throws), because truncating there would drop much acknowledged history.
   */
  static async repairTail(
    environment: LmdbEnvironment,
    tailEntriesVerified: number = tailEntriesVerifiedDefault,
  ): Promise<TailRepair> {
    assert(!environment.readOnly, 'repairTail needs a writable environment');
    const entries = environment.openDatabase<Buffer, number>(logDatabaseName, { encoding: 'binary' });
    const meta = environment.openDatabase<number, string>(logMetaDatabaseName, {});
    const check = checkLog(entries, meta, tailEntriesVerified);
    if (check.kind === 'intact') return { kind: 'intact', lastPosition: check.bounds.last };
    const fromPosition = check.error.position;
    const lastKey = readLastKey(entries);
    assert(lastKey !== undefined && lastKey >= fromPosition);
    if (lastKey - fromPosition >= Math.max(tailEntriesVerified, 1)) throw check.error;
    let entriesRemoved = 0;
    await entries.transaction(() => {
      for (const key of entries.getKeys({ start: fromPosition })) {
        if (entries.removeSync(key)) entriesRemoved++;
      }
    });
    return { kind: 'truncated', fromPosition, entriesRemoved, reason: check.error.reason };
  }

  /**
   * Makes an empty log's first append land at `firstPosition` (a restore whose older entries live in a snapshot).
   * Run before open(); the log must hold no entry and must not have been trimmed past `firstPosition`.
   */
  static async startAt(environment: LmdbEnvironment, firstPosition: number): Promise<void> {
    assert(!environment.readOnly, 'startAt needs a writable environment');
    assert(Number.isSafeInteger(firstPosition) && firstPosition >= 1, `firstPosition must be a safe integer >= 1, got ${firstPosition}`);
    const entries = environment.openDatabase<Buffer, number>(logDatabaseName, { encoding: 'binary' });
    const meta = environment.openDatabase<number, string>(logMetaDatabaseName, {});
    assert(readLastKey(entries) === undefined, 'startAt needs an empty log');
    const firstStored = meta.get(firstPositionKey) ?? 1;
    assert(firstStored <= firstPosition, `the log was trimmed to ${firstStored} already; positions are never reused`);
    await meta.put(firstPositionKey, firstPosition);
  }

  append(records: readonly T[]): Promise<number> {
    const refused = this.appendRefusal();
    if (refused !== undefined) return refused;
    return this.appendEncoded(encodeLogEntry(records));
  }

  /**
   * Appends an entry that is already a frame of log-record-codec.ts (one read by readFrames, here or on another
   * node), byte for byte, at the next position. The frame is verified first; a damaged one is refused with
   * LogCorruptionError and nothing is written.
   */
  appendFrame(frame: Uint8Array): Promise<number> {
    const refused = this.appendRefusal();
    if (refused !== undefined) return refused;
    try {
      verifyLogEntryFrame(this.positionAssignedLast + 1, frame);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.appendEncoded(Buffer.from(frame));
  }

  /** Durable entries with position >= fromPosition as verified raw frames (copies), in order; gaps throw. */
  *readFrames(fromPosition: number): Iterable<LogFrame> {
    assert(Number.isSafeInteger(fromPosition), `fromPosition must be a safe integer, got ${fromPosition}`);
    if (this.environment.readOnly) this.entries.resetReadTxn();
    let expected = Math.max(fromPosition, this.firstPosition());
    for (const { key, value } of this.entries.getRange({ start: expected })) {
      if (key !== expected) throw new LogCorruptionError(expected, `entry missing (next stored key is ${String(key)})`);
      verifyLogEntryFrame(key, value);
      yield { position: key, frame: Buffer.from(value) };
      expected++;
    }
  }

  private appendRefusal(): Promise<number> | undefined {
    if (this.closing !== undefined) return Promise.reject(new LogClosedError());
    if (this.failure !== undefined) return Promise.reject(this.failure);
    assert(!this.environment.readOnly, 'append on a read-only event log');
    assert(
      this.inFlight < this.appendsInFlightMax,
      `${this.inFlight} appends in flight: the caller must wait until appendsInFlight() < ${this.appendsInFlightMax}`,
    );
    return undefined;
  }

  private appendEncoded(frame: Buffer): Promise<number> {
    const position = ++this.positionAssignedLast;
    // The put is issued now, in call order, so the entry joins this event-loop turn's transaction.
    let written: Promise<boolean>;
    try {
      written = this.entries.put(position, frame);
    } catch (error) {
      written = Promise.reject(error);
    }
    this.inFlight++;
    const completion = this.complete(position, written, this.appendTail);
    this.appendTail = completion.then(ignore, ignore);
    return completion;
  }

  *read(fromPosition: number): Iterable<LogEntry<T>> {
    assert(Number.isSafeInteger(fromPosition), `fromPosition must be a safe integer, got ${fromPosition}`);
    // A reader in another thread keeps its read transaction until told: look at the newest commit.
    if (this.environment.readOnly) this.entries.resetReadTxn();
    let expected = Math.max(fromPosition, this.firstPosition());
    for (const { key, value } of this.entries.getRange({ start: expected })) {
      if (key !== expected) throw new LogCorruptionError(expected, `entry missing (next stored key is ${String(key)})`);
      yield { position: key, records: decodeLogEntry<T>(key, value) };
      expected++;
    }
  }

  lastPosition(): number {
    if (!this.environment.readOnly) return this.positionDurableLast;
    return this.readBounds().last;
  }

  firstPosition(): number {
    if (!this.environment.readOnly) return this.positionFirst;
    return this.readBounds().first;
  }

  appendsInFlight(): number {
    return this.inFlight;
  }

  trimBefore(position: number): Promise<number> {
    assert(Number.isSafeInteger(position), `trimBefore needs a safe integer position, got ${position}`);
    assert(!this.environment.readOnly, 'trimBefore on a read-only event log');
    if (this.closing !== undefined) return Promise.reject(new LogClosedError());
    // Trims run one after another so two of them never delete the same range or move the meta backwards.
    const trimmed = this.trimTail.then(() => this.trimNow(position));
    this.trimTail = trimmed.catch(ignore);
    return trimmed;
  }

  /** Waits for appends and trims in flight. The environment stays open: its owner closes it, once. */
  close(): Promise<void> {
    this.closing ??= Promise.all([this.appendTail, this.trimTail]).then(ignore);
    return this.closing;
  }

  private async complete(position: number, written: Promise<boolean>, previous: Promise<void>): Promise<number> {
    let cause: unknown;
    let stored = false;
    try {
      stored = await written;
    } catch (error) {
      cause = error;
    }
    // Wait for the earlier appends even when this one failed, so failures and successes surface in order.
    const failure = stored ? undefined : await explainLmdbWriteFailure(cause);
    await previous;
    this.inFlight--;
    if (this.failure !== undefined) throw this.failure;
    if (failure !== undefined) {
      this.failure = new LogWriteError(position, failure.message, { cause: failure.cause });
      throw this.failure;
    }
    this.positionDurableLast = position;
    return position;
  }

  private async trimNow(position: number): Promise<number> {
    const end = Math.min(position, this.positionDurableLast + 1);
    let deleted = 0;
    while (this.positionFirst < end) {
      const from = this.positionFirst;
      const chunkEnd = Math.min(end, from + trimEntriesPerTransactionMax);
      try {
        await this.entries.transaction(() => {
          for (let trimmed = from; trimmed < chunkEnd; trimmed++) {
            if (this.entries.removeSync(trimmed)) deleted++;
          }
          this.meta.putSync(firstPositionKey, chunkEnd);
        });
      } catch (error) {
        const failure = await explainLmdbWriteFailure(error);
        throw new LogWriteError(from, `trim failed: ${failure.message}`, { cause: failure.cause });
      }
      this.positionFirst = chunkEnd;
    }
    return deleted;
  }

  private readBounds(): LogBounds {
    this.entries.resetReadTxn();
    return readBounds(this.entries, this.meta);
  }
}

type LogCheck =
  | { readonly kind: 'intact'; readonly bounds: LogBounds }
  | { readonly kind: 'corrupt'; readonly error: LogCorruptionError };

/** Contiguity of all positions (O(1) via the entry count) and a full decode of the newest entries. */
function checkLog<T>(entries: EntryDatabase, meta: MetaDatabase, tailEntriesVerified: number): LogCheck {
  assert(Number.isSafeInteger(tailEntriesVerified) && tailEntriesVerified >= 0);
  const bounds = readBounds(entries, meta);
  const entryCount = entries.getStats() as { readonly entryCount: number };
  if (entryCount.entryCount !== bounds.last - bounds.first + 1) {
    return { kind: 'corrupt', error: new LogCorruptionError(findGap(entries, bounds.first), 'entry missing (gap in positions)') };
  }
  const tailFirst = Math.max(bounds.first, bounds.last - tailEntriesVerified + 1);
  let expected = tailFirst;
  for (const { key, value } of entries.getRange({ start: tailFirst })) {
    if (key !== expected) {
      return { kind: 'corrupt', error: new LogCorruptionError(expected, 'entry missing (gap in positions)') };
    }
    try {
      decodeLogEntry<T>(key, value);
    } catch (error) {
      if (error instanceof LogCorruptionError) return { kind: 'corrupt', error };
      throw error;
    }
    expected++;
  }
  return { kind: 'intact', bounds };
}

function readBounds(entries: EntryDatabase, meta: MetaDatabase): LogBounds {
  const firstStored = meta.get(firstPositionKey) ?? 1;
  const firstKey = readFirstKey(entries);
  const lastKey = readLastKey(entries);
  if (firstKey === undefined || lastKey === undefined) return { first: firstStored, last: firstStored - 1 };
  for (const key of [firstKey, lastKey]) {
    if (!Number.isSafeInteger(key) || key < 1) throw new LogCorruptionError(firstStored, `key ${String(key)} is not a position`);
  }
  // A trim deletes entries and moves the meta in one transaction, so an entry below the meta cannot exist.
  if (firstKey < firstStored) throw new LogCorruptionError(firstKey, `entry below the trimmed position ${firstStored}`);
  return { first: firstKey, last: lastKey };
}

function readFirstKey(entries: EntryDatabase): number | undefined {
  for (const key of entries.getKeys({ limit: 1 })) return key;
  return undefined;
}

function readLastKey(entries: EntryDatabase): number | undefined {
  for (const key of entries.getKeys({ reverse: true, limit: 1 })) return key;
  return undefined;
}

/** The first missing position at or after `first`: a scan of keys, run only when the count says there is a gap. */
function findGap(entries: EntryDatabase, first: number): number {
  let expected = first;
  for (const key of entries.getKeys({ start: first })) {
    if (key !== expected) return expected;
    expected++;
  }
  return expected;
}

function ignore(): void {}
