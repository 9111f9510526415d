/**
 * The request pipeline every partner API route runs through, in this order: reply encoding (Accept),
 * authentication (401), rate limit (429 + Retry-After), role (403), body (413 / 415 / 400), query (400),
 * idempotency key, handler, reply. Any thrown Problem becomes problem+json; anything else is a 500 whose
 * details go to the log, not to the caller. uWebSockets.js needs headers read before the first await and
 * the response corked and skipped when the client went away.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { TokenStore } from '../auth/token-store.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { Route, RouteReply } from './route.ts';
import { readBody } from './body-reader.ts';
import { contentTypeOf, decodeBody, encodeBody, replyEncoding, requestEncoding, type Encoding } from './codec.ts';
import { Problem } from './problem.ts';
import { parseQuery, validate } from './validation.ts';
import { idempotencyKeyCharsMax } from '../../persistence/idempotency-ledger.ts';

export const bodyBytesMaxDefault = 256 * 1024;

export interface PipelineDeps {
  readonly tokens: TokenStore;
  readonly limiter: RateLimiter;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly bodyBytesMax: number;
  readonly now: () => number;
  /** The HTTP ends of the durable path's stage histograms (gateway/durable-stage-metrics.ts). */
  readonly stages?: HttpStageObserver;
}

/** decode = request received → the route called (body read, decoded, validated); reply = result → response written. */
export interface HttpStageObserver {
  observe(stage: 'decode' | 'reply', seconds: number): void;
}

interface RequestHead {
  readonly authorization: string;
  readonly contentType: string;
  readonly contentLength: string;
  readonly accept: string;
  readonly idempotencyKey: string;
  readonly requestId: string;
  readonly params: string[];
  readonly query: string;
  readonly url: string;
}

const statusText: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function mountRoute(app: TemplatedApp, route: Route, deps: PipelineDeps): void {
  const paramCount = (route.path.match(/:/g) ?? []).length;
  const handler = (res: HttpResponse, req: HttpRequest): void => {
    const head = readHead(req, paramCount);
    const state = { aborted: false };
    res.onAborted(() => {
      state.aborted = true;
    });
    void run(res, route, head, deps, state);
  };
  if (route.method === 'get') app.get(route.path, handler);
  else if (route.method === 'post') app.post(route.path, handler);
  else app.del(route.path, handler);
}

/**
 * Request ids made here: a random per-process prefix and a counter (unique, and cheaper than a UUID per
 * request, which was a visible share of the allocation in the booking storm). A caller's X-Request-Id wins.
 */
const requestIdPrefix = randomUUID().slice(0, 8);
let requestCounter = 0;

function nextRequestId(): string {
  requestCounter += 1;
  return `${requestIdPrefix}-${requestCounter.toString(36)}`;
}

function readHead(req: HttpRequest, paramCount: number): RequestHead {
  const params: string[] = [];
  for (let i = 0; i < paramCount; i += 1) params.push(safeDecode(req.getParameter(i) ?? ''));
  return {
    authorization: req.getHeader('authorization'),
    contentType: req.getHeader('content-type'),
    contentLength: req.getHeader('content-length'),
    accept: req.getHeader('accept'),
    idempotencyKey: req.getHeader('idempotency-key'),
    requestId: req.getHeader('x-request-id') || nextRequestId(),
    params,
    query: req.getQuery() ?? '',
    url: req.getUrl(),
  };
}

/** A malformed percent-encoding decodes to a value no id can have, so the route answers 4xx instead of throwing. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return '\u0000malformed';
  }
}

async function run(res: HttpResponse, route: Route, head: RequestHead, deps: PipelineDeps, state: { aborted: boolean }): Promise<void> {
  const started = performance.now();
  let encoding: Encoding = 'json';
  let reply: RouteReply;
  try {
    encoding = replyEncoding(head.accept);
    reply = await handle(res, route, head, deps, started);
  } catch (error) {
    reply = problemReply(error, route, head, deps);
  }
  const replied = performance.now();
  deps.metrics.httpRequests.inc({ operation: route.operationId, status: String(reply.status) });
  deps.metrics.httpLatency.observe({ operation: route.operationId }, (performance.now() - started) / 1000);
  if (state.aborted) return;
  write(res, reply, encoding, head.requestId);
  deps.stages?.observe('reply', (performance.now() - replied) / 1000);
}

async function handle(res: HttpResponse, route: Route, head: RequestHead, deps: PipelineDeps, started: number): Promise<RouteReply> {
  const principal = route.public === true ? anonymous : authenticate(head.authorization, deps);
  if (route.public !== true) {
    const waitSeconds = deps.limiter.take(principal.id, deps.now());
    if (waitSeconds > 0) throw new Problem(429, 'rate_limited', `too many requests; retry in ${waitSeconds} s`, { headers: { 'Retry-After': String(waitSeconds) } });
    if (route.roles !== undefined && !route.roles.includes(principal.role)) throw new Problem(403, 'forbidden', `this operation is not open to the ${principal.role} role`);
  }
  let raw: Buffer = Buffer.alloc(0);
  let body: unknown;
  if (route.method !== 'get') {
    raw = await readBody(res, head.contentLength, deps.bodyBytesMax);
    if (route.body !== undefined) {
      body = decodeBody(raw, requestEncoding(head.contentType));
      validate(route.body, body, 'body');
    }
  }
  const query = parseQuery(head.query);
  if (route.query !== undefined) validate(route.query, query, 'query');
  else if (Object.keys(query).length > 0) throw new Problem(400, 'validation_failed', 'this operation takes no query parameters', { errors: [{ path: `/${Object.keys(query)[0] ?? ''}`, message: 'unknown parameter' }] });
  const idempotency = idempotencyOf(route, head, principal.id, raw);
  if (route.method !== 'get') deps.stages?.observe('decode', (performance.now() - started) / 1000);
  return route.handle({ principal, params: head.params, query: query as never, body: body as never, idempotency, requestId: head.requestId });
}

const anonymous = { id: 'anonymous', role: 'partner', scope: { kind: 'clinics', clinicIds: [] }, label: 'anonymous' } as const;

const bearerPattern = /^Bearer\s+\S+$/i;

function authenticate(authorization: string, deps: PipelineDeps): ReturnType<TokenStore['verify']> & object {
  // test + slice rather than exec: no match array per request.
  const wellFormed = bearerPattern.test(authorization);
  const principal = wellFormed ? deps.tokens.verify(authorization.slice('Bearer'.length).trimStart()) : undefined;
  if (principal === undefined) {
    throw new Problem(401, 'unauthorized', wellFormed ? 'the token is not valid' : 'send Authorization: Bearer <token>', { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  return principal;
}

function idempotencyOf(route: Route, head: RequestHead, principalId: string, raw: Buffer): { key: string; requestHash: string } | undefined {
  if (route.method === 'get' || head.idempotencyKey === '') return undefined;
  if (head.idempotencyKey.length > idempotencyKeyCharsMax || !/^[\x21-\x7e]+$/.test(head.idempotencyKey)) {
    throw new Problem(400, 'validation_failed', `Idempotency-Key must be 1..${idempotencyKeyCharsMax} visible ASCII characters`, { errors: [{ path: 'header:Idempotency-Key', message: 'invalid' }] });
  }
  const requestHash = createHash('sha256').update(route.operationId).update('\0').update(head.params.join('\0')).update('\0').update(raw).digest('hex');
  return { key: `${principalId}:${head.idempotencyKey}`, requestHash };
}

function problemReply(error: unknown, route: Route, head: RequestHead, deps: PipelineDeps): RouteReply {
  if (error instanceof Problem) return { status: error.status, body: error.body(), headers: error.headers };
  deps.logger.error({ err: error, requestId: head.requestId, operation: route.operationId }, 'unhandled error in a route');
  const problem = new Problem(500, 'internal', `an internal error occurred; quote request id ${head.requestId}`);
  return { status: 500, body: problem.body() };
}

function write(res: HttpResponse, reply: RouteReply, encoding: Encoding, requestId: string): void {
  const isProblem = reply.status >= 400;
  const bytes = reply.raw !== undefined ? reply.raw.bytes : reply.status === 204 ? '' : encodeBody(reply.body, encoding);
  const contentType = reply.raw !== undefined ? reply.raw.contentType : contentTypeOf(encoding, isProblem);
  res.cork(() => {
    res.writeStatus(`${reply.status} ${statusText[reply.status] ?? ''}`.trim());
    res.writeHeader('Content-Type', contentType);
    res.writeHeader('X-Request-Id', requestId);
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.writeHeader(name, value);
    res.end(bytes);
  });
}
