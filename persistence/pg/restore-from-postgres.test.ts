/**
 * Restore from Postgres equals the original: a scenario runs, a snapshot is taken mid-way, more commands follow,
 * the projector archives everything; then a fresh data directory is rebuilt from Postgres alone, recovered the
 * way the server recovers (snapshot restore + log replay into a new engine), and compared deep-equal with the
 * live engine. The restored log's frames equal the original's byte for byte, at the same positions. Also the
 * CLI, a restore without any snapshot, and refusals (non-empty target, a gap in the archive).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { createEngine, SequenceIdSource, type AddressedEvent, type Address } from '../../engine/index.ts';
import { LmdbEnvironment } from '../lmdb-environment.ts';
import { LmdbEventLog } from '../lmdb-event-log.ts';
import { SnapshotStore } from '../snapshot-store.ts';
import type { TapTest } from '../event-log-suite.ts';
import { PostgresProjector } from './postgres-projector.ts';
import { RestoreArchiveError, RestoreTargetNotEmptyError, restoreFromPostgres, type RestoreProgress } from './restore-from-postgres.ts';
import { decodeActorState, openScenario, temporaryDirectory, withTestSchema, type Scenario } from './test-support.ts';

const run = promisify(execFile);

/** Recovery as the server does it: newest snapshot, then every log entry after it. */
function recover(environment: LmdbEnvironment): { engine: ReturnType<typeof createEngine>; replayed: number } {
  const engine = createEngine(new SequenceIdSource('recovered'));
  const snapshot = SnapshotStore.open(environment).latest();
  if (snapshot !== undefined) {
    engine.restore([...snapshot.entries()].map(([address, bytes]): [Address, unknown] => [address as Address, decodeActorState(bytes)]));
  }
  const log = LmdbEventLog.open<AddressedEvent>(environment);
  let replayed = 0;
  for (const entry of log.read((snapshot?.position ?? 0) + 1)) {
    for (const record of entry.records) engine.apply(record);
    replayed++;
  }
  return { engine, replayed };
}

async function framesOf(dataDir: string): Promise<Map<number, Buffer>> {
  const environment = LmdbEnvironment.open({ path: dataDir, readOnly: true });
  try {
    const log = LmdbEventLog.open<AddressedEvent>(environment);
    return new Map([...log.readFrames(1)].map((frame) => [frame.position, frame.frame]));
  } finally {
    await environment.close();
  }
}

interface ArchivedScenario {
  readonly scenario: Scenario;
  readonly schema: Awaited<ReturnType<typeof withTestSchema>>;
  readonly snapshotPosition: number | undefined;
}

/** A scenario of `steps` steps, snapshotted after 60% of them when asked, projected and archived. */
async function archivedScenario(t: TapTest, seed: number, withSnapshot: boolean, steps: number): Promise<ArchivedScenario> {
  const scenario = await openScenario(t, seed);
  await scenario.run(Math.round(steps * 0.6));
  const snapshotPosition = withSnapshot ? await scenario.snapshot() : undefined;
  await scenario.run(Math.round(steps * 0.4));
  const schema = await withTestSchema(t);
  const projector = new PostgresProjector({ db: schema.open().db, source: scenario.log, snapshots: scenario.snapshots });
  await projector.catchUp();
  return { scenario, schema, snapshotPosition };
}

void t.test('a data directory rebuilt from Postgres alone recovers to the same state', async (t) => {
  const { scenario, schema, snapshotPosition } = await archivedScenario(t, 99, true, 200);
  const last = scenario.log.lastPosition();
  t.ok(snapshotPosition !== undefined && snapshotPosition < last, `snapshot at ${snapshotPosition} with entries after it up to ${last}`);

  const dataDir = join(await temporaryDirectory(t, 'clinic-dispatch-restore-'), 'data');
  const progress: RestoreProgress[] = [];
  const result = await restoreFromPostgres({
    databaseUrl: schema.databaseUrl,
    dataDir,
    schema: schema.schema,
    onProgress: (step) => progress.push(step),
  });
  t.strictSame(result, {
    snapshotPosition,
    actorCount: scenario.harness.engine.actorCount,
    firstLogPosition: (snapshotPosition ?? 0) + 1,
    lastPosition: last,
    entriesRestored: last - (snapshotPosition ?? 0),
  });
  t.ok(progress.some((step) => step.phase === 'snapshot' && step.done === step.total), 'snapshot progress reported');
  t.ok(progress.some((step) => step.phase === 'log' && step.done === step.total), 'log progress reported');

  const environment = LmdbEnvironment.open({ path: dataDir });
  t.teardown(() => environment.close());
  const { engine, replayed } = recover(environment);
  t.equal(replayed, last - (snapshotPosition ?? 0), 'every entry after the snapshot replayed');
  t.strictSame(engine.snapshot(), scenario.harness.engine.snapshot(), 'restored state deep-equals the original');

  const restoredLog = LmdbEventLog.open<AddressedEvent>(environment);
  t.equal(restoredLog.firstPosition(), (snapshotPosition ?? 0) + 1);
  t.equal(restoredLog.lastPosition(), last);
  const original = new Map([...scenario.log.readFrames((snapshotPosition ?? 0) + 1)].map((frame) => [frame.position, frame.frame]));
  const restored = [...restoredLog.readFrames(1)];
  t.ok(
    restored.length === original.size && restored.every((frame) => original.get(frame.position)?.equals(frame.frame) === true),
    'restored frames equal the original frames byte for byte at the same positions',
  );
  t.equal(await restoredLog.append([]), last + 1, 'the restored log continues at the next position');
  const resumed = new PostgresProjector({ db: schema.open().db, source: restoredLog });
  t.equal(await resumed.catchUp(), 1, 'the projector accepts the restored log as the same history and goes on');
  await restoredLog.close();
});

void t.test('without an archived snapshot the whole log is restored from position 1', async (t) => {
  const { scenario, schema } = await archivedScenario(t, 5, false, 60);
  const dataDir = await temporaryDirectory(t, 'clinic-dispatch-restore-');
  const result = await restoreFromPostgres({ databaseUrl: schema.databaseUrl, dataDir, schema: schema.schema });
  t.equal(result.snapshotPosition, undefined);
  t.equal(result.firstLogPosition, 1);
  t.equal(result.entriesRestored, scenario.log.lastPosition());
  const environment = LmdbEnvironment.open({ path: dataDir });
  t.teardown(() => environment.close());
  t.strictSame(recover(environment).engine.snapshot(), scenario.harness.engine.snapshot());
});

void t.test('refuses a non-empty target and an archive with a gap', async (t) => {
  const { schema } = await archivedScenario(t, 3, true, 30);
  const busy = await temporaryDirectory(t, 'clinic-dispatch-restore-');
  await writeFile(join(busy, 'something'), 'x');
  await t.rejects(restoreFromPostgres({ databaseUrl: schema.databaseUrl, dataDir: busy, schema: schema.schema }), RestoreTargetNotEmptyError);

  const [newest] = await schema.admin<{ position: string }>(`select max(position) as position from ${schema.schema}.snapshot_manifest`);
  await schema.admin(`delete from ${schema.schema}.event_archive where position = $1`, [Number(newest?.position) + 3]);
  const target = await temporaryDirectory(t, 'clinic-dispatch-restore-');
  await t.rejects(restoreFromPostgres({ databaseUrl: schema.databaseUrl, dataDir: target, schema: schema.schema }), RestoreArchiveError);
});

void t.test('the CLI restores and prints a summary', async (t) => {
  const { scenario, schema, snapshotPosition } = await archivedScenario(t, 21, true, 30);
  const dataDir = join(await temporaryDirectory(t, 'clinic-dispatch-restore-'), 'data');
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', 'persistence/pg/restore-cli.ts', '--from-postgres', '--data-dir', dataDir, '--schema', schema.schema],
    { env: { ...process.env, DATABASE_URL: schema.databaseUrl } },
  );
  t.match(stdout, `restored ${dataDir}: snapshot at ${snapshotPosition}`);
  t.match(stdout, `log ${(snapshotPosition ?? 0) + 1}..${scenario.log.lastPosition()}`);
  t.match(stderr, /log entries/, 'progress bars on stderr');
  const frames = await framesOf(dataDir);
  t.equal(frames.size, scenario.log.lastPosition() - (snapshotPosition ?? 0));

  const usage = await run(process.execPath, ['--import', 'tsx', 'persistence/pg/restore-cli.ts', '--data-dir', dataDir]).then(
    () => 0,
    (error: { code?: number }) => error.code ?? -1,
  );
  t.equal(usage, 2, 'bad usage exits 2');
});
