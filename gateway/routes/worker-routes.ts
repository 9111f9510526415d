/**
 * Routes whose work runs on the worker pool (workers/, docs/workers.md): route sheets, the operations report
 * and the call-out export. The handler checks the caller's scope first (403 before anything is looked up
 * beyond the directory entry that names the clinic), waits for the tick in flight to be durable, and hands the
 * pool ids, dates, the data directory and that durable position — never state. A full pool is 503 with
 * Retry-After; a task that breaks its time or memory limit is 503 too, and only that request fails.
 */
import { Type } from '@sinclair/typebox';
import type { Logger } from 'pino';
import { daysBetween, isIsoDate, localDate } from '../../engine/domain/local-time.ts';
import type { EngineHost } from '../../persistence/engine-host.ts';
import { reportDaysMax } from '../../workers/reports/call-tally.ts';
import { TaskFailedError, TaskTimeoutError, WorkerPool, WorkerPoolBusyError } from '../../workers/worker-pool.ts';
import type { WorkerResult, WorkerTask } from '../../workers/worker-task.ts';
import { canSeeDoctor, type Principal } from '../auth/principal.ts';
import { Problem } from '../http/problem.ts';
import { defineRoute, type Route, type RouteReply } from '../http/route.ts';
import { IsoDate, Id, ProblemSchema, problemReplies } from '../schemas/common.ts';
import { forbidden, requireClinic } from './route-support.ts';

export interface WorkerRouteDeps {
  readonly host: EngineHost;
  readonly now: () => number;
  readonly pool: WorkerPool<WorkerTask, WorkerResult>;
  /** Where a failed task's cause goes (the caller gets the 503 and a request id, not the stack). */
  readonly logger: Logger;
}

const documentReplies = { 200: Type.Unknown(), ...problemReplies, 503: ProblemSchema } as const;
const RouteSheetQuery = Type.Object({ date: Type.Optional(IsoDate), format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html'), Type.Literal('pdf')])) }, { additionalProperties: false });
const ReportQuery = Type.Object({ clinicId: Type.Optional(Id), from: IsoDate, to: IsoDate, format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')])) }, { additionalProperties: false });
const CalloutExportQuery = Type.Object({ date: Type.Optional(IsoDate), clinicId: Type.Optional(Id), format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')])) }, { additionalProperties: false });

/**
 * Runs a task and turns the pool's refusals and failures into problems: a full pool `workers_busy`, a task
 * past its time `task_timeout`, and any failure of the task or its worker (memory limit, a worker that would
 * not start, the task throwing) `task_failed`, all 503, the failure logged with its cause. Never a bare 500.
 */
export async function runOnWorker(deps: WorkerRouteDeps, build: (base: { dataDir: string; minPosition: number; asOfMs: number }) => WorkerTask, transfer: readonly ArrayBuffer[] = []): Promise<WorkerResult> {
  await deps.host.whenDurable();
  const task = build({ dataDir: deps.host.environment.path, minPosition: deps.host.durablePosition, asOfMs: deps.now() });
  try {
    return await deps.pool.run(task, transfer);
  } catch (error) {
    if (error instanceof WorkerPoolBusyError) throw new Problem(503, 'workers_busy', error.message, { headers: { 'Retry-After': String(error.retryAfterSeconds) } });
    if (error instanceof TaskTimeoutError) throw new Problem(503, 'task_timeout', error.message, { headers: { 'Retry-After': String(error.retryAfterSeconds) } });
    if (error instanceof TaskFailedError) {
      deps.logger.error({ err: error, cause: error.cause, reason: error.reason, task: task.kind }, 'worker task failed');
      throw new Problem(503, 'task_failed', `the ${task.kind} task failed on its worker (${error.reason}); the cause is logged`, { headers: { 'Retry-After': String(deps.pool.retryAfterSeconds) } });
    }
    throw error;
  }
}

/** A worker's result as a reply: JSON goes through the pipeline's encoder (Accept), files as raw bytes. */
export function replyOf(result: WorkerResult): RouteReply {
  switch (result.kind) {
    case 'json':
      return { status: 200, body: result.body, headers: { 'X-Log-Position': String(result.position) } };
    case 'bytes': {
      const inline = result.contentType.startsWith('application/pdf') || result.contentType.startsWith('text/html');
      return {
        status: 200,
        body: undefined,
        raw: { contentType: result.contentType, bytes: Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength) },
        headers: { 'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${result.fileName}"`, 'X-Log-Position': String(result.position) },
      };
    }
    case 'notFound':
      throw new Problem(404, 'not_found', result.detail);
    case 'badRequest':
      throw new Problem(400, 'validation_failed', result.detail, { errors: [{ path: result.field, message: result.detail }] });
    case 'plan':
      throw new Error('an import plan is not a document reply');
  }
}

/** The doctor's clinic from the region directory; out of scope (or unknown, for a token not covering the region) is 403. */
export function doctorClinicInScope(host: EngineHost, principal: Principal, doctorId: string): string {
  if (principal.scope.kind === 'doctor' && principal.scope.doctorId !== doctorId) throw forbidden();
  const clinicId = host.read.region().doctors.get(doctorId)?.clinicId;
  if (clinicId === undefined) {
    if (principal.scope.kind === 'region') throw new Problem(404, 'not_found', `doctor ${doctorId} not found`);
    throw forbidden();
  }
  if (!canSeeDoctor(principal, clinicId, doctorId)) throw forbidden();
  return clinicId;
}

export function workerRoutes(deps: WorkerRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/doctors/:id/route-sheet', operationId: 'routeSheet', tag: 'Documents', query: RouteSheetQuery, replies: documentReplies,
      summary: "The doctor's route sheet for a day (default today): JSON, printable HTML or PDF with the print form's 14 columns",
      handle: async (context) => {
        const doctorId = context.params[0] as string;
        const clinicId = doctorClinicInScope(deps.host, context.principal, doctorId);
        const timeZone = deps.host.read.region().clinics.get(clinicId)?.timeZone ?? 'UTC';
        const date = context.query.date ?? localDate(deps.now(), timeZone);
        if (!isIsoDate(date)) throw new Problem(400, 'validation_failed', 'date must be a real date YYYY-MM-DD', { errors: [{ path: '/date', message: 'invalid' }] });
        const format = context.query.format ?? 'json';
        return replyOf(await runOnWorker(deps, (base) => ({ ...base, kind: 'routeSheet', doctorId, date, format })));
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/reports/operations', operationId: 'operationsReport', tag: 'Documents', roles: ['admin', 'operator', 'partner'], query: ReportQuery, replies: documentReplies,
      summary: 'Operations report of a clinic (or, for region tokens, the region) over a date range: calls, service levels, appointments, call-out, feedback, per-day series; JSON, CSV or XLSX',
      handle: async (context) => {
        const { clinicId, from, to } = context.query;
        if (clinicId === undefined && context.principal.scope.kind !== 'region') throw new Problem(403, 'forbidden', 'a region report needs a region-scoped token: give clinicId');
        if (clinicId !== undefined) requireClinic(context.principal, clinicId);
        for (const [field, value] of [['/from', from], ['/to', to]] as const) {
          if (!isIsoDate(value)) throw new Problem(400, 'validation_failed', `${field.slice(1)} must be a real date YYYY-MM-DD`, { errors: [{ path: field, message: 'invalid' }] });
        }
        const days = daysBetween(from, to) + 1;
        if (days < 1 || days > reportDaysMax) throw new Problem(400, 'validation_failed', `from..to must cover 1..${reportDaysMax} days`, { errors: [{ path: '/to', message: 'out of range' }] });
        const format = context.query.format ?? 'json';
        return replyOf(await runOnWorker(deps, (base) => ({ ...base, kind: 'operationsReport', from, to, format, ...(clinicId === undefined ? {} : { clinicId }) })));
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/callout/tasks/export', operationId: 'calloutTasksExport', tag: 'Call-out', roles: ['admin', 'operator', 'partner'], query: CalloutExportQuery, replies: documentReplies,
      summary: 'The call-out task list (default: tomorrow) as a CSV (the robot columns of GET /callout/tasks?format=csv) or an XLSX sheet',
      handle: async (context) => {
        const { clinicId, date } = context.query;
        const scope = context.principal.scope;
        if (clinicId !== undefined) requireClinic(context.principal, clinicId);
        const own = scope.kind === 'clinics' ? scope.clinicIds : scope.kind === 'doctor' ? [scope.clinicId] : undefined;
        const format = context.query.format ?? 'csv';
        return replyOf(await runOnWorker(deps, (base) => ({
          ...base, kind: 'calloutExport', format,
          ...(date === undefined ? {} : { date }),
          ...(clinicId === undefined ? {} : { clinicId }),
          ...(clinicId === undefined && own !== undefined ? { clinicIds: own } : {}),
        })));
      },
    }),
  ];
}
