/**
 * The raw-frame API the Postgres archive and restore rely on (added to persistence/lmdb-event-log.ts):
 * readFrames gives verified copies of the stored frames; appendFrame writes such a frame back byte for byte and
 * refuses a damaged one; startAt makes an empty log begin after a snapshot's position.
 */
import t from 'tap';
import { LogCorruptionError } from '../event-log.ts';
import type { TapTest } from '../event-log-suite.ts';
import { LmdbEnvironment } from '../lmdb-environment.ts';
import { LmdbEventLog } from '../lmdb-event-log.ts';
import { temporaryDirectory } from './test-support.ts';

interface Row {
  readonly n: number;
  readonly text: string;
}

async function openLog(t: TapTest): Promise<{ environment: LmdbEnvironment; log: LmdbEventLog<Row>; path: string }> {
  const path = await temporaryDirectory(t, 'clinic-dispatch-frames-');
  const environment = LmdbEnvironment.open({ path });
  const log = LmdbEventLog.open<Row>(environment);
  t.teardown(async () => {
    await log.close();
    await environment.close();
  });
  return { environment, log, path };
}

void t.test('readFrames → appendFrame copies a log byte for byte at the same positions', async (t) => {
  const source = await openLog(t);
  for (let n = 1; n <= 5; n++) await source.log.append([{ n, text: `запись ${n}` }, { n: -n, text: '' }]);
  const frames = [...source.log.readFrames(3)];
  t.same(frames.map((frame) => frame.position), [3, 4, 5]);
  frames[0]?.frame.fill(0, 0, 4);
  t.ok([...source.log.readFrames(3)][0]?.frame.readUInt32LE(0) !== 0, 'frames are copies');

  const target = await openLog(t);
  for (const { frame } of source.log.readFrames(1)) await target.log.appendFrame(frame);
  t.same([...target.log.read(1)], [...source.log.read(1)], 'same records at the same positions');
  const copied = [...target.log.readFrames(1)];
  t.ok([...source.log.readFrames(1)].every((frame, index) => frame.frame.equals(copied[index]?.frame ?? Buffer.alloc(0))), 'same bytes');
});

void t.test('appendFrame refuses a damaged frame and writes nothing', async (t) => {
  const { log } = await openLog(t);
  await log.append([{ n: 1, text: 'x' }]);
  const frame = Buffer.from([...log.readFrames(1)][0]?.frame ?? Buffer.alloc(0));
  frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 0xff;
  await t.rejects(log.appendFrame(frame), LogCorruptionError);
  await t.rejects(log.appendFrame(new Uint8Array(3)), LogCorruptionError, 'shorter than a header');
  t.equal(log.lastPosition(), 1);
});

void t.test('startAt: an empty log begins after a snapshot position, and survives reopening', async (t) => {
  const path = await temporaryDirectory(t, 'clinic-dispatch-frames-');
  const environment = LmdbEnvironment.open({ path });
  t.teardown(() => environment.close());
  await LmdbEventLog.startAt(environment, 41);
  const log = LmdbEventLog.open<Row>(environment);
  t.equal(log.firstPosition(), 41);
  t.equal(log.lastPosition(), 40);
  t.equal(await log.append([{ n: 1, text: 'a' }]), 41);
  await log.close();
  const reopened = LmdbEventLog.open<Row>(environment);
  t.same([...reopened.readFrames(1)].map((frame) => frame.position), [41]);
  await t.rejects(LmdbEventLog.startAt(environment, 100), 'a log that holds entries cannot be moved');
  await reopened.close();
});

void t.test('readFrames works on a read-only environment', async (t) => {
  const { log, path } = await openLog(t);
  await log.append([{ n: 7, text: 'ro' }]);
  const reader = LmdbEnvironment.open({ path, readOnly: true });
  t.teardown(() => reader.close());
  const readOnlyLog = LmdbEventLog.open<Row>(reader);
  t.same([...readOnlyLog.readFrames(1)].map((frame) => frame.position), [1]);
});
