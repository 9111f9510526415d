/**
 * Migrations while other schemas come and go (another tenant dropped, a parallel test's schema cleaned up):
 * kysely's Migrator introspects every schema of the database, and a schema dropped between its listing and its
 * privilege check fails that query with invalid_schema_name for a schema that is not ours. migrateToLatest
 * runs again then (persistence/pg/migrations.ts); each of our schemas still ends at the newest migration.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { sql } from 'kysely';
import { migrateToLatest, migrations } from './migrations.ts';
import { testDatabaseUrl, withTestSchema } from './test-support.ts';

const rounds = 12;

void t.test('migrations succeed while another connection creates and drops schemas', async (t) => {
  const churn = new pg.Client({ connectionString: testDatabaseUrl, application_name: 'cd-test-schema-churn' });
  await churn.connect();
  let stopped = false;
  const prefix = `cd_test_churn_${randomBytes(4).toString('hex')}`;
  let made = 0;
  const churning = (async () => {
    while (!stopped) {
      const name = `${prefix}_${made}`;
      made += 1;
      await churn.query(`create schema ${name}`);
      await churn.query(`create table ${name}.filler (id int)`);
      await churn.query(`drop schema ${name} cascade`);
      // About as often as parallel test files or tenant clean-ups drop schemas, many times over.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  t.teardown(async () => {
    stopped = true;
    await churning.catch(() => undefined);
    await churn.end();
  });
  for (let round = 0; round < rounds; round += 1) {
    const schema = await withTestSchema(t);
    const database = schema.open();
    const applied = await migrateToLatest(database.db);
    t.equal(applied.length, Object.keys(migrations).length, `round ${round}: every migration applied`);
    const tables = await sql<{ count: string }>`select count(*) as count from information_schema.tables where table_schema = ${schema.schema}`.execute(database.db);
    t.ok(Number(tables.rows[0]?.count ?? 0) > 0, `round ${round}: the schema has its tables`);
  }
  stopped = true;
  await churning;
  t.ok(made > rounds, `schemas were created and dropped meanwhile (${made})`);
});
