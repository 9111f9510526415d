/**
 * Child process for the disk-full test: appends batches to an LMDB log until the storage refuses (the parent runs
 * it under `ulimit -f`, which fails writes the way a full disk does), then reports what it saw as one JSON line.
 * Bounded by `appendsMax` so a storage that never fills ends the run anyway.
 */
import { LogWriteError } from '../event-log.ts';
import { LmdbEnvironment } from '../lmdb-environment.ts';
import { LmdbEventLog } from '../lmdb-event-log.ts';

const appendsMax = 20_000;
const appendsPerTurn = 4;
const recordBytes = 2000;

const path = process.argv[2];
if (path === undefined) throw new Error('usage: append-until-full.ts <data dir>');
const environment = LmdbEnvironment.open({ path });
const log = LmdbEventLog.open<{ id: number; padding: string }>(environment);
const padding = 'x'.repeat(recordBytes);
let lastDurable = 0;
let failure: unknown;
try {
  for (let id = 0; id < appendsMax; id += appendsPerTurn) {
    const turn = Array.from({ length: appendsPerTurn }, (_, index) => log.append([{ id: id + index, padding }]));
    for (const position of await Promise.all(turn)) lastDurable = position;
  }
} catch (error) {
  failure = error;
}
let laterAppendRejected = false;
try {
  await log.append([{ id: -1, padding: '' }]);
} catch (error) {
  laterAppendRejected = error instanceof LogWriteError;
}
await log.close();
await environment.close();
const report = {
  lastDurable,
  failureName: failure instanceof Error ? failure.name : String(failure),
  failurePosition: failure instanceof LogWriteError ? failure.position : undefined,
  failureMessage: failure instanceof Error ? failure.message : undefined,
  laterAppendRejected,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
