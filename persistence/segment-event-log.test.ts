import { mkdtemp, rm } from 'node:fs/promises';
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runEventLogSuite, sampleBatch } from './event-log-suite.ts';
import type { SampleRecord } from './event-log-suite.ts';
import { SegmentEventLog, segmentFileName } from './segment-event-log.ts';

async function temporaryDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'clinic-dispatch-segment-log-'));
}

/** Small segments, so the suite crosses segment boundaries and preallocation runs often. */
const segmentBytes = 8192;

for (const writeOn of ['engine-thread', 'threadpool'] as const) {
  runEventLogSuite(`segment (${writeOn})`, async () => {
    const path = await temporaryDirectory();
    let log: SegmentEventLog<SampleRecord> | undefined;
    return {
      async open(options = {}) {
        await log?.close();
        log = SegmentEventLog.open<SampleRecord>(join(path, 'log'), { ...options, segmentBytes, writeOn });
        return log;
      },
      async dispose() {
        await log?.close();
        await rm(path, { recursive: true, force: true });
      },
    };
  });
}

void t.test('segment: entries span many segments and read back in order after a reopen', async (t) => {
  const path = await temporaryDirectory();
  try {
    const directory = join(path, 'log');
    const log = SegmentEventLog.open<SampleRecord>(directory, { segmentBytes, appendsInFlightMax: 300 });
    const appends: Promise<number>[] = [];
    for (let index = 1; index <= 300; index++) {
      appends.push(log.append(sampleBatch(index, 3)));
      if (index % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    t.same(await Promise.all(appends), Array.from({ length: 300 }, (_, index) => index + 1));
    await log.close();
    t.ok(readdirSync(directory).filter((name) => name.endsWith('.segment')).length > 10, 'the entries went to many segments');
    const reader = SegmentEventLog.open<SampleRecord>(directory, { readOnly: true });
    t.equal(reader.lastPosition(), 300);
    const entries = [...reader.read(150)];
    t.same(entries.map((entry) => entry.position), Array.from({ length: 151 }, (_, index) => index + 150));
    t.same(entries[0]?.records, sampleBatch(150, 3));
    const reopened = SegmentEventLog.open<SampleRecord>(directory, { segmentBytes });
    t.equal(reopened.lastPosition(), 300);
    t.equal(await reopened.append(sampleBatch(1, 1)), 301);
    t.equal(reader.lastPosition(), 301, 'a reader follows the writer into its new segment');
    await reopened.close();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
});

void t.test('segment: a torn tail (garbage after the last record) ends the log; the next writer starts a fresh segment', async (t) => {
  const path = await temporaryDirectory();
  try {
    const directory = join(path, 'log');
    const log = SegmentEventLog.open<SampleRecord>(directory, { segmentBytes: 1 << 20 });
    for (let index = 1; index <= 5; index++) await log.append(sampleBatch(index, 2));
    await log.close();
    // A crash in the middle of the write of position 6: its header is there, the rest is half-written.
    const full = SegmentEventLog.open<SampleRecord>(directory, { readOnly: true });
    const ends = [...full.readFrames(1)].reduce((offset, frame) => offset + 12 + frame.frame.length, 0);
    const fd = openSync(join(directory, segmentFileName(1)), 'r+');
    const torn = Buffer.alloc(64, 0x77);
    torn.writeUInt32LE(0x4c474443, 0);
    torn.writeUIntLE(6, 4, 6);
    torn.writeUInt16LE(0, 10);
    torn.writeUInt32LE(40, 12);
    writeSync(fd, torn, 0, torn.length, ends);
    closeSync(fd);
    const reopened = SegmentEventLog.open<SampleRecord>(directory, { segmentBytes: 1 << 20 });
    t.equal(reopened.lastPosition(), 5, 'the torn record is not an entry');
    t.equal(await reopened.append(sampleBatch(60, 1)), 6);
    t.equal(await reopened.append(sampleBatch(70, 1)), 7);
    await reopened.close();
    const again = SegmentEventLog.open<SampleRecord>(directory, { segmentBytes: 1 << 20 });
    t.same([...again.read(1)].map((entry) => entry.position), [1, 2, 3, 4, 5, 6, 7]);
    t.same([...again.read(6)][0]?.records, sampleBatch(60, 1), 'position 6 is the new write, not the torn one');
    await again.close();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
});
