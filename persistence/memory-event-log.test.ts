import t from 'tap';
import { LogWriteError } from './event-log.ts';
import { runEventLogSuite, sampleBatch } from './event-log-suite.ts';
import type { SampleRecord } from './event-log-suite.ts';
import { MemoryEventLog, MemoryLogStorage } from './memory-event-log.ts';

runEventLogSuite('memory', () => {
  const storage = new MemoryLogStorage();
  return {
    open: (options = {}) => Promise.resolve(new MemoryEventLog<SampleRecord>({ storage, ...options })),
    dispose: () => Promise.resolve(),
  };
});

void t.test('memory: a write failure fails that group and every later append, in order', async (t) => {
  const log = new MemoryEventLog<SampleRecord>();
  t.equal(await log.append(sampleBatch(1, 1)), 1);
  log.injectWriteFailure('disk full (injected)');
  const outcomes: string[] = [];
  const appends = [2, 3].map((id) =>
    log.append(sampleBatch(id, 1)).then(
      (position) => outcomes.push(`ok ${position}`),
      (error: unknown) => outcomes.push(error instanceof LogWriteError ? `failed at ${error.position}` : 'other'),
    ),
  );
  await Promise.all(appends);
  t.same(outcomes, ['failed at 2', 'failed at 2']);
  await t.rejects(log.append(sampleBatch(4, 1)), LogWriteError, 'the log stays failed');
  t.equal(log.lastPosition(), 1, 'nothing after the failure became durable');
  await log.close();
});

void t.test('memory: a crash loses the appends in flight and keeps the durable ones', async (t) => {
  const storage = new MemoryLogStorage();
  const log = new MemoryEventLog<SampleRecord>({ storage });
  await log.append(sampleBatch(1, 1));
  void log.append(sampleBatch(2, 1));
  // The "crash": abandon the log before its flush, open a new one on the same storage.
  const restarted = new MemoryEventLog<SampleRecord>({ storage });
  t.equal(restarted.lastPosition(), 1);
  t.same([...restarted.read(1)].map((entry) => entry.position), [1]);
});
