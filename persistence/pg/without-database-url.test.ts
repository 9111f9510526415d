/**
 * Rule 8, "with no DATABASE_URL the product runs on LMDB alone": the projection factory returns undefined, starts
 * nothing, and loads neither pg nor kysely. Proven in a child process in which importing either module throws
 * (test-fixtures/forbid-postgres-modules.ts); the same hook is shown to bite when a Postgres module is imported.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startPostgresProjection } from './start-postgres-projection.ts';

const run = promisify(execFile);
const forbid = 'persistence/pg/test-fixtures/forbid-postgres-modules.ts';

function withoutDatabaseUrl(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['DATABASE_URL'];
  return env;
}

void t.test('the factory returns undefined for a missing or empty DATABASE_URL', async (t) => {
  const source = {
    lastPosition: () => {
      throw new Error('the log must not even be looked at');
    },
    firstPosition: () => 1,
    readFrames: () => [],
  };
  t.equal(await startPostgresProjection({ databaseUrl: undefined, source }), undefined);
  t.equal(await startPostgresProjection({ databaseUrl: '', source }), undefined);
  t.equal(await startPostgresProjection({ databaseUrl: '   ', source }), undefined);
});

void t.test('without DATABASE_URL the server path loads no Postgres module and the log works', async (t) => {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--import', `./${forbid}`, 'persistence/pg/test-fixtures/start-without-database-url.ts'],
    { env: withoutDatabaseUrl() },
  );
  t.strictSame(JSON.parse(stdout), { projection: 'none', appended: 1 });
});

void t.test('the guard itself works: importing the projector under it fails', async (t) => {
  const failed = await run(
    process.execPath,
    ['--import', 'tsx', '--import', `./${forbid}`, '--eval', "await import('./persistence/pg/postgres-projector.ts')"],
    { env: withoutDatabaseUrl() },
  ).then(
    () => '',
    (error: { stderr?: string }) => error.stderr ?? 'failed',
  );
  t.match(failed, /forbidden Postgres module imported: (pg|kysely)/);
});
