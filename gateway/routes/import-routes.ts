/**
 * CSV imports: `POST /api/v1/imports/directory` (admin) and `POST /api/v1/imports/callout-results` (admin,
 * operator, partner), with a `text/csv` body. The worker parses and checks every row and plans the commands;
 * the main thread submits them as the caller (workers/imports/import-submitter.ts) and answers one outcome per
 * line: applied, unchanged, invalid, conflict or rejected.
 *
 * Mounted on the uWS app directly rather than through the route pipeline, because the pipeline decodes bodies
 * as JSON or MessagePack and hands a route no raw bytes; so this module does the pipeline's steps itself, in
 * the same order and with the same problem bodies: 401, 429 (its own bucket, `importsPerSecond` per token),
 * 403 by role, 415 unless the body is CSV, 413 past `importBodyBytesMax`, then the work.
 */
import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';
import { notVisible } from '../../workers/imports/callout-results-plan.ts';
import { submitImportPlan, type ImportReport } from '../../workers/imports/import-submitter.ts';
import { actorOf, canSeeClinic, type Principal, type Role } from '../auth/principal.ts';
import { RateLimiter } from '../auth/rate-limiter.ts';
import type { TokenStore } from '../auth/token-store.ts';
import { readBody } from '../http/body-reader.ts';
import { Problem } from '../http/problem.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { runOnWorker, type WorkerRouteDeps } from './worker-routes.ts';

/** A directory or a robot's day of results is well under this; a larger file is split by the sender. */
export const importBodyBytesMax = 8 * 1024 * 1024;
export const importsPerSecond = 1;
export const importBurst = 5;

export interface ImportRouteDeps extends WorkerRouteDeps {
  readonly tokens: TokenStore;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

interface ImportRoute {
  readonly path: string;
  readonly operationId: string;
  readonly roles: readonly Role[];
  readonly kind: 'directoryImport' | 'calloutResultsImport';
}

export const importRoutes: readonly ImportRoute[] = [
  { path: '/api/v1/imports/directory', operationId: 'importDirectory', roles: ['admin'], kind: 'directoryImport' },
  { path: '/api/v1/imports/callout-results', operationId: 'importCalloutResults', roles: ['admin', 'operator', 'partner'], kind: 'calloutResultsImport' },
];

const csvTypes = new Set(['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel']);

export function mountImportRoutes(app: TemplatedApp, deps: ImportRouteDeps): void {
  const limiter = new RateLimiter(importsPerSecond, importBurst);
  for (const route of importRoutes) {
    app.post(route.path, (res: HttpResponse, req: HttpRequest) => {
      // uWS: headers must be read before the first await.
      const head = {
        authorization: req.getHeader('authorization'),
        contentType: req.getHeader('content-type'),
        contentLength: req.getHeader('content-length'),
        requestId: req.getHeader('x-request-id') || randomUUID(),
      };
      const state = { aborted: false };
      res.onAborted(() => {
        state.aborted = true;
      });
      void handle(res, route, head, deps, limiter).then((reply) => {
        deps.metrics.httpRequests.inc({ operation: route.operationId, status: String(reply.status) });
        if (!state.aborted) write(res, reply, head.requestId);
      });
    });
  }
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

async function handle(res: HttpResponse, route: ImportRoute, head: { authorization: string; contentType: string; contentLength: string; requestId: string }, deps: ImportRouteDeps, limiter: RateLimiter): Promise<Reply> {
  try {
    const match = /^Bearer\s+(\S+)$/i.exec(head.authorization);
    const principal = match === null ? undefined : deps.tokens.verify(match[1] as string);
    if (principal === undefined) throw new Problem(401, 'unauthorized', match === null ? 'send Authorization: Bearer <token>' : 'the token is not valid', { headers: { 'WWW-Authenticate': 'Bearer' } });
    const waitSeconds = limiter.take(principal.id, deps.now());
    if (waitSeconds > 0) throw new Problem(429, 'rate_limited', `too many imports; retry in ${waitSeconds} s`, { headers: { 'Retry-After': String(waitSeconds) } });
    if (!route.roles.includes(principal.role)) throw new Problem(403, 'forbidden', `this operation is not open to the ${principal.role} role`);
    const type = head.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!csvTypes.has(type)) throw new Problem(415, 'unsupported_media_type', `send the file as text/csv (UTF-8), not ${type === '' ? 'an untyped body' : type}`);
    const body = await readBody(res, head.contentLength, importBodyBytesMax);
    if (body.length === 0) throw new Problem(400, 'validation_failed', 'the body is empty: send the CSV file', { errors: [{ path: '/', message: 'required' }] });
    // Into an ArrayBuffer of its own, moved (not copied) to the worker.
    const csv = new Uint8Array(body.length);
    csv.set(body);
    const result = await runOnWorker(deps, (base) => ({ ...base, kind: route.kind, csv }), [csv.buffer]);
    if (result.kind !== 'plan') throw new Error(`the import worker answered ${result.kind}`);
    const report: ImportReport = await submitImportPlan(deps.host, result.plan, {
      by: actorOf(principal),
      canSeeClinic: (clinicId) => canSeeClinic(principal as Principal, clinicId),
      notVisible: (planned) => (planned.command.type === 'RecordCalloutResult' ? notVisible(planned.command.appointmentId) : `${planned.entity}: outside your scope`),
    });
    return { status: 200, body: report };
  } catch (error) {
    if (error instanceof Problem) return { status: error.status, body: error.body(), headers: error.headers };
    deps.logger.error({ err: error, requestId: head.requestId, operation: route.operationId }, 'unhandled error in an import');
    return { status: 500, body: new Problem(500, 'internal', `an internal error occurred; quote request id ${head.requestId}`).body() };
  }
}

const statusText: Readonly<Record<number, string>> = {
  200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

function write(res: HttpResponse, reply: Reply, requestId: string): void {
  const contentType = reply.status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8';
  res.cork(() => {
    res.writeStatus(`${reply.status} ${statusText[reply.status] ?? ''}`.trim());
    res.writeHeader('Content-Type', contentType);
    res.writeHeader('X-Request-Id', requestId);
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.writeHeader(name, value);
    res.end(JSON.stringify(reply.body));
  });
}
