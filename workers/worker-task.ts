/**
 * What the main thread hands a worker and what comes back. A task carries only ids, dates, the data directory
 * and the log position the main thread had made durable — never state: the worker reads its own replica. Large
 * results are bytes, transferred rather than copied.
 */
import type { ImportPlan } from './imports/directory-plan.ts';

export type DocumentFormat = 'json' | 'html' | 'pdf' | 'csv' | 'xlsx';

interface TaskBase {
  readonly dataDir: string;
  /** The main thread's durable log position when it handed over the task: the replica reads at least this far. */
  readonly minPosition: number;
  /** The request's instant ("as of"), from the main thread's clock. */
  readonly asOfMs: number;
}

export type WorkerTask =
  | (TaskBase & { readonly kind: 'warm' })
  | (TaskBase & { readonly kind: 'routeSheet'; readonly doctorId: string; readonly date: string; readonly format: 'json' | 'html' | 'pdf' })
  | (TaskBase & { readonly kind: 'operationsReport'; readonly clinicId?: string; readonly from: string; readonly to: string; readonly format: 'json' | 'csv' | 'xlsx' })
  | (TaskBase & { readonly kind: 'calloutExport'; readonly date?: string; readonly clinicId?: string; readonly clinicIds?: readonly string[]; readonly format: 'csv' | 'xlsx' })
  | (TaskBase & { readonly kind: 'directoryImport' | 'calloutResultsImport'; readonly csv: Uint8Array });

/** What a task cost on its worker: for metrics, logs and the bench. */
export interface TaskMeta {
  readonly catchUpMs: number;
  readonly replayedEntries: number;
  /** The replica was built (first task of the worker, or the log was trimmed past it). */
  readonly rebuilt: boolean;
  readonly taskMs: number;
  /** The worker's V8 heap after the task (used, and reserved: the high-water mark the task pushed it to). */
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
}

export type WorkerResult =
  | { readonly kind: 'json'; readonly body: unknown; readonly position: number; readonly meta?: TaskMeta }
  | { readonly kind: 'bytes'; readonly contentType: string; readonly fileName: string; readonly bytes: Uint8Array; readonly position: number; readonly meta?: TaskMeta }
  | { readonly kind: 'plan'; readonly plan: ImportPlan; readonly position: number; readonly meta?: TaskMeta }
  | { readonly kind: 'notFound'; readonly detail: string }
  | { readonly kind: 'badRequest'; readonly field: string; readonly detail: string };

export const contentTypes = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;
