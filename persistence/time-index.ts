/**
 * When each log position became durable: the map from an instant to "the last log position durable at or
 * before it", which time travel needs and the log itself does not carry (not every event has a time). Kept in a
 * named database of the data directory's LMDB environment, keyed by the instant (ms), valued by the position.
 *
 * Resolution: one point per `resolutionMs` bucket — the last position durable in it, at its time — so the index
 * grows with the time the server runs, not with its load. A lookup at T answers the last point at or before T:
 * exact to the millisecond with `resolutionMs` 1, otherwise the state as of at most `resolutionMs` before T.
 *
 * Writes: points are buffered and written in one transaction every `flushEveryMs` (and at close), off the
 * command path's commits. A crash loses at most the points of the last flush interval; `open` then records the
 * recovered durable position at the opening instant (those entries were durable by then), so a lookup in the
 * lost interval answers an older state, never a newer one. Instants are kept non-decreasing (a clock stepping
 * back records at the last instant).
 *
 * Bounds: one point per bucket; at most `pendingPointsMax` buffered points (then the oldest buffered points are
 * written at once).
 */
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from './lmdb-environment.ts';

export const timeIndexDatabaseName = 'time-index';
export const resolutionMsDefault = 100;
export const flushEveryMsDefault = 1_000;
export const pendingPointsMax = 10_000;

export interface TimePoint {
  readonly atMs: number;
  readonly position: number;
}

export interface TimeIndexOptions {
  readonly resolutionMs?: number;
  readonly flushEveryMs?: number;
}

export class TimeIndex {
  readonly resolutionMs: number;
  readonly #db: Database<number, number>;
  readonly #flushEveryMs: number;
  #pending: TimePoint[] = [];
  /** Points handed to a write that has not committed yet: still answered from memory. */
  #flushing: TimePoint[] = [];
  #last: TimePoint | undefined;
  #first: TimePoint | undefined;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(environment: LmdbEnvironment, options: TimeIndexOptions) {
    this.resolutionMs = options.resolutionMs ?? resolutionMsDefault;
    this.#flushEveryMs = options.flushEveryMs ?? flushEveryMsDefault;
    if (!Number.isSafeInteger(this.resolutionMs) || this.resolutionMs < 1) throw new RangeError(`resolutionMs must be an integer >= 1, got ${this.resolutionMs}`);
    this.#db = environment.openDatabase<number, number>(timeIndexDatabaseName, {});
    for (const { key, value } of this.#db.getRange({ reverse: true, limit: 1 })) this.#last = { atMs: key, position: value };
    for (const { key, value } of this.#db.getRange({ limit: 1 })) this.#first = { atMs: key, position: value };
  }

  /** Opens the index; when the log is ahead of it (a crash lost a flush, or an older data directory), records that. */
  static open(environment: LmdbEnvironment, durablePosition: number, nowMs: number, options: TimeIndexOptions = {}): TimeIndex {
    const index = new TimeIndex(environment, options);
    if (durablePosition > (index.#last?.position ?? 0)) index.record(durablePosition, nowMs);
    return index;
  }

  /** The oldest point: instants before it have no answer. */
  get first(): TimePoint | undefined {
    return this.#first;
  }

  get last(): TimePoint | undefined {
    return this.#last;
  }

  /** Position `position` is durable at `atMs`. */
  record(position: number, atMs: number): void {
    if (this.#closed) return;
    const at = Math.max(atMs, this.#last?.atMs ?? atMs);
    const point = { atMs: at, position };
    const previous = this.#pending.at(-1);
    if (previous !== undefined && Math.floor(previous.atMs / this.resolutionMs) === Math.floor(at / this.resolutionMs)) this.#pending[this.#pending.length - 1] = point;
    else this.#pending.push(point);
    this.#last = point;
    this.#first ??= point;
    if (this.#pending.length >= pendingPointsMax) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#flushEveryMs).unref();
  }

  /** The last position durable at or before `atMs`, or undefined before the first point. */
  positionAt(atMs: number): number | undefined {
    for (const list of [this.#pending, this.#flushing]) {
      for (let i = list.length - 1; i >= 0; i -= 1) {
        const point = list[i] as TimePoint;
        if (point.atMs <= atMs) return point.position;
      }
    }
    for (const { value } of this.#db.getRange({ start: atMs, reverse: true, limit: 1 })) return value;
    return undefined;
  }

  /** Writes the buffered points in one transaction. */
  flush(): Promise<unknown> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const points = this.#pending;
    if (points.length === 0) return this.#writing;
    this.#pending = [];
    // Kept readable until written: a lookup between now and the commit must still find them.
    this.#flushing = [...this.#flushing, ...points];
    this.#writing = this.#writing
      .then(() => this.#db.transaction(() => {
        for (const point of points) this.#db.putSync(point.atMs, point.position);
      }))
      .then(() => {
        this.#flushing = this.#flushing.slice(points.length);
      });
    return this.#writing;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
  }
}
