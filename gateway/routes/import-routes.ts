/**
 * CSV imports: `POST /api/v1/imports/directory` (admin) and `POST /api/v1/imports/callout-results` (admin,
 * operator, partner), with a `text/csv` body. The worker parses and checks every row and plans the commands;
 * the main thread submits them as the caller (workers/imports/import-submitter.ts) and answers one outcome per
 * line: applied, unchanged, invalid, conflict or rejected.
 *
 * Ordinary routes of the one request pipeline (gateway/http/pipeline.ts) with a raw body: the same 401, the
 * server's rate limit and then their own bucket (`importsPerSecond` per token), 403 by role, 415 unless the
 * body is CSV, 413 past `importBodyBytesMax`, the drain guard at shutdown, and a place in the OpenAPI document.
 */
import { Type } from '@sinclair/typebox';
import { notVisible } from '../../workers/imports/callout-results-plan.ts';
import { submitImportPlan, type ImportReport } from '../../workers/imports/import-submitter.ts';
import { actorOf, canSeeClinic, type Role } from '../auth/principal.ts';
import { Problem } from '../http/problem.ts';
import { defineRoute, type Route } from '../http/route.ts';
import { ProblemSchema, problemReplies } from '../schemas/common.ts';
import { runOnWorker, type WorkerRouteDeps } from './worker-routes.ts';

/** A directory or a robot's day of results is well under this; a larger file is split by the sender. */
export const importBodyBytesMax = 8 * 1024 * 1024;
export const importsPerSecond = 1;
export const importBurst = 5;

export type ImportRouteDeps = WorkerRouteDeps;

interface ImportSpec {
  readonly path: string;
  readonly operationId: string;
  readonly roles: readonly Role[];
  readonly kind: 'directoryImport' | 'calloutResultsImport';
  readonly summary: string;
}

export const importSpecs: readonly ImportSpec[] = [
  { path: '/api/v1/imports/directory', operationId: 'importDirectory', roles: ['admin'], kind: 'directoryImport', summary: 'Import clinics, subdivisions, districts, doctors and weekly hours from a CSV file (docs/workers.md); one outcome per line' },
  { path: '/api/v1/imports/callout-results', operationId: 'importCalloutResults', roles: ['admin', 'operator', 'partner'], kind: 'calloutResultsImport', summary: "Import the call-out robot's results by appointment id from a CSV file; one outcome per line" },
];

export const csvMediaTypes: readonly string[] = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];

const ImportReportSchema = Type.Object({}, { additionalProperties: true, description: 'One outcome per line: applied, unchanged, invalid, conflict or rejected' });

export function importRoutes(deps: ImportRouteDeps): Route[] {
  return importSpecs.map((spec) => defineRoute({
    method: 'post', path: spec.path, operationId: spec.operationId, tag: 'Imports', summary: spec.summary, roles: spec.roles,
    rawBody: { contentTypes: csvMediaTypes, bytesMax: importBodyBytesMax, description: 'the file (UTF-8 CSV)' },
    rateLimit: { perSecond: importsPerSecond, burst: importBurst },
    replies: { 200: ImportReportSchema, ...problemReplies, 413: ProblemSchema, 415: ProblemSchema, 503: ProblemSchema },
    handle: async (context) => {
      if (context.raw.length === 0) throw new Problem(400, 'validation_failed', 'the body is empty: send the CSV file', { errors: [{ path: '/', message: 'required' }] });
      // Into an ArrayBuffer of its own, moved (not copied) to the worker.
      const csv = new Uint8Array(context.raw.length);
      csv.set(context.raw);
      const result = await runOnWorker(deps, (base) => ({ ...base, kind: spec.kind, csv }), [csv.buffer]);
      if (result.kind !== 'plan') throw new Error(`the import worker answered ${result.kind}`);
      const principal = context.principal;
      const report: ImportReport = await submitImportPlan(deps.host, result.plan, {
        by: actorOf(principal),
        canSeeClinic: (clinicId) => canSeeClinic(principal, clinicId),
        notVisible: (planned) => (planned.command.type === 'RecordCalloutResult' ? notVisible(planned.command.appointmentId) : `${planned.entity}: outside your scope`),
      });
      return { status: 200, body: report };
    },
  }));
}
