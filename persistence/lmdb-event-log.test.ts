import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { open } from 'lmdb';
import type { Database } from 'lmdb';
import t from 'tap';
import { LogCorruptionError } from './event-log.ts';
import { runEventLogSuite, sampleBatch } from './event-log-suite.ts';
import type { SampleRecord, TapTest } from './event-log-suite.ts';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { LmdbEventLog, logDatabaseName } from './lmdb-event-log.ts';
import { frameHeaderBytes } from './log-record-codec.ts';

async function temporaryDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'clinic-dispatch-lmdb-log-'));
}

runEventLogSuite('lmdb', async () => {
  const path = await temporaryDirectory();
  let environment: LmdbEnvironment | undefined;
  return {
    // Each open closes the previous environment first, so "reopen" really reopens the files.
    async open(options = {}) {
      await environment?.close();
      environment = LmdbEnvironment.open({ path });
      return LmdbEventLog.open<SampleRecord>(environment, options);
    },
    async dispose() {
      await environment?.close();
      await rm(path, { recursive: true, force: true });
    },
  };
});

/** Runs `body` with a fresh data directory holding `count` entries, written and closed. */
async function withWrittenLog(count: number, body: (path: string) => Promise<void>): Promise<void> {
  const path = await temporaryDirectory();
  try {
    const environment = LmdbEnvironment.open({ path });
    const log = LmdbEventLog.open<SampleRecord>(environment);
    for (let index = 1; index <= count; index++) await log.append(sampleBatch(index * 10, 3));
    await log.close();
    await environment.close();
    await body(path);
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}

/** Changes the stored frames behind the log's back, through a raw lmdb-js handle. */
async function tamper(path: string, change: (entries: RawEntries) => void): Promise<void> {
  const root = open({ path, maxDbs: 8 });
  const entries = root.openDB<Buffer, number>({ name: logDatabaseName, encoding: 'binary' });
  change(entries);
  await root.close();
}

type RawEntries = Database<Buffer, number>;

function expectCorruptionOnOpen(t: TapTest, path: string, position: number, reason: RegExp): void {
  const environment = LmdbEnvironment.open({ path });
  try {
    LmdbEventLog.open<SampleRecord>(environment);
    t.fail('open should have thrown');
  } catch (error) {
    t.ok(error instanceof LogCorruptionError, 'a LogCorruptionError');
    if (error instanceof LogCorruptionError) {
      t.equal(error.position, position, 'names the bad position');
      t.match(error.reason, reason);
    }
  } finally {
    void environment.close();
  }
}

void t.test('lmdb: the environment is opened so that a resolved append is fsynced', async (t) => {
  const path = await temporaryDirectory();
  const environment = LmdbEnvironment.open({ path });
  const raw = open({ path: join(path, 'lmdb-default'), maxDbs: 1 });
  try {
    t.equal(environment.commitsAreDurable(), true);
    const rawFlags = raw as unknown as { readonly overlappingSync?: boolean };
    t.equal(rawFlags.overlappingSync, process.platform !== 'win32', 'lmdb-js defaults to overlappingSync, which we turn off');
  } finally {
    await raw.close();
    await environment.close();
    await rm(path, { recursive: true, force: true });
  }
});

void t.test('lmdb: the map grows past its initial size as the log grows', async (t) => {
  const path = await temporaryDirectory();
  const mapSizeBytes = 256 * 1024;
  const environment = LmdbEnvironment.open({ path, mapSizeBytes });
  try {
    const log = LmdbEventLog.open<{ readonly padding: string }>(environment);
    const padding = 'x'.repeat(64 * 1024);
    const appends = Array.from({ length: 32 }, () => log.append([{ padding }]));
    t.equal((await Promise.all(appends)).at(-1), 32, '2 MiB written into a 256 KiB initial map');
    t.equal([...log.read(1)].length, 32);
    await log.close();
  } finally {
    await environment.close();
    await rm(path, { recursive: true, force: true });
  }
});

void t.test('lmdb: a flipped byte in the last entry is detected on open, and repairTail truncates it', async (t) => {
  await withWrittenLog(5, async (path) => {
    await tamper(path, (entries) => {
      const frame = entries.getBinary(5);
      if (frame === undefined) throw new Error('entry 5 missing');
      const damaged = Buffer.from(frame);
      damaged[frameHeaderBytes + 3] = (damaged[frameHeaderBytes + 3] ?? 0) ^ 0x40;
      entries.putSync(5, damaged);
    });
    expectCorruptionOnOpen(t, path, 5, /checksum/);
    const environment = LmdbEnvironment.open({ path });
    const repair = await LmdbEventLog.repairTail(environment);
    t.match(repair, { kind: 'truncated', fromPosition: 5, entriesRemoved: 1 });
    const log = LmdbEventLog.open<SampleRecord>(environment);
    t.equal(log.lastPosition(), 4);
    t.equal(await log.append(sampleBatch(1, 1)), 5, 'the truncated position is written again');
    t.same(await LmdbEventLog.repairTail(environment), { kind: 'intact', lastPosition: 5 });
    await log.close();
    await environment.close();
  });
});

void t.test('lmdb: a torn (truncated) frame at the tail is detected on open', async (t) => {
  await withWrittenLog(3, async (path) => {
    await tamper(path, (entries) => {
      const frame = entries.getBinary(3);
      if (frame === undefined) throw new Error('entry 3 missing');
      entries.putSync(3, Buffer.from(frame.subarray(0, frame.length - 7)));
    });
    expectCorruptionOnOpen(t, path, 3, /torn/);
  });
});

void t.test('lmdb: a gap in the positions is detected on open and repaired from the gap', async (t) => {
  await withWrittenLog(6, async (path) => {
    await tamper(path, (entries) => entries.removeSync(4));
    expectCorruptionOnOpen(t, path, 4, /missing/);
    const environment = LmdbEnvironment.open({ path });
    t.match(await LmdbEventLog.repairTail(environment), { kind: 'truncated', fromPosition: 4, entriesRemoved: 2 });
    t.equal(LmdbEventLog.open<SampleRecord>(environment).lastPosition(), 3);
    await environment.close();
  });
});

void t.test('lmdb: damage below the verified tail is caught by read(), and repairTail leaves it alone', async (t) => {
  await withWrittenLog(6, async (path) => {
    await tamper(path, (entries) => {
      const frame = entries.getBinary(2);
      if (frame === undefined) throw new Error('entry 2 missing');
      const damaged = Buffer.from(frame);
      damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0x01;
      entries.putSync(2, damaged);
    });
    const environment = LmdbEnvironment.open({ path });
    const log = LmdbEventLog.open<SampleRecord>(environment, { tailEntriesVerified: 2 });
    t.equal(log.lastPosition(), 6, 'the tail is intact, so the log opens');
    t.throws(() => [...log.read(1)], LogCorruptionError, 'replay never yields garbage');
    t.same([...log.read(3)].map((entry) => entry.position), [3, 4, 5, 6]);
    t.same(await LmdbEventLog.repairTail(environment, 2), { kind: 'intact', lastPosition: 6 }, 'nothing truncated');
    await log.close();
    await environment.close();
  });
});

void t.test('lmdb: repairTail refuses to truncate from a gap deep below the verified tail', async (t) => {
  await withWrittenLog(6, async (path) => {
    await tamper(path, (entries) => entries.removeSync(2));
    const environment = LmdbEnvironment.open({ path });
    t.throws(() => LmdbEventLog.open<SampleRecord>(environment, { tailEntriesVerified: 2 }), LogCorruptionError);
    await t.rejects(LmdbEventLog.repairTail(environment, 2), LogCorruptionError, 'a deep gap needs a person, not a truncation');
    await environment.close();
    const raw = open({ path, maxDbs: 8, readOnly: true });
    t.equal(raw.openDB<Buffer, number>({ name: logDatabaseName, encoding: 'binary' }).getKeysCount(), 5, 'nothing deleted');
    await raw.close();
  });
});

void t.test('lmdb: a read-only handle sees committed entries, also new ones, and cannot write', async (t) => {
  const path = await temporaryDirectory();
  const writerEnvironment = LmdbEnvironment.open({ path });
  const writer = LmdbEventLog.open<SampleRecord>(writerEnvironment);
  try {
    await writer.append(sampleBatch(1, 2));
    await writer.append(sampleBatch(3, 2));
    const readerEnvironment = LmdbEnvironment.open({ path, readOnly: true });
    const reader = LmdbEventLog.open<SampleRecord>(readerEnvironment);
    t.equal(reader.lastPosition(), 2);
    t.same([...reader.read(1)], [...writer.read(1)]);
    await writer.append(sampleBatch(5, 1));
    await writer.trimBefore(2);
    t.equal(reader.lastPosition(), 3, 'the reader follows new commits');
    t.equal(reader.firstPosition(), 2, 'and trims');
    t.same([...reader.read(1)].map((entry) => entry.position), [2, 3]);
    t.throws(() => reader.append(sampleBatch(1, 1)), /read-only/);
    await reader.close();
    await readerEnvironment.close();
  } finally {
    await writer.close();
    await writerEnvironment.close();
    await rm(path, { recursive: true, force: true });
  }
});

/** A worker does not inherit the tsx loader of its parent: the bootstrap registers it, then loads the module. */
function typeScriptWorkerSource(entry: URL): string {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
}

void t.test('lmdb: a worker thread reads the log read-only while the writer keeps it open', async (t) => {
  const path = await temporaryDirectory();
  const environment = LmdbEnvironment.open({ path });
  const log = LmdbEventLog.open<SampleRecord>(environment);
  try {
    await log.append(sampleBatch(1, 2));
    await log.append(sampleBatch(3, 1));
    const worker = new Worker(typeScriptWorkerSource(new URL('./test-fixtures/read-log-worker.ts', import.meta.url)), {
      eval: true,
      workerData: { path },
    });
    const seen = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await new Promise((resolve) => worker.once('exit', resolve));
    t.same(seen, { firstPosition: 1, lastPosition: 2, positions: [1, 2], ids: [[1, 2], [3]] });
  } finally {
    await log.close();
    await environment.close();
    await rm(path, { recursive: true, force: true });
  }
});

void t.test('lmdb: a full disk is a LogWriteError for that append and every later one, not a hang', async (t) => {
  const path = await temporaryDirectory();
  try {
    const fixture = new URL('./test-fixtures/append-until-full.ts', import.meta.url).pathname;
    // `ulimit -f` makes writes past the limit fail as a full disk does (LMDB sees a short write).
    const child = spawn('/bin/sh', ['-c', 'ulimit -f 4096 && exec "$0" "$@"', process.execPath, '--import', 'tsx', fixture, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.resume();
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    t.equal(exitCode, 0, 'the child ends normally: no unhandled rejection, no hang');
    const report = JSON.parse(stdout) as {
      lastDurable: number;
      failureName: string;
      failurePosition?: number;
      failureMessage?: string;
      laterAppendRejected: boolean;
    };
    t.equal(report.failureName, 'LogWriteError');
    t.ok(report.lastDurable > 0, 'some appends were durable before the disk filled');
    t.equal(report.failurePosition, report.lastDurable + 1, 'the failure names the first position not durable');
    t.match(report.failureMessage, /full disk|disk .*full/);
    t.equal(report.laterAppendRejected, true, 'the log stays failed');

    const environment = LmdbEnvironment.open({ path });
    try {
      let log: LmdbEventLog<SampleRecord>;
      try {
        log = LmdbEventLog.open<SampleRecord>(environment);
      } catch (error) {
        // Appends already queued behind the failed one may have committed into freed pages: a gap, repaired.
        t.ok(error instanceof LogCorruptionError && error.position > report.lastDurable, 'only unacknowledged entries are bad');
        await LmdbEventLog.repairTail(environment);
        log = LmdbEventLog.open<SampleRecord>(environment);
      }
      t.equal(log.lastPosition(), report.lastDurable, 'every acknowledged append survived');
      await log.close();
    } finally {
      await environment.close();
    }
  } finally {
    await rm(path, { recursive: true, force: true });
  }
});
