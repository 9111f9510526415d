/**
 * The one test suite every EventLog implementation passes (STYLE rule 7). A test file gives it a harness that opens
 * logs over one storage, so the suite can also close and reopen. Registers its tests on the root tap instance.
 */
import { strict as assert } from 'node:assert';
import t from 'tap';
import { LogClosedError } from './event-log.ts';
import type { EventLog, LogEntry } from './event-log.ts';

/** A record shaped like an engine event: nested, with strings, numbers and arrays. */
export interface SampleRecord {
  type: string;
  id: number;
  note: string;
  tags: string[];
  detail: { amount: number; flag: boolean; missing: null };
}

export interface EventLogHarnessOpenOptions {
  readonly appendsInFlightMax?: number;
}

export interface EventLogHarness {
  /** Opens a log over this harness's storage. Opening again after close() sees everything made durable. */
  open(options?: EventLogHarnessOpenOptions): Promise<EventLog<SampleRecord>>;
  /** Releases the storage. */
  dispose(): Promise<void>;
}

export function sampleRecord(id: number): SampleRecord {
  return {
    type: id % 2 === 0 ? 'HomeCallRegistered' : 'SlotHeld',
    id,
    note: `вызов на дом №${id}`,
    tags: ['clinic/7', `doctor/${id % 5}`],
    detail: { amount: id * 1.5, flag: id % 3 === 0, missing: null },
  };
}

export function sampleBatch(firstId: number, count: number): SampleRecord[] {
  return Array.from({ length: count }, (_, index) => sampleRecord(firstId + index));
}

function readAll(log: EventLog<SampleRecord>, fromPosition: number): LogEntry<SampleRecord>[] {
  return [...log.read(fromPosition)];
}

async function appendBatches(log: EventLog<SampleRecord>, count: number): Promise<SampleRecord[][]> {
  const batches: SampleRecord[][] = [];
  for (let index = 0; index < count; index++) {
    const batch = sampleBatch(index * 10, (index % 4) + 1);
    batches.push(batch);
    await log.append(batch);
  }
  return batches;
}

/** The subtest object tap passes to a test callback (the last overload of t.test takes only the callback). */
export type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

export function runEventLogSuite(name: string, createHarness: () => EventLogHarness | Promise<EventLogHarness>): void {
  const withLog = (
    title: string,
    body: (t: TapTest, log: EventLog<SampleRecord>, harness: EventLogHarness) => Promise<void>,
  ): void => {
    void t.test(`${name}: ${title}`, async (subtest) => {
      const harness = await createHarness();
      try {
        const log = await harness.open();
        await body(subtest, log, harness);
        await log.close();
      } finally {
        await harness.dispose();
      }
    });
  };

  withLog('an empty log starts at position 1', async (t, log) => {
    t.equal(log.firstPosition(), 1);
    t.equal(log.lastPosition(), 0);
    t.equal(log.appendsInFlight(), 0);
    t.same(readAll(log, 1), []);
  });

  withLog('positions are 1, 2, 3... and lastPosition follows durable appends', async (t, log) => {
    for (let expected = 1; expected <= 5; expected++) {
      t.equal(await log.append(sampleBatch(expected, 2)), expected);
      t.equal(log.lastPosition(), expected);
    }
    t.equal(log.firstPosition(), 1);
  });

  withLog('batches read back equal, as fresh objects, and an empty batch is an entry', async (t, log) => {
    const batches = await appendBatches(log, 6);
    await log.append([]);
    const entries = readAll(log, 1);
    t.same(entries.map((entry) => entry.position), [1, 2, 3, 4, 5, 6, 7]);
    t.same(entries.map((entry) => entry.records), [...batches, []]);
    const first = entries[0];
    assert(first !== undefined);
    first.records.length = 0;
    t.same(readAll(log, 1)[0]?.records, batches[0], 'mutating what read() returned does not change the log');
  });

  withLog('the caller mutating a batch after append does not change the entry', async (t, log) => {
    const batch = sampleBatch(1, 3);
    const appended = log.append(batch);
    const original = structuredClone(batch);
    const first = batch[0];
    assert(first !== undefined);
    first.note = 'changed';
    batch.push(sampleRecord(99));
    await appended;
    t.same(readAll(log, 1)[0]?.records, original);
  });

  withLog('several appends in flight complete in order', async (t, log) => {
    const count = 20;
    const completed: number[] = [];
    const appends = Array.from({ length: count }, (_, index) =>
      log.append(sampleBatch(index, 3)).then((position) => {
        completed.push(position);
        return position;
      }),
    );
    t.equal(log.appendsInFlight(), count, 'all appends are in flight before any is durable');
    const positions = await Promise.all(appends);
    const expected = Array.from({ length: count }, (_, index) => index + 1);
    t.same(positions, expected);
    t.same(completed, expected, 'completion order is position order');
    t.equal(log.appendsInFlight(), 0);
    t.equal(log.lastPosition(), count);
  });

  withLog('appends across event-loop turns while others are in flight still complete in order', async (t, log) => {
    const appends: Promise<number>[] = [];
    for (let turn = 0; turn < 10; turn++) {
      appends.push(log.append(sampleBatch(turn, 1)), log.append(sampleBatch(turn, 2)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    t.same(await Promise.all(appends), Array.from({ length: 20 }, (_, index) => index + 1));
  });

  withLog('read from a middle position, from before the start and past the end', async (t, log) => {
    const batches = await appendBatches(log, 10);
    t.same(readAll(log, 5).map((entry) => entry.position), [5, 6, 7, 8, 9, 10]);
    t.same(readAll(log, 5)[0]?.records, batches[4]);
    t.equal(readAll(log, 0).length, 10);
    t.same(readAll(log, 10).map((entry) => entry.position), [10]);
    t.same(readAll(log, 11), []);
  });

  withLog('trimBefore deletes older entries and positions are never reused', async (t, log) => {
    await appendBatches(log, 10);
    t.equal(await log.trimBefore(4), 3);
    t.equal(log.firstPosition(), 4);
    t.equal(log.lastPosition(), 10);
    t.same(readAll(log, 1).map((entry) => entry.position), [4, 5, 6, 7, 8, 9, 10]);
    t.equal(await log.trimBefore(2), 0, 'trimming below the first position deletes nothing');
    t.equal(await log.trimBefore(1000), 7, 'trimming past the end deletes every entry');
    t.equal(log.firstPosition(), 11);
    t.equal(log.lastPosition(), 10);
    t.same(readAll(log, 1), []);
    t.equal(await log.append(sampleBatch(1, 1)), 11);
    t.equal(log.firstPosition(), 11);
  });

  withLog('close waits for appends in flight, is idempotent, and later appends reject', async (t, log) => {
    const appends = [log.append(sampleBatch(1, 1)), log.append(sampleBatch(2, 1))];
    const closed = log.close();
    await t.rejects(log.append(sampleBatch(3, 1)), LogClosedError, 'append while closing is refused');
    await closed;
    t.same(await Promise.all(appends), [1, 2], 'appends issued before close completed');
    await log.close();
    await t.rejects(log.append(sampleBatch(4, 1)), LogClosedError);
    await t.rejects(log.append(sampleBatch(4, 1)), /closed/);
    await t.rejects(log.trimBefore(2), LogClosedError, 'trimBefore after close is refused too');
    t.equal(log.lastPosition(), 2);
    t.same(readAll(log, 1).map((entry) => entry.position), [1, 2], 'a closed log can still be read');
  });

  withLog('appendsInFlightMax bounds the appends in flight', async (t, _log, harness) => {
    const log = await harness.open({ appendsInFlightMax: 2 });
    const appends = [log.append(sampleBatch(1, 1)), log.append(sampleBatch(2, 1))];
    t.throws(() => log.append(sampleBatch(3, 1)), /appends in flight/, 'a third append is a caller bug');
    t.same(await Promise.all(appends), [1, 2]);
    t.equal(await log.append(sampleBatch(3, 1)), 3, 'room again once they are durable');
    await log.close();
  });

  withLog('reopening keeps every entry, the trim point, and continues the positions', async (t, log, harness) => {
    const batches = await appendBatches(log, 8);
    t.equal(await log.trimBefore(3), 2);
    await log.close();
    const reopened = await harness.open();
    t.equal(reopened.firstPosition(), 3);
    t.equal(reopened.lastPosition(), 8);
    t.same(readAll(reopened, 1).map((entry) => entry.records), batches.slice(2));
    t.equal(await reopened.append(sampleBatch(1, 1)), 9);
    t.equal(await reopened.trimBefore(100), 7);
    await reopened.close();
    const again = await harness.open();
    t.equal(again.firstPosition(), 10);
    t.equal(again.lastPosition(), 9);
    t.equal(await again.append(sampleBatch(1, 1)), 10, 'a log trimmed empty does not reuse positions');
    await again.close();
  });
}
