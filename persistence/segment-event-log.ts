/**
 * The EventLog as preallocated append-only segment files beside LMDB (issue 15; the decision and its numbers are
 * in docs/architecture.md): one synced write per batch, the disk's floor, where a synced LMDB commit costs two
 * syncs (data pages, then the meta page) and a hand-off to lmdb-js's write thread.
 *
 * Layout: `<dataDir>/log/<sequence, 10 digits>.segment`, each `segmentBytes` long, written with zeros and synced
 * before its first record, so a later write changes neither the file's size nor its extents and the sync is data
 * only. A record = [u32 LE magic][u48 LE position][u16 zero][frame of log-record-codec.ts: length, CRC-32, payload];
 * a record never spans two segments. `first-position` holds the trim point (absent: 1).
 *
 * Writes: one positional write on a descriptor opened with O_DSYNC (the kernel syncs the data before the write
 * returns: one system call per batch). `writeOn: 'engine-thread'` (the default) issues it synchronously from the
 * append, so a lone command waits for exactly one write and no thread hand-off: under load the engine thread is
 * busy in the write while requests queue in the kernel, and the next tick carries them all (group commit without a
 * timer). `writeOn: 'threadpool'` issues it through libuv's threadpool and writes every batch waiting when the
 * previous write completes as ONE write; it keeps the event loop free during a slow sync, at the cost of a thread
 * hand-off per write (measured in docs/bench.md; a wake-up of another thread is what a loaded machine delays most).
 * Completion is in position order; the first failure poisons every later append (LogWriteError), so an
 * acknowledged position never follows a hole.
 *
 * Crash tail: a write torn by a crash leaves garbage after the last valid record of the newest segment. Opening as
 * the writer scans that segment to its last valid record, syncs it (a record that reached the page cache before a
 * `kill -9` is read back, so it must be on disk before anything after it is acknowledged), and starts a NEW segment:
 * the garbage is never overwritten by a shorter record and never read again, because a segment ends where the next
 * one's first position says. A damaged record inside a segment below the newest is LogCorruptionError.
 *
 * Readers in other threads or processes (`readOnly`) follow the files; they may see a record that is written but
 * not yet synced (it reached the page cache), which the writer has not acknowledged. The writer's own reads stop at
 * its durable position.
 *
 * Bounds: `segmentBytes` per segment (a record larger than a segment gets a segment of its own size),
 * `writeBytesMax` per write (more waits for the next write), `appendsInFlightMax` appends in flight, the codec's
 * per-entry bounds; `readChunkBytes` per read call.
 */
import { strict as assert } from 'node:assert';
import { closeSync, constants, existsSync, fdatasyncSync, fstatSync, mkdirSync, openSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LogClosedError, LogCorruptionError, LogWriteError, appendsInFlightMaxDefault } from './event-log.ts';
import type { EventLog, LogEntry } from './event-log.ts';
import { decodeLogEntry, encodeLogEntry, verifyLogEntryFrame } from './log-record-codec.ts';
import {
  createSegmentFile, createSegmentFileAsync, fileBytes, firstRecordPosition, preallocateChunkBytes, preparingSuffix, readFirstPosition, recordHeaderBytes, recordMagic,
  roundUp, scanSegment, scanToEnd, segmentFileName, segmentSuffix, writeAll, writeAllSync, writeFirstPosition, type ScannedRecord,
} from './segment-file.ts';

export { segmentFileName } from './segment-file.ts';

export const segmentLogDirectoryName = 'log';
/** 16 MiB: about 16,000 ticks of a few commands; preallocating one costs tens of milliseconds off the hot path. */
export const segmentBytesDefault = 16 * 1024 * 1024;
/** One write carries at most this much; the rest waits for the next write (bounds the time one sync holds). */
export const writeBytesMax = 4 * 1024 * 1024;

export type SegmentWriteMode = 'engine-thread' | 'threadpool';
/**
 * The engine thread: measured side by side in one run (docs/bench.md, durable-latency with both), the write from
 * the engine thread waits for one wake-up (the kernel's, when the sync completes) where the threadpool's waits
 * for three (the pool thread, its sync, the engine thread's async handle); on a loaded machine each wake-up waits
 * for a CPU, and the sync stage's median was 0.5–5 ms against 20–50 ms through the threadpool.
 */
export const segmentWriteOnDefault: SegmentWriteMode = 'engine-thread';

export interface SegmentEventLogOptions {
  readonly appendsInFlightMax?: number;
  readonly writeOn?: SegmentWriteMode;
  readonly segmentBytes?: number;
  readonly readOnly?: boolean;
}

/** One entry as stored: its verified frame, a copy the caller owns. */
export interface SegmentLogFrame {
  readonly position: number;
  readonly frame: Buffer;
}

interface Segment {
  readonly sequence: number;
  readonly path: string;
  /** The position of its first record; undefined while it holds none. */
  firstPosition: number | undefined;
}

interface PendingAppend {
  readonly position: number;
  readonly record: Buffer;
  readonly resolve: (position: number) => void;
  readonly reject: (error: unknown) => void;
}

export function segmentLogDirectory(dataDir: string): string {
  return join(dataDir, segmentLogDirectoryName);
}

export class SegmentEventLog<T> implements EventLog<T> {
  readonly directory: string;
  readonly readOnly: boolean;
  readonly writeOn: SegmentWriteMode;
  private readonly segmentBytes: number;
  private readonly appendsInFlightMax: number;
  private readonly segments: Segment[] = [];
  private positionFirst = 1;
  private positionDurableLast = 0;
  private positionAssignedLast = 0;
  /** The writer's segment: descriptor (O_DSYNC), its size and the offset of the next record. */
  private fd: number | undefined;
  private fdBytes = 0;
  private writeOffset = 0;
  /** Writes issued and entries they carried since open (entries ÷ writes = the group-commit batch). */
  writes = 0;
  entriesWritten = 0;
  private pending: PendingAppend[] = [];
  private writing = false;
  private inFlight = 0;
  private idle: Array<() => void> = [];
  private preparing: Promise<void> | undefined;
  private failure: LogWriteError | undefined;
  private closed = false;
  /** A reader's place in the newest segment: following the writer resumes there instead of rescanning it. */
  private tail: { readonly sequence: number; readonly offset: number; readonly last: number } | undefined;

  private constructor(directory: string, options: SegmentEventLogOptions) {
    this.directory = directory;
    this.readOnly = options.readOnly ?? false;
    this.writeOn = options.writeOn ?? segmentWriteOnDefault;
    this.segmentBytes = options.segmentBytes ?? segmentBytesDefault;
    this.appendsInFlightMax = options.appendsInFlightMax ?? appendsInFlightMaxDefault;
    assert(Number.isSafeInteger(this.segmentBytes) && this.segmentBytes >= 4096, 'segmentBytes must be at least 4096');
    assert(Number.isSafeInteger(this.appendsInFlightMax) && this.appendsInFlightMax >= 1);
  }

  /** Whether `dataDir` holds a segment log. */
  static existsIn(dataDir: string): boolean {
    return existsSync(segmentLogDirectory(dataDir));
  }

  /**
   * Opens (the writer: creates) the log in `directory`. The writer scans the newest segment, syncs it and starts a
   * fresh segment for its own appends (see the module comment). Throws LogCorruptionError for damage it must not
   * repair silently.
   */
  static open<T>(directory: string, options: SegmentEventLogOptions = {}): SegmentEventLog<T> {
    const log = new SegmentEventLog<T>(directory, options);
    if (!log.readOnly) mkdirSync(directory, { recursive: true });
    log.load();
    if (!log.readOnly) log.openWriter();
    return log;
  }

  /**
   * Makes an empty log's first append land at `firstPosition` (a restore or a migration whose older entries live
   * elsewhere). The log must hold no entry.
   */
  static startAt(directory: string, firstPosition: number): void {
    assert(Number.isSafeInteger(firstPosition) && firstPosition >= 1, `firstPosition must be a safe integer >= 1, got ${firstPosition}`);
    mkdirSync(directory, { recursive: true });
    const probe = new SegmentEventLog<unknown>(directory, { readOnly: true });
    probe.load();
    assert(probe.positionDurableLast < probe.positionFirst, 'startAt needs an empty log');
    assert(probe.positionFirst <= firstPosition, `the log was trimmed to ${probe.positionFirst} already; positions are never reused`);
    writeFirstPosition(directory, firstPosition);
  }

  append(records: readonly T[]): Promise<number> {
    const refused = this.appendRefusal();
    if (refused !== undefined) return refused;
    return this.enqueue(encodeLogEntry(records));
  }

  /** Appends an already encoded frame (one read by readFrames) byte for byte; a damaged frame is refused. */
  appendFrame(frame: Uint8Array): Promise<number> {
    const refused = this.appendRefusal();
    if (refused !== undefined) return refused;
    try {
      verifyLogEntryFrame(this.positionAssignedLast + 1, frame);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(Buffer.from(frame));
  }

  *read(fromPosition: number): Iterable<LogEntry<T>> {
    for (const { position, frame } of this.scanFrom(fromPosition)) yield { position, records: decodeLogEntry<T>(position, frame) };
  }

  *readFrames(fromPosition: number): Iterable<SegmentLogFrame> {
    for (const { position, frame } of this.scanFrom(fromPosition)) yield { position, frame: Buffer.from(frame) };
  }

  lastPosition(): number {
    if (this.readOnly) this.follow();
    return this.positionDurableLast;
  }

  firstPosition(): number {
    if (this.readOnly) this.follow();
    return this.positionFirst;
  }

  appendsInFlight(): number {
    return this.inFlight;
  }

  trimBefore(position: number): Promise<number> {
    assert(Number.isSafeInteger(position), `trimBefore needs a safe integer position, got ${position}`);
    assert(!this.readOnly, 'trimBefore on a read-only event log');
    if (this.closed) return Promise.reject(new LogClosedError());
    const end = Math.min(position, this.positionDurableLast + 1);
    if (end <= this.positionFirst) return Promise.resolve(0);
    const deleted = end - this.positionFirst;
    writeFirstPosition(this.directory, end);
    this.positionFirst = end;
    // Whole segments below the trim point go; the segment being written always stays.
    while (this.segments.length > 1) {
      const next = this.segments[1];
      if (next?.firstPosition === undefined || next.firstPosition > end) break;
      const gone = this.segments.shift();
      if (gone !== undefined) unlinkSync(gone.path);
    }
    return Promise.resolve(deleted);
  }

  /** Waits for the appends in flight, then refuses further appends and closes the files. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.preparing?.catch(() => undefined);
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private appendRefusal(): Promise<number> | undefined {
    if (this.closed) return Promise.reject(new LogClosedError());
    if (this.failure !== undefined) return Promise.reject(this.failure);
    assert(!this.readOnly, 'append on a read-only event log');
    assert(
      this.inFlight < this.appendsInFlightMax,
      `${this.inFlight} appends in flight: the caller must wait until appendsInFlight() < ${this.appendsInFlightMax}`,
    );
    return undefined;
  }

  private enqueue(frame: Buffer): Promise<number> {
    const position = ++this.positionAssignedLast;
    const record = Buffer.allocUnsafe(recordHeaderBytes + frame.length);
    record.writeUInt32LE(recordMagic, 0);
    record.writeUIntLE(position, 4, 6);
    record.writeUInt16LE(0, 10);
    frame.copy(record, recordHeaderBytes);
    this.inFlight += 1;
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ position, record, resolve, reject });
      if (this.writing) return;
      // A microtask: the appends of this synchronous run (one tick's entry, or several) share one write.
      this.writing = true;
      queueMicrotask(() => this.writeNext());
    });
  }

  /** Writes every waiting record that fits (one write), then the next batch, until none waits. */
  private writeNext(): void {
    if (this.failure !== undefined) {
      this.rejectPending(this.failure);
      return;
    }
    if (this.pending.length === 0) {
      this.writing = false;
      return;
    }
    this.writing = true;
    const first = this.pending[0];
    assert(first !== undefined);
    if (this.writeOffset + first.record.length > this.fdBytes) {
      // The next segment is being preallocated: the write waits for it rather than fill a second one.
      if (this.preparing !== undefined) {
        void this.preparing.then(() => this.writeNext());
        return;
      }
      try {
        this.roll(first.record.length);
      } catch (error) {
        this.fail(first.position, error);
        return;
      }
    }
    const batch: PendingAppend[] = [];
    let bytes = 0;
    for (const append of this.pending) {
      if (batch.length > 0 && (bytes + append.record.length > writeBytesMax || this.writeOffset + bytes + append.record.length > this.fdBytes)) break;
      batch.push(append);
      bytes += append.record.length;
    }
    this.pending = this.pending.slice(batch.length);
    const buffer = batch.length === 1 ? first.record : Buffer.concat(batch.map((append) => append.record), bytes);
    const offset = this.writeOffset;
    const fd = this.fd;
    assert(fd !== undefined);
    this.writeOffset += bytes;
    const segment = this.segments.at(-1);
    if (segment !== undefined && segment.firstPosition === undefined) segment.firstPosition = first.position;
    this.maybePrepareNext();
    this.writes += 1;
    this.entriesWritten += batch.length;
    if (this.writeOn === 'engine-thread') {
      let failure: unknown;
      try {
        writeAllSync(fd, buffer, offset);
      } catch (error) {
        failure = error;
      }
      this.completeWrite(batch, first.position, failure);
      // Whatever was appended by the callbacks of this write's promises arrives later, through enqueue.
      if (this.failure === undefined && this.pending.length > 0) this.writeNext();
      else this.writing = false;
      return;
    }
    writeAll(fd, buffer, offset, (error) => {
      this.completeWrite(batch, first.position, error);
      if (this.failure === undefined) this.writeNext();
    });
  }

  private completeWrite(batch: readonly PendingAppend[], firstPosition: number, error: unknown): void {
    if (error !== undefined) {
      this.fail(firstPosition, error);
      for (const append of batch) append.reject(this.failure);
      this.settle(batch.length);
      return;
    }
    const last = batch.at(-1);
    assert(last !== undefined);
    this.positionDurableLast = last.position;
    for (const append of batch) append.resolve(append.position);
    this.settle(batch.length);
  }

  private settle(count: number): void {
    this.inFlight -= count;
    if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private fail(position: number, error: unknown): void {
    this.failure ??= new LogWriteError(position, error instanceof Error ? error.message : String(error), { cause: error });
    this.rejectPending(this.failure);
  }

  private rejectPending(error: unknown): void {
    const pending = this.pending;
    this.pending = [];
    this.writing = false;
    for (const append of pending) append.reject(error);
    this.settle(pending.length);
  }

  /** Opens a fresh segment for the writer: the prepared one if it is ready and large enough, else a new one now. */
  private roll(recordBytes: number): void {
    const last = this.segments.at(-1);
    const sequence = (last?.sequence ?? 0) + 1;
    const bytes = recordBytes > this.segmentBytes ? roundUp(recordBytes, preallocateChunkBytes) : this.segmentBytes;
    const path = join(this.directory, segmentFileName(sequence));
    if (!existsSync(path) || fileBytes(path) < bytes) createSegmentFile(this.directory, sequence, bytes);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(path, constants.O_RDWR | constants.O_DSYNC);
    this.fdBytes = fstatSync(this.fd).size;
    this.writeOffset = 0;
    this.segments.push({ sequence, path, firstPosition: undefined });
  }

  /**
   * Past half of the current segment, the next one is preallocated in the background, through the threadpool, so
   * neither the zero-filling nor its sync runs on this thread. The writer does not roll while it runs.
   */
  private maybePrepareNext(): void {
    if (this.preparing !== undefined || this.writeOffset < this.fdBytes / 2) return;
    const sequence = (this.segments.at(-1)?.sequence ?? 0) + 1;
    if (existsSync(join(this.directory, segmentFileName(sequence)))) return;
    this.preparing = createSegmentFileAsync(this.directory, sequence, this.segmentBytes).then(
      () => { this.preparing = undefined; },
      // roll() then creates it on the write path and reports a failure there.
      () => { this.preparing = undefined; },
    );
  }

  /** Lists the segments and finds the bounds: first record of each, full scan of the newest that holds any. */
  private load(): void {
    this.segments.length = 0;
    if (!existsSync(this.directory)) {
      this.positionFirst = 1;
      this.positionDurableLast = 0;
      this.positionAssignedLast = 0;
      return;
    }
    const names = readdirSync(this.directory);
    if (!this.readOnly) for (const name of names) if (name.endsWith(preparingSuffix)) rmSync(join(this.directory, name), { force: true });
    const sequences = names.filter((name) => name.endsWith(segmentSuffix)).map((name) => Number(name.slice(0, -segmentSuffix.length))).sort((a, b) => a - b);
    for (const sequence of sequences) {
      const path = join(this.directory, segmentFileName(sequence));
      this.segments.push({ sequence, path, firstPosition: firstRecordPosition(path) });
    }
    const storedFirst = readFirstPosition(this.directory);
    const held = this.segments.filter((segment) => segment.firstPosition !== undefined);
    for (let index = 1; index < held.length; index++) {
      const previous = held[index - 1]?.firstPosition ?? 0;
      const current = held[index]?.firstPosition ?? 0;
      if (current <= previous) throw new LogCorruptionError(current, `segment ${held[index]?.path ?? ''} starts at ${current}, not after ${previous}`);
    }
    const newest = held.at(-1);
    if (newest === undefined || newest.firstPosition === undefined) {
      this.positionFirst = storedFirst;
      this.positionDurableLast = storedFirst - 1;
    } else {
      const { last } = scanToEnd(newest.path, newest.firstPosition);
      const oldestHeld = held[0]?.firstPosition ?? storedFirst;
      if (oldestHeld > storedFirst && oldestHeld !== storedFirst) {
        // Segments below the trim point may be gone; entries between the trim point and the oldest segment must not.
        throw new LogCorruptionError(storedFirst, `entries ${storedFirst}..${oldestHeld - 1} are missing (no segment holds them)`);
      }
      this.positionFirst = Math.max(storedFirst, oldestHeld);
      this.positionDurableLast = Math.max(last, this.positionFirst - 1);
    }
    this.positionAssignedLast = this.positionDurableLast;
  }

  /** The writer: sync what a crashed writer left in the page cache, then write into a fresh segment. */
  private openWriter(): void {
    const newest = this.segments.filter((segment) => segment.firstPosition !== undefined).at(-1);
    if (newest !== undefined) {
      const fd = openSync(newest.path, 'r+');
      try {
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      // Empty preallocated segments after the newest one are reused by roll().
      const index = this.segments.indexOf(newest);
      this.segments.splice(index + 1).forEach((empty) => {
        if (empty.sequence !== newest.sequence + 1) rmSync(empty.path, { force: true });
      });
    } else {
      for (const empty of this.segments.splice(0)) rmSync(empty.path, { force: true });
    }
    this.roll(0);
  }

  /** A reader: picks up records and segments the writer added since the last look. */
  private follow(): void {
    const names = existsSync(this.directory) ? readdirSync(this.directory) : [];
    const known = new Set(this.segments.map((segment) => segment.sequence));
    for (const name of names.filter((n) => n.endsWith(segmentSuffix)).sort()) {
      const sequence = Number(name.slice(0, -segmentSuffix.length));
      if (known.has(sequence)) continue;
      this.segments.push({ sequence, path: join(this.directory, name), firstPosition: undefined });
    }
    this.segments.sort((a, b) => a.sequence - b.sequence);
    // Drop segments a trim deleted.
    for (let index = this.segments.length - 1; index >= 0; index--) if (!existsSync(this.segments[index]?.path ?? '')) this.segments.splice(index, 1);
    for (const segment of this.segments) segment.firstPosition ??= firstRecordPosition(segment.path);
    this.positionFirst = Math.max(readFirstPosition(this.directory), this.segments.find((s) => s.firstPosition !== undefined)?.firstPosition ?? 1);
    const newest = this.segments.filter((segment) => segment.firstPosition !== undefined).at(-1);
    if (newest?.firstPosition === undefined) {
      this.positionDurableLast = Math.max(this.positionDurableLast, this.positionFirst - 1);
      return;
    }
    const resume = this.tail?.sequence === newest.sequence ? this.tail : undefined;
    const { last, endOffset } = scanToEnd(newest.path, resume === undefined ? newest.firstPosition : resume.last + 1, resume?.offset ?? 0);
    this.tail = { sequence: newest.sequence, offset: endOffset, last };
    this.positionDurableLast = Math.max(last, this.positionFirst - 1);
  }

  /** Verified records from `fromPosition` to the durable end (the writer) or the visible end (a reader). */
  private *scanFrom(fromPosition: number): Iterable<ScannedRecord> {
    assert(Number.isSafeInteger(fromPosition), `fromPosition must be a safe integer, got ${fromPosition}`);
    if (this.readOnly) this.follow();
    const last = this.positionDurableLast;
    let expected = Math.max(fromPosition, this.positionFirst);
    if (expected > last) return;
    const held = this.segments.filter((segment) => segment.firstPosition !== undefined);
    let index = held.findLastIndex((segment) => (segment.firstPosition ?? Infinity) <= expected);
    if (index < 0) throw new LogCorruptionError(expected, 'no segment holds this position');
    for (; index < held.length && expected <= last; index++) {
      const segment = held[index];
      assert(segment?.firstPosition !== undefined);
      const segmentLast = Math.min(last, (held[index + 1]?.firstPosition ?? Infinity) - 1);
      if (expected > segmentLast) continue;
      let position = segment.firstPosition;
      for (const record of scanSegment(segment.path, 0)) {
        if (record.position !== position) throw new LogCorruptionError(position, `record at offset ${record.offset} of ${segment.path} holds position ${record.position}`);
        if (position >= expected) {
          verifyLogEntryFrame(position, record.frame);
          yield record;
          expected = position + 1;
        }
        if (position >= segmentLast) break;
        position += 1;
      }
      if (expected <= segmentLast) throw new LogCorruptionError(expected, `entry missing or damaged in ${segment.path}`);
    }
  }
}
