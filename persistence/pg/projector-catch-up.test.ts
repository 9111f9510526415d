/**
 * The projector against a Postgres that keeps killing its connections mid-run, while the engine keeps
 * appending: appends never wait for Postgres, the projector retries with back-off and catches up, and every log
 * entry and event is in Postgres exactly once (row counts equal event counts, positions contiguous, no
 * duplicates). A second projector started afterwards on the same tables writes nothing. Also: lag() numbers,
 * the bounds of one transaction, and a trimmed log reported as a gap instead of silently skipped.
 */
import t from 'tap';
import { PostgresProjector, ProjectionGapError, ProjectionMismatchError, retryDelayMsInitial } from './postgres-projector.ts';
import { openScenario, withTestSchema } from './test-support.ts';

const catchUpTimeoutMs = 20_000;
const killRounds = 15;

void t.test('catches up exactly once after its connections are killed mid-run', async (t) => {
  const scenario = await openScenario(t, 7);
  await scenario.run(150);
  const schema = await withTestSchema(t);
  let idleErrors = 0;
  const database = schema.open({ onIdleError: () => idleErrors++ });
  const failures: unknown[] = [];
  const projector = new PostgresProjector({
    db: database.db,
    source: scenario.log,
    // Small batches: many transactions, so kills land inside them.
    entriesPerTransactionMax: 3,
    pollIntervalMs: 5,
    retryDelayMsMax: 200,
    onError: (error) => failures.push(error),
  });
  projector.start();
  t.teardown(() => projector.stop());

  // Kill only once the projector is under way, and only a bounded number of times, so it must resume mid-log.
  await projector.waitForPosition(10, catchUpTimeoutMs);
  let killed = 0;
  let killedMidRun = 0;
  const killer = (async () => {
    for (let round = 0; round < killRounds; round++) {
      const behind = (projector.projectedPosition() ?? 0) < scenario.log.lastPosition();
      const rows = await schema.admin<{ pid: number }>(
        `select pg_terminate_backend(pid) as pid from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and application_name = $1`,
        [schema.applicationName],
      );
      killed += rows.length;
      if (behind) killedMidRun += rows.length;
      await new Promise((resolve) => setTimeout(resolve, 20 + (round % 4) * 20));
    }
  })();
  // The engine keeps going meanwhile: appends are LMDB only and never wait for the projector.
  await scenario.run(100);
  await killer;
  t.ok(killedMidRun > 0, `connections were killed mid-run (${killedMidRun} of ${killed} while behind the log)`);
  t.ok(failures.length > 0, `the projector saw failures and retried (${failures.length})`);

  await projector.waitForPosition(scenario.log.lastPosition(), catchUpTimeoutMs);
  await projector.stop();
  const last = scenario.log.lastPosition();
  t.equal(projector.projectedPosition(), last, 'caught up to the end of the log');
  t.same(projector.lag(), { entries: 0, seconds: 0 }, 'no lag once caught up');

  const counts = await schema.admin<{ entries: string; events: string; distinct_events: string; min: string; max: string; stored: string }>(
    `select (select count(*) from ${schema.schema}.event_archive) as entries,
            (select count(*) from ${schema.schema}.event) as events,
            (select count(distinct (position, event_index)) from ${schema.schema}.event) as distinct_events,
            (select min(position) from ${schema.schema}.event_archive) as min,
            (select max(position) from ${schema.schema}.event_archive) as max,
            (select position from ${schema.schema}.projector_position where name = 'main') as stored`,
  );
  const row = counts[0];
  t.equal(Number(row?.entries), last, 'one archive row per log entry');
  t.equal(Number(row?.min), 1);
  t.equal(Number(row?.max), last, 'archive positions 1..last, no gap (count = max)');
  t.equal(Number(row?.events), scenario.events, 'one event row per event');
  t.equal(Number(row?.distinct_events), scenario.events, 'no duplicates');
  t.equal(Number(row?.stored), last, 'stored position = last entry');

  const histories = await schema.admin<{ n: string }>(`select count(*) as n from ${schema.schema}.home_call_history`);
  const engineHistories = [...scenario.harness.read.region().clinics.keys()]
    .flatMap((id) => [...(scenario.harness.read.clinic(id)?.calls.values() ?? [])])
    .reduce((sum, call) => sum + call.history.length, 0);
  t.equal(Number(histories[0]?.n), engineHistories, 'typed history rows exactly once too');

  // Frames archived byte for byte.
  const archived = await database.db.selectFrom('event_archive').selectAll().orderBy('position').execute();
  const frames = [...scenario.log.readFrames(1)];
  t.ok(
    archived.length === frames.length && archived.every((entry, index) => entry.frame.equals(frames[index]?.frame ?? Buffer.alloc(0))),
    'archived frames equal the log frames',
  );

  // A restart (a new projector on the same tables) continues from the stored position and writes nothing.
  const again = new PostgresProjector({ db: schema.open().db, source: scenario.log });
  t.equal(await again.catchUp(), 0, 'a restarted projector finds nothing to do');
  t.equal(again.projectedPosition(), last);
  t.comment(`idle connection errors handled: ${idleErrors}`);
});

void t.test('lag counts entries and seconds; batches respect their bound', async (t) => {
  const scenario = await openScenario(t, 11);
  await scenario.run(20);
  const database = (await withTestSchema(t)).open();
  let nowMs = 1_000_000;
  const projector = new PostgresProjector({ db: database.db, source: scenario.log, entriesPerTransactionMax: 4, now: () => nowMs });
  const last = scenario.log.lastPosition();
  t.same(projector.lag(), { entries: last, seconds: 0 }, 'before the first contact the projected position counts as 0');
  nowMs += 5_000;
  t.same(projector.lag(), { entries: last, seconds: 5 }, 'seconds since the oldest unprojected entry was first seen');
  t.equal(await projector.projectBatch(), 4, 'one transaction holds at most entriesPerTransactionMax entries');
  t.equal(projector.lag().entries, last - 4);
  await projector.catchUp();
  t.same(projector.lag(), { entries: 0, seconds: 0 });
  await scenario.run(1);
  projector.nudge();
  nowMs += 2_500;
  t.same(projector.lag(), { entries: 1, seconds: 2.5 }, 'a new entry starts its own clock');
});

void t.test('a log trimmed past the projected position is a gap error, and nothing is written', async (t) => {
  const scenario = await openScenario(t, 13);
  await scenario.run(10);
  await scenario.log.trimBefore(5);
  const database = (await withTestSchema(t)).open();
  const projector = new PostgresProjector({ db: database.db, source: scenario.log });
  await t.rejects(projector.projectBatch(), ProjectionGapError);
  const rows = await database.db.selectFrom('event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  t.equal(rows.n, 0);
});

void t.test('a projection of another log is refused, not continued', async (t) => {
  const schema = await withTestSchema(t);
  const first = await openScenario(t, 19);
  await first.run(20);
  await new PostgresProjector({ db: schema.open().db, source: first.log }).catchUp();
  const rows = async (): Promise<number> =>
    Number((await schema.admin<{ n: string }>(`select count(*) as n from ${schema.schema}.event`))[0]?.n);
  const before = await rows();

  const other = await openScenario(t, 23);
  await other.run(40);
  await t.rejects(new PostgresProjector({ db: schema.open().db, source: other.log }).projectBatch(), ProjectionMismatchError, 'a different history');
  const fresh = await openScenario(t, 19);
  await t.rejects(new PostgresProjector({ db: schema.open().db, source: fresh.log }).projectBatch(), ProjectionMismatchError, 'a log behind the projection');
  t.equal(await rows(), before, 'nothing was written');
});

void t.test('without Postgres the loop backs off instead of spinning, and stops cleanly', async (t) => {
  const scenario = await openScenario(t, 17);
  const failures: number[] = [];
  const { openPostgresDatabase } = await import('./postgres-database.ts');
  // Nothing listens on port 1: every connection attempt fails at once.
  const database = openPostgresDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none' });
  t.teardown(() => database.close());
  const projector = new PostgresProjector({
    db: database.db,
    source: scenario.log,
    retryDelayMsMax: 400,
    onError: (_error, consecutive) => failures.push(consecutive),
  });
  projector.start();
  await scenario.run(5);
  projector.nudge();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await projector.stop();
  t.ok(failures.length >= 2 && failures.length <= 8, `back-off bounds the attempts (${failures.length} in 1 s, first delay ${retryDelayMsInitial} ms)`);
  t.equal(projector.status().state, 'stopped');
  t.ok(projector.lag().entries > 0, 'lag grows while Postgres is away');
});
