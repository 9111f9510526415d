/**
 * The snapshot builder's thread (persistence/snapshot-builder.ts): a read-only replica of the engine over the
 * data directory, caught up to the asked position and encoded there, so the engine thread never pauses for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type Engine, type IdSource } from '../engine/index.ts';
import { idempotencySnapshotAddress, isIdempotencyRecord, recoverInto, type HostLog } from './engine-host.ts';
import { openLogForReading } from './host-storage.ts';
import { IdempotencyLedger } from './idempotency-ledger.ts';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { encodeState } from './state-codec.ts';

const noIds: IdSource = {
  next(): string {
    throw new Error('the snapshot replica never decides commands');
  },
};

interface Replica {
  readonly engine: Engine;
  readonly ledger: IdempotencyLedger;
  position: number;
}

const dataDir = String((workerData as { dataDir: string }).dataDir);
let storage: { readonly log: HostLog; readonly snapshots: SnapshotStore } | undefined;
let replica: Replica | undefined;

function open(): { readonly log: HostLog; readonly snapshots: SnapshotStore } {
  if (storage !== undefined) return storage;
  const environment = LmdbEnvironment.open({ path: dataDir, readOnly: true });
  storage = { log: openLogForReading(dataDir, environment), snapshots: SnapshotStore.open(environment) };
  return storage;
}

function catchUp(position: number): Replica {
  const { log, snapshots } = open();
  if (replica === undefined || replica.position > position || replica.position + 1 < log.firstPosition()) {
    const engine = createEngine(noIds);
    let reached = 0;
    const recovered = recoverInto(engine, log, snapshots, position, (entry) => { reached = entry.position; });
    replica = { engine, ledger: recovered.ledger, position: Math.max(reached, recovered.snapshotPosition) };
  }
  for (const entry of log.read(replica.position + 1)) {
    if (entry.position > position) break;
    for (const record of entry.records) {
      if (isIdempotencyRecord(record)) replica.ledger.record(record);
      else replica.engine.apply(record);
    }
    replica.position = entry.position;
  }
  if (replica.position !== position) throw new Error(`the snapshot replica reached ${replica.position}, not ${position}: the log does not hold it yet`);
  return replica;
}

parentPort?.on('message', (message: { readonly id: number; readonly position: number; readonly nowMs: number }) => {
  try {
    const current = catchUp(message.position);
    // Each encoding copied into a buffer of its own (the encoder returns views of one reused buffer), so the
    // buffers can be moved to the engine thread rather than cloned.
    const own = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);
    const entries: Array<[string, Uint8Array]> = current.engine.snapshot().map(([address, state]) => [address, own(encodeState(state))]);
    current.ledger.prune(message.nowMs);
    entries.push([idempotencySnapshotAddress, own(encodeState(current.ledger.toSnapshot()))]);
    const transfer = entries.map(([, bytes]) => bytes.buffer as ArrayBuffer);
    parentPort?.postMessage({ id: message.id, entries }, transfer);
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
  }
});
