/**
 * The worker's entry (piscina loads its default export): keeps one warm Replica per data directory for the
 * thread's lifetime, catches it up at the start of each task, builds the document, and releases LMDB's read
 * snapshot when done. Documents go back as bytes moved to the main thread (Piscina.move), not copied.
 */
import { getHeapStatistics } from 'node:v8';
import { Piscina } from 'piscina';
import { buildRouteSheet } from './documents/route-sheet.ts';
import { routeSheetHtml } from './documents/route-sheet-html.ts';
import { routeSheetPdf } from './documents/route-sheet-pdf.ts';
import { calloutCsv, calloutExportTasks, calloutXlsx } from './exports/callout-export.ts';
import { planCalloutResultsImport } from './imports/callout-results-plan.ts';
import { planDirectoryImport } from './imports/directory-plan.ts';
import { Replica } from './replica.ts';
import { buildOperationsReport, ReportRangeError } from './reports/operations-report.ts';
import { operationsReportCsv, operationsReportXlsx } from './reports/report-documents.ts';
import { contentTypes, type TaskMeta, type WorkerResult, type WorkerTask } from './worker-task.ts';
import { applyPoolPriority } from './thread-priority.ts';

// Below the engine's thread from the start (workers/thread-priority.ts): the pool passes its setting.
export const priority = applyPoolPriority();

const replicas = new Map<string, Replica>();

function replicaFor(dataDir: string): Replica {
  let replica = replicas.get(dataDir);
  if (replica === undefined) {
    replica = Replica.open(dataDir);
    replicas.set(dataDir, replica);
  }
  return replica;
}

export default async function handleTask(task: WorkerTask): Promise<unknown> {
  const replica = replicaFor(task.dataDir);
  try {
    const started = performance.now();
    const caughtUp = replica.catchUp(task.minPosition);
    const plain = await run(task, replica, caughtUp.position);
    const heap = getHeapStatistics();
    const meta: TaskMeta = {
      catchUpMs: Math.round(caughtUp.durationMs), replayedEntries: caughtUp.replayedEntries, rebuilt: caughtUp.rebuilt,
      taskMs: Math.round(performance.now() - started), heapUsedBytes: heap.used_heap_size, heapTotalBytes: heap.total_heap_size,
    };
    const result = plain.kind === 'notFound' || plain.kind === 'badRequest' ? plain : { ...plain, meta };
    // Move document bytes to the main thread instead of copying them.
    return result.kind === 'bytes' ? Piscina.move(asTransferable(result) as unknown as Parameters<typeof Piscina.move>[0]) : result;
  } finally {
    replica.release();
  }
}

async function run(task: WorkerTask, replica: Replica, position: number): Promise<WorkerResult> {
  const bytes = (contentType: string, fileName: string, data: Buffer): WorkerResult => ({ kind: 'bytes', contentType, fileName, bytes: ownBuffer(data), position });
  switch (task.kind) {
    case 'warm':
      return { kind: 'json', body: { position }, position };
    case 'routeSheet': {
      const sheet = buildRouteSheet(replica.read, task.doctorId, task.date, task.asOfMs, position);
      if (sheet === undefined) return { kind: 'notFound', detail: `doctor ${task.doctorId} not found` };
      const name = `route-sheet-${task.doctorId}-${task.date}`;
      if (task.format === 'json') return { kind: 'json', body: sheet, position };
      if (task.format === 'html') return bytes(contentTypes.html, `${name}.html`, routeSheetHtml(sheet));
      return bytes(contentTypes.pdf, `${name}.pdf`, await routeSheetPdf(sheet));
    }
    case 'operationsReport': {
      let report;
      try {
        report = buildOperationsReport(replica, { ...(task.clinicId === undefined ? {} : { clinicId: task.clinicId }), from: task.from, to: task.to, asOfMs: task.asOfMs, logPosition: position });
      } catch (error) {
        if (error instanceof ReportRangeError) return { kind: 'badRequest', field: '/to', detail: error.message };
        throw error;
      }
      if (report === undefined) return { kind: 'notFound', detail: `clinic ${task.clinicId ?? ''} not found` };
      const name = `operations-${task.clinicId ?? 'region'}-${task.from}-${task.to}`;
      if (task.format === 'json') return { kind: 'json', body: report, position };
      if (task.format === 'csv') return bytes(contentTypes.csv, `${name}.csv`, operationsReportCsv(report));
      return bytes(contentTypes.xlsx, `${name}.xlsx`, await operationsReportXlsx(report));
    }
    case 'calloutExport': {
      const tasks = calloutExportTasks(replica.read, {
        atMs: task.asOfMs,
        ...(task.date === undefined ? {} : { date: task.date }),
        ...(task.clinicId === undefined ? {} : { clinicId: task.clinicId }),
        ...(task.clinicIds === undefined ? {} : { clinicIds: task.clinicIds }),
      });
      const name = `callout-${task.clinicId ?? 'all'}-${task.date ?? 'tomorrow'}`;
      return task.format === 'csv' ? bytes(contentTypes.csv, `${name}.csv`, calloutCsv(tasks)) : bytes(contentTypes.xlsx, `${name}.xlsx`, await calloutXlsx(tasks));
    }
    case 'directoryImport':
      return { kind: 'plan', plan: planDirectoryImport(decodeUtf8(task.csv), replica.read.region()), position };
    case 'calloutResultsImport':
      return { kind: 'plan', plan: planCalloutResultsImport(decodeUtf8(task.csv), replica.read.region()), position };
  }
}

/** Piscina.move wants a value that names its own transfer list. */
function asTransferable(result: Extract<WorkerResult, { kind: 'bytes' }>): { [key: symbol]: unknown } {
  return {
    [Piscina.transferableSymbol]: [result.bytes.buffer],
    [Piscina.valueSymbol]: result,
  };
}

/**
 * The bytes in an ArrayBuffer of their own: a small Buffer may be a slice of Node's shared allocation pool, and
 * transferring that pool would detach every other Buffer cut from it.
 */
function ownBuffer(data: Buffer): Uint8Array {
  if (data.byteOffset === 0 && data.buffer.byteLength === data.byteLength && data.buffer instanceof ArrayBuffer) return new Uint8Array(data.buffer);
  const copy = new Uint8Array(data.byteLength);
  copy.set(data);
  return copy;
}

function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
