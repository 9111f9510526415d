/**
 * Worker thread for the read-only test: opens the log read-only in its own thread, as a report worker would, and
 * posts back the positions and record ids it can see.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LmdbEnvironment } from '../lmdb-environment.ts';
import { LmdbEventLog } from '../lmdb-event-log.ts';

const { path } = workerData as { readonly path: string };
const environment = LmdbEnvironment.open({ path, readOnly: true });
const log = LmdbEventLog.open<{ readonly id: number }>(environment);
const entries = [...log.read(1)];
parentPort?.postMessage({
  firstPosition: log.firstPosition(),
  lastPosition: log.lastPosition(),
  positions: entries.map((entry) => entry.position),
  ids: entries.map((entry) => entry.records.map((record) => record.id)),
});
await log.close();
await environment.close();
