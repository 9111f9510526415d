/**
 * The Postgres projector: tails the LMDB log and keeps the relational tables, the generic `event` table and the
 * byte-for-byte `event_archive` current, and copies the newest snapshot once the projection has passed it.
 *
 * Exactly once by position: each batch is ONE transaction that first locks this projector's row in
 * `projector_position` (SELECT … FOR UPDATE), reads the entries after the stored position from the log, writes
 * their rows, and moves the stored position to the last entry written. Rows and position commit together or not
 * at all, so after any failure (a killed connection, a crash of either side, a COMMIT whose answer was lost) the
 * next transaction starts from what Postgres really holds: nothing is lost and nothing is written twice. The row
 * lock also serialises two projectors started by mistake under the same name. The position-keyed primary keys
 * (`event`, `event_archive`, the history tables) turn any such bug into a failed batch instead of a duplicate.
 *
 * Never on the command path (DESIGN rule 8): the engine appends to LMDB and at most calls `nudge()`; the projector
 * reads what is already durable, on its own schedule. When Postgres is down, batches fail and are retried with
 * exponential back-off (capped at `retryDelayMsMax`); commands are unaffected, and the projector catches up when
 * Postgres returns. `lag()` gives how far behind it is, in entries and seconds, for metrics.
 *
 * Postgres must hold a projection of THIS log: on its first contact the projector compares the newest entry both
 * hold, byte for byte, and refuses a projection that is ahead of the log (ProjectionMismatchError), so two nodes
 * or a fresh data directory pointed at the same schema cannot interleave two histories.
 *
 * The log must keep every entry the projection has not passed: a trim past the projected position leaves a hole
 * the projection cannot fill from the log (ProjectionGapError, retried while someone repairs it). The trim policy
 * should use `projectedPosition()`.
 *
 * Bounds: at most `entriesPerTransactionMax` entries and (unless a single entry is larger) `recordsPerTransactionMax`
 * events per transaction; retry delays from `retryDelayMsInitial` doubling to `retryDelayMsMax`; at most
 * `lagObservationsMax` remembered observations of the log's end.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AddressedEvent } from '../../engine/index.ts';
import type { LogFrame } from '../lmdb-event-log.ts';
import { decodeLogEntry } from '../log-record-codec.ts';
import type { Database } from './database.ts';
import { insertChunks } from './insert-chunks.ts';
import { migrateToLatest } from './migrations.ts';
import { eventInstantMs, projectEvent } from './project-event.ts';
import { emptyAppendOnlyRows, jsonOf } from './projection-context.ts';
import { SnapshotArchiver, type SnapshotSource } from './snapshot-archiver.ts';

/** A tick holds tens to thousands of events; 256 ticks keep a transaction to well under a second. */
export const entriesPerTransactionMax = 256;
export const recordsPerTransactionMax = 5_000;
export const pollIntervalMsDefault = 250;
export const retryDelayMsInitial = 100;
export const retryDelayMsMax = 10_000;
export const lagObservationsMax = 1_024;
export const projectorNameDefault = 'main';

/** What the projector reads: the LMDB event log satisfies it. */
export interface ProjectorSource {
  lastPosition(): number;
  firstPosition(): number;
  readFrames(fromPosition: number): Iterable<LogFrame>;
}

export interface PostgresProjectorOptions {
  readonly db: Kysely<Database>;
  readonly source: ProjectorSource;
  /** Where to copy snapshots from; absent: only events are archived. */
  readonly snapshots?: SnapshotSource;
  /** The row in `projector_position`; one per projection of one log. */
  readonly name?: string;
  readonly pollIntervalMs?: number;
  readonly entriesPerTransactionMax?: number;
  readonly retryDelayMsMax?: number;
  readonly now?: () => number;
  /**
   * Bring the schema to the newest migration before the first batch (retried like a batch, so a Postgres that is
   * down at start delays only the projection). Default true.
   */
  readonly migrate?: boolean;
  /** Told about every failed attempt (already handled: the attempt is retried). */
  readonly onError?: (error: unknown, consecutiveFailures: number) => void;
}

export interface ProjectorLag {
  /** Log entries not yet projected: the log's last position − the projected position. */
  readonly entries: number;
  /** How long the oldest unprojected entry has been waiting, in seconds; 0 when caught up. */
  readonly seconds: number;
}

export type ProjectorState = 'stopped' | 'idle' | 'projecting' | 'retrying';

export interface ProjectorStatus {
  readonly state: ProjectorState;
  /** undefined until the projector has read its position from Postgres once. */
  readonly projectedPosition: number | undefined;
  readonly consecutiveFailures: number;
  readonly lastError: unknown;
}

/** The log no longer holds the entries after the projected position (trimmed past it). */
export class ProjectionGapError extends Error {
  override readonly name = 'ProjectionGapError';
  readonly projectedPosition: number;
  readonly logFirstPosition: number;

  constructor(projectedPosition: number, logFirstPosition: number) {
    super(
      `the projection stands at position ${projectedPosition} but the log starts at ${logFirstPosition}: entries ` +
        `${projectedPosition + 1}..${logFirstPosition - 1} were trimmed before they were projected; keep the log ` +
        'until projectedPosition() has passed, or rebuild the Postgres schema',
    );
    this.projectedPosition = projectedPosition;
    this.logFirstPosition = logFirstPosition;
  }
}

/**
 * Postgres holds a projection that is not of this log: it is ahead of the log's end, or its archived frame at a
 * common position differs from the log's. Projecting on would mix two histories, so the projector stops there
 * (and keeps retrying, visible in status()) until someone points it at the right schema or restores the log.
 */
export class ProjectionMismatchError extends Error {
  override readonly name = 'ProjectionMismatchError';
  readonly projectedPosition: number;

  constructor(projectedPosition: number, detail: string) {
    super(
      `the Postgres projection (at position ${projectedPosition}) is not a projection of this event log: ${detail}; ` +
        'use another schema or database for this log, or rebuild this node with restore-from-postgres',
    );
    this.projectedPosition = projectedPosition;
  }
}

interface Observation {
  position: number;
  readonly seenAtMs: number;
}

interface Sleep {
  readonly promise: Promise<void>;
  readonly wake: () => void;
  readonly wakeOnNudge: boolean;
}

export class PostgresProjector {
  readonly #db: Kysely<Database>;
  readonly #source: ProjectorSource;
  readonly #archiver: SnapshotArchiver | undefined;
  readonly #name: string;
  readonly #pollIntervalMs: number;
  readonly #entriesMax: number;
  readonly #retryDelayMsMax: number;
  readonly #now: () => number;
  readonly #onError: ((error: unknown, consecutiveFailures: number) => void) | undefined;
  #projected: number | undefined;
  readonly #migrate: boolean;
  #prepared = false;
  #state: ProjectorState = 'stopped';
  #failures = 0;
  #lastError: unknown;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #sleep: Sleep | undefined;
  readonly #observations: Observation[] = [];

  constructor(options: PostgresProjectorOptions) {
    this.#db = options.db;
    this.#source = options.source;
    this.#archiver = options.snapshots === undefined ? undefined : new SnapshotArchiver(options.db, options.snapshots);
    this.#name = options.name ?? projectorNameDefault;
    this.#pollIntervalMs = options.pollIntervalMs ?? pollIntervalMsDefault;
    this.#entriesMax = options.entriesPerTransactionMax ?? entriesPerTransactionMax;
    this.#retryDelayMsMax = options.retryDelayMsMax ?? retryDelayMsMax;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError;
    this.#migrate = options.migrate ?? true;
    if (!(this.#entriesMax >= 1 && this.#pollIntervalMs >= 1 && this.#retryDelayMsMax >= retryDelayMsInitial)) {
      throw new RangeError('PostgresProjector: entriesPerTransactionMax >= 1, pollIntervalMs >= 1, retryDelayMsMax >= 100');
    }
  }

  /** Starts the background loop. Calling it twice is a bug in the caller's lifecycle. */
  start(): void {
    if (this.#loop !== undefined) throw new Error('PostgresProjector.start() called twice: start it once, stop it once');
    this.#state = 'idle';
    this.#loop = this.#run();
  }

  /** Stops after the batch in progress (committed or rolled back) and resolves then. Idempotent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#sleep?.wake();
    await this.#loop;
    this.#state = 'stopped';
  }

  /** Tells an idle projector that the log grew (call after an append); never blocks and never throws. */
  nudge(): void {
    this.#observe(this.#source.lastPosition());
    if (this.#sleep?.wakeOnNudge === true) this.#sleep.wake();
  }

  /** The last position committed to Postgres, as last seen; undefined before the first contact. */
  projectedPosition(): number | undefined {
    return this.#projected;
  }

  lag(): ProjectorLag {
    const last = this.#source.lastPosition();
    this.#observe(last);
    const projected = this.#projected ?? 0;
    this.#forgetProjected(projected);
    const oldest = this.#observations[0];
    const seconds = last > projected && oldest !== undefined ? Math.max(0, this.#now() - oldest.seenAtMs) / 1000 : 0;
    return { entries: Math.max(0, last - projected), seconds };
  }

  status(): ProjectorStatus {
    return { state: this.#state, projectedPosition: this.#projected, consecutiveFailures: this.#failures, lastError: this.#lastError };
  }

  /**
   * Projects one batch (at most the bounds above) in one transaction and resolves with the number of entries
   * written (0: nothing new). Throws what Postgres or the log threw; nothing is committed then. The loop calls
   * it; tools and tests may call it directly when the loop is not running.
   */
  async projectBatch(): Promise<number> {
    if (!this.#prepared) await this.#prepare();
    const last = this.#source.lastPosition();
    this.#observe(last);
    const result = await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('projector_position')
        .select('position')
        .where('name', '=', this.#name)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (row.position > last) throw new ProjectionMismatchError(row.position, `the log ends at ${last}`);
      const from = row.position + 1;
      if (from > last) return { projected: row.position, entries: 0 };
      const first = this.#source.firstPosition();
      if (first > from) throw new ProjectionGapError(row.position, first);
      const batch = this.#readBatch(from, last);
      await writeBatch(trx, batch);
      const batchLast = batch.at(-1)?.position ?? row.position;
      await trx
        .updateTable('projector_position')
        .set({ position: batchLast, updated_at: new Date(this.#now()) })
        .where('name', '=', this.#name)
        .execute();
      return { projected: batchLast, entries: batch.length };
    });
    this.#projected = result.projected;
    this.#forgetProjected(result.projected);
    return result.entries;
  }

  /** Projects batches until the log's current end is reached; for tools and tests (the loop does it itself). */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const entries = await this.projectBatch();
      total += entries;
      if (entries === 0) break;
    }
    await this.archiveSnapshot();
    return total;
  }

  /** Copies the newest LMDB snapshot if it is new and the projection has passed it. */
  async archiveSnapshot(): Promise<number | undefined> {
    if (this.#archiver === undefined || this.#projected === undefined) return undefined;
    return this.#archiver.archiveLatest(this.#projected);
  }

  /** Resolves once the projected position reaches `position`, or rejects after `timeoutMs` of real time. */
  async waitForPosition(position: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.#projected ?? 0) < position) {
      if (Date.now() > deadline) {
        throw new Error(`projector did not reach position ${position} in ${timeoutMs} ms (at ${this.#projected ?? 'unknown'})`);
      }
      await delay(10);
    }
  }

  async #prepare(): Promise<void> {
    if (this.#migrate) await migrateToLatest(this.#db);
    await this.#db
      .insertInto('projector_position')
      .values({ name: this.#name, position: 0 })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    await this.#checkSameHistory();
    this.#prepared = true;
  }

  /** Once per start: the newest entry both sides hold must be the same bytes (one read of each). */
  async #checkSameHistory(): Promise<void> {
    const row = await this.#db.selectFrom('projector_position').select('position').where('name', '=', this.#name).executeTakeFirstOrThrow();
    const common = Math.min(row.position, this.#source.lastPosition());
    if (common < 1 || common < this.#source.firstPosition()) return;
    const archived = await this.#db.selectFrom('event_archive').select('frame').where('position', '=', common).executeTakeFirst();
    if (archived === undefined) return;
    for (const { position, frame } of this.#source.readFrames(common)) {
      if (position === common && !frame.equals(archived.frame)) {
        throw new ProjectionMismatchError(row.position, `the archived entry at position ${common} differs from the log's`);
      }
      break;
    }
  }

  #readBatch(from: number, last: number): DecodedEntry[] {
    const batch: DecodedEntry[] = [];
    let records = 0;
    for (const { position, frame } of this.#source.readFrames(from)) {
      if (position > last) break;
      const events = decodeLogEntry<AddressedEvent>(position, frame);
      batch.push({ position, frame, events });
      records += events.length;
      if (batch.length >= this.#entriesMax || records >= recordsPerTransactionMax) break;
    }
    return batch;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let entries = 0;
      try {
        this.#state = 'projecting';
        entries = await this.projectBatch();
        if (entries === 0) await this.archiveSnapshot();
        this.#failures = 0;
        this.#lastError = undefined;
      } catch (error) {
        this.#failures += 1;
        this.#lastError = error;
        this.#state = 'retrying';
        this.#onError?.(error, this.#failures);
        await this.#pause(this.#retryDelayMs(), false);
        continue;
      }
      if (entries > 0) {
        // More may be waiting; let the engine's own callbacks run between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      this.#state = 'idle';
      await this.#pause(this.#pollIntervalMs, true);
    }
  }

  #retryDelayMs(): number {
    const exponent = Math.min(this.#failures - 1, 30);
    return Math.min(this.#retryDelayMsMax, retryDelayMsInitial * 2 ** exponent);
  }

  /** Sleeps; a nudge ends an idle sleep early but not a back-off (a down Postgres is not hammered per append). */
  #pause(ms: number, wakeOnNudge: boolean): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    let wake: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#sleep = { promise, wake, wakeOnNudge };
    return promise.finally(() => {
      this.#sleep = undefined;
    });
  }

  /** Remembers when the log's end was first seen at or past `position`, for the seconds of lag. */
  #observe(position: number): void {
    const tail = this.#observations.at(-1);
    if (tail !== undefined && tail.position >= position) return;
    if (position <= (this.#projected ?? 0)) return;
    if (tail !== undefined && this.#observations.length >= lagObservationsMax) {
      // Full: stretch the newest observation. Its older time makes the lag read high, never low.
      tail.position = position;
      return;
    }
    this.#observations.push({ position, seenAtMs: this.#now() });
  }

  /** Drops observations the projection has passed: the oldest one left dates the oldest unprojected entry. */
  #forgetProjected(projected: number): void {
    let passed = 0;
    while (passed < this.#observations.length && (this.#observations[passed]?.position ?? Infinity) <= projected) passed++;
    if (passed > 0) this.#observations.splice(0, passed);
  }
}

interface DecodedEntry {
  readonly position: number;
  readonly frame: Buffer;
  readonly events: readonly AddressedEvent[];
}

/** The archive and generic rows in bulk, the typed tables event by event in log order, then append-only rows in bulk. */
async function writeBatch(trx: Transaction<Database>, batch: readonly DecodedEntry[]): Promise<void> {
  const archiveRows = batch.map((entry) => ({ position: entry.position, frame: entry.frame }));
  for (const chunk of insertChunks(archiveRows, (row) => row.frame.length)) {
    await trx.insertInto('event_archive').values(chunk).execute();
  }
  const eventRows = batch.flatMap((entry) =>
    entry.events.map((record, eventIndex) => {
      const instant = eventInstantMs(record.event);
      return {
        position: entry.position,
        event_index: eventIndex,
        address: record.address,
        type: record.event.type,
        payload: jsonOf(record.event),
        at: instant === undefined ? null : new Date(instant),
      };
    }),
  );
  for (const chunk of insertChunks(eventRows, (row) => row.payload.length)) {
    await trx.insertInto('event').values(chunk).execute();
  }
  const appendOnly = emptyAppendOnlyRows();
  for (const entry of batch) {
    for (const [eventIndex, record] of entry.events.entries()) {
      await projectEvent({ trx, position: entry.position, eventIndex, address: record.address, appendOnly }, record.event);
    }
  }
  for (const chunk of insertChunks(appendOnly.homeCallHistory)) await trx.insertInto('home_call_history').values(chunk).execute();
  for (const chunk of insertChunks(appendOnly.appointmentHistory)) await trx.insertInto('appointment_history').values(chunk).execute();
  for (const chunk of insertChunks(appendOnly.calloutAttempts)) await trx.insertInto('callout_attempt').values(chunk).execute();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
