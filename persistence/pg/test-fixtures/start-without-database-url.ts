/**
 * Child process of without-database-url.test.ts: starts the projection the way the server does, with no
 * DATABASE_URL, over a real LMDB log, and prints what it got. Run under forbid-postgres-modules.mjs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbEnvironment } from '../../lmdb-environment.ts';
import { LmdbEventLog } from '../../lmdb-event-log.ts';
import { startPostgresProjection } from '../start-postgres-projection.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'clinic-dispatch-no-pg-'));
const environment = LmdbEnvironment.open({ path: dataDir });
const log = LmdbEventLog.open<{ readonly n: number }>(environment);
const projection = await startPostgresProjection({ databaseUrl: process.env['DATABASE_URL'], source: log });
const position = await log.append([{ n: 1 }]);
await log.close();
await environment.close();
await rm(dataDir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ projection: projection === undefined ? 'none' : 'started', appended: position }));
