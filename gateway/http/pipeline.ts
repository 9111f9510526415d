/**
 * The request pipeline every partner API route runs through, raw-body routes (CSV imports) included, in this
 * order: reply encoding (Accept), authentication (401), rate limit (429 + Retry-After; the server's bucket,
 * then the route's own), role (403), body (415 / 413 / 400), query (400),
 * idempotency key, handler, reply. Any thrown Problem becomes problem+json; anything else is a 500 whose
 * details go to the log, not to the caller. uWebSockets.js needs headers read before the first await and
 * the response corked and skipped when the client went away.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { TokenStore } from '../auth/token-store.ts';
import { RateLimiter } from '../auth/rate-limiter.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { Route, RouteReply } from './route.ts';
import { readBody } from './body-reader.ts';
import { contentTypeOf, decodeBody, encodeBody, replyEncoding, requestEncoding, type Encoding } from './codec.ts';
import { Problem } from './problem.ts';
import { parseQuery, validate } from './validation.ts';
import { idempotencyKeyCharsMax } from '../../persistence/idempotency-ledger.ts';
import { csrfHeaderName, csrfHeaderValue, sessionTokenOfCookie } from '../auth/session-cookie.ts';

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

interface RoutePipelineDeps extends PipelineDeps {
  /** The route's own bucket (`route.rateLimit`), after the server-wide one. */
  readonly routeLimiter: RateLimiter | undefined;
}

interface RequestHead {
  readonly authorization: string;
  readonly cookie: string;
  readonly requestedWith: string;
  readonly host: string;
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
  404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 409: 'Conflict', 410: 'Gone', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function mountRoute(app: TemplatedApp, route: Route, deps: PipelineDeps): void {
  const paramCount = (route.path.match(/:/g) ?? []).length;
  const routeLimiter = route.rateLimit === undefined ? undefined : new RateLimiter(route.rateLimit.perSecond, route.rateLimit.burst);
  const routeDeps: RoutePipelineDeps = { ...deps, routeLimiter };
  const handler = (res: HttpResponse, req: HttpRequest): void => {
    const head = readHead(req, paramCount);
    // Only public routes (sign-in) need it: its per-address limit. Read now, before anything awaits.
    const remoteAddress = route.public === true ? Buffer.from(res.getRemoteAddressAsText()).toString('latin1') : '';
    const state = { aborted: false };
    res.onAborted(() => {
      state.aborted = true;
    });
    void run(res, route, head, routeDeps, state, remoteAddress);
  };
  if (route.method === 'get') app.get(route.path, handler);
  else if (route.method === 'post') app.post(route.path, handler);
  else if (route.method === 'put') app.put(route.path, handler);
  else if (route.method === 'patch') app.patch(route.path, handler);
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
    cookie: req.getHeader('cookie'),
    requestedWith: req.getHeader(csrfHeaderName),
    host: req.getHeader('host'),
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

async function run(res: HttpResponse, route: Route, head: RequestHead, deps: RoutePipelineDeps, state: { aborted: boolean }, remoteAddress: string): Promise<void> {
  const started = performance.now();
  let encoding: Encoding = 'json';
  let reply: RouteReply;
  try {
    encoding = route.dialect === undefined ? replyEncoding(head.accept) : 'json';
    reply = await handle(res, route, head, deps, remoteAddress, started);
  } catch (error) {
    reply = problemReply(error, route, head, deps);
  }
  const replied = performance.now();
  deps.metrics.httpRequests.inc({ operation: route.operationId, status: String(reply.status) });
  deps.metrics.httpLatency.observe({ operation: route.operationId }, (performance.now() - started) / 1000);
  if (state.aborted) return;
  write(res, route, reply, encoding, head.requestId);
  deps.stages?.observe('reply', (performance.now() - replied) / 1000);
}

async function handle(res: HttpResponse, route: Route, head: RequestHead, deps: RoutePipelineDeps, remoteAddress: string, started: number): Promise<RouteReply> {
  route.dialect?.checkFormat?.(parseQuery(head.query), head.accept);
  const principal = route.public === true ? anonymous : authenticate(head, route, deps);
  if (route.public !== true) {
    const waitSeconds = deps.limiter.take(principal.id, deps.now());
    if (waitSeconds > 0) throw new Problem(429, 'rate_limited', `too many requests; retry in ${waitSeconds} s`, { headers: { 'Retry-After': String(waitSeconds) } });
    const routeWaitSeconds = deps.routeLimiter?.take(principal.id, deps.now()) ?? 0;
    if (routeWaitSeconds > 0) throw new Problem(429, 'rate_limited', `too many ${route.operationId} requests; retry in ${routeWaitSeconds} s`, { headers: { 'Retry-After': String(routeWaitSeconds) } });
    if (route.roles !== undefined && !route.roles.includes(principal.role)) throw new Problem(403, 'forbidden', `this operation is not open to the ${principal.role} role`);
  }
  let raw: Buffer = Buffer.alloc(0);
  let body: unknown;
  if (route.rawBody !== undefined) {
    const type = head.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!route.rawBody.contentTypes.includes(type)) throw new Problem(415, 'unsupported_media_type', `send ${route.rawBody.description} as ${route.rawBody.contentTypes[0] ?? ''}, not ${type === '' ? 'an untyped body' : type}`);
    raw = await readBody(res, head.contentLength, route.rawBody.bytesMax);
  } else if (route.method !== 'get') {
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
  return route.handle({ principal, params: head.params, query: query as never, rawQuery: head.query, body: body as never, idempotency, requestId: head.requestId, raw, host: head.host, ...(remoteAddress === '' ? {} : { remoteAddress }) });
}

const anonymous = { id: 'anonymous', role: 'partner', scope: { kind: 'clinics', clinicIds: [] }, label: 'anonymous' } as const;

const bearerPattern = /^Bearer\s+\S+$/i;

function authenticate(head: RequestHead, route: Route, deps: PipelineDeps): ReturnType<TokenStore['verify']> & object {
  const authorization = head.authorization;
  if (authorization === '') {
    // The UI's session cookie (gateway/auth/session-cookie.ts): only when no Authorization header is sent.
    const fromCookie = sessionTokenOfCookie(head.cookie);
    if (fromCookie !== undefined) {
      const principal = deps.tokens.verify(fromCookie);
      if (principal === undefined) throw new Problem(401, 'unauthorized', 'the session has ended: sign in again', { headers: { 'WWW-Authenticate': 'Bearer' } });
      if (route.method !== 'get' && head.requestedWith !== csrfHeaderValue) {
        throw new Problem(403, 'csrf', `a write with the session cookie needs the header X-Requested-With: ${csrfHeaderValue}`);
      }
      return principal;
    }
  }
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
  if (error instanceof Problem) return { status: error.status, body: route.dialect === undefined ? error.body() : route.dialect.problemBody(error), headers: error.headers };
  deps.logger.error({ err: error, requestId: head.requestId, operation: route.operationId }, 'unhandled error in a route');
  const problem = new Problem(500, 'internal', `an internal error occurred; quote request id ${head.requestId}`);
  return { status: 500, body: route.dialect === undefined ? problem.body() : route.dialect.problemBody(problem) };
}

/**
 * A document the API serves as HTML (the route sheet) runs no script, loads nothing and cannot be framed: its
 * data is patients' names and addresses, and a name is the one field an attacker chooses.
 */
export const documentContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function write(res: HttpResponse, route: Route, reply: RouteReply, encoding: Encoding, requestId: string): void {
  const isProblem = reply.status >= 400;
  const bytes = reply.raw !== undefined ? reply.raw.bytes : reply.status === 204 ? '' : encodeBody(reply.body, encoding);
  const dialectType = route.dialect === undefined ? undefined : isProblem ? route.dialect.problemContentType : route.dialect.contentType;
  const contentType = reply.raw !== undefined ? reply.raw.contentType : (dialectType ?? contentTypeOf(encoding, isProblem));
  const headers = reply.headers ?? {};
  res.cork(() => {
    res.writeStatus(`${reply.status} ${statusText[reply.status] ?? ''}`.trim());
    res.writeHeader('Content-Type', contentType);
    res.writeHeader('X-Request-Id', requestId);
    // Replies carry patients' data: never sniffed into another type, never kept by a browser or a shared cache.
    res.writeHeader('X-Content-Type-Options', 'nosniff');
    if (headers['Cache-Control'] === undefined) res.writeHeader('Cache-Control', 'no-store');
    if (contentType.startsWith('text/html')) res.writeHeader('Content-Security-Policy', documentContentSecurityPolicy);
    for (const name in headers) res.writeHeader(name, headers[name] as string);
    res.end(bytes);
  });
}
