// THE CONVENTIONAL BASELINE (BENCH.md, "Baselines and floors"): our partner API's core commands written the way
// clinic systems usually are: node:http, one Postgres transaction per request, row locks (SELECT … FOR UPDATE)
// for the rules. Written as a competent clinic-system developer would: a pg Pool of sensible size, named
// (prepared) statements, indexes for every lookup, synchronous_commit as the server has it (on: a reply
// follows a durable commit, as ours does). Not heroic: no caching, no batching, no queue in front of the pool.
// Not in scope, as in a typical system: auth, idempotency keys, msgpack bodies, webhooks.
//
//   POST /api/v1/calls                 register a home call; one open call per patient (patient row locked)
//   POST /api/v1/calls/:id/accept      received → new (call row locked)
//   POST /api/v1/calls/:id/assign      {doctorId, visitDate}; new|assigned → assigned (call row locked)
//   POST /api/v1/slots/:id/hold        201 {holdId, expiresAt} or 409 (slot row locked)
//   POST /api/v1/appointments          {slotId, holdId?, patient, source}; 201 or 409 (slot row locked)
//   GET  /api/v1/slots?clinicId|doctorId&from&to[&specialty][&status]
//   GET  /healthz
//
// Bounds: request body `requestBodyBytesMax` (413), `connectionsMax` sockets, a pool wait of `poolWaitTimeoutMs`
// (then 503 with Retry-After), `slotsPageRowsMax` rows per search. Runnable directly:
//   node --import tsx bench/peer/pg-peer-server.ts --port 8091 --reset --clinics 3 --patients 10000

import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Pool } from 'pg';
import { assertSchemaName, defaultPeerSchema, resetPeerSchema } from './pg-peer-schema.ts';
import { handleAccept, handleAssign, handleBook, handleHold, handleRegisterCall, handleSlotSearch } from './pg-peer-handlers.ts';
import type { Reply } from './pg-peer-handlers.ts';

export { resetPeerSchema } from './pg-peer-schema.ts';
export type { PeerSeed } from './pg-peer-schema.ts';

export const defaultPoolSize = 10;
export const poolSizeMax = 90;
export const requestBodyBytesMax = 1_048_576;
export const connectionsMax = 10_000;
export const poolWaitTimeoutMs = 10_000;
export const errorLogsMax = 10;
export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';

export interface PgPeerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly databaseUrl?: string;
  readonly poolSize?: number;
  readonly schema?: string;
  readonly holdTtlMs?: number;
}

export interface PgPeerStats {
  readonly requests: number;
  readonly byStatus: { readonly [status: string]: number };
  readonly serverErrors: number;
}

export interface PgPeer {
  readonly port: number;
  stats(): PgPeerStats;
  /** Closes the server, its sockets and the pool; safe to call more than once. */
  close(): Promise<void>;
}

class HttpFailure extends Error {
  constructor(readonly status: number, readonly title: string) {
    super(title);
  }
}

function readJsonBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = request.headers['content-type'];
    if (type !== undefined && !type.startsWith('application/json')) {
      reject(new HttpFailure(415, 'the peer accepts application/json only'));
      return;
    }
    const declaredBytes = Number(request.headers['content-length'] ?? 0);
    const tooLarge = new HttpFailure(413, `body over ${requestBodyBytesMax} bytes`);
    if (declaredBytes > requestBodyBytesMax) {
      request.resume();
      reject(tooLarge);
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > requestBodyBytesMax) {
        // Stop keeping the body but let it drain, so the 413 can still be written back.
        request.off('data', onData);
        request.resume();
        reject(tooLarge);
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('error', reject);
    request.on('end', () => {
      if (bytes === 0) {
        resolve({});
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpFailure(400, 'body is not valid JSON'));
      }
    });
  });
}

function send(response: ServerResponse, reply: Reply): void {
  const problem = reply.status >= 400;
  const text = JSON.stringify(problem && reply.body === undefined
    ? { type: 'about:blank', title: 'error', status: reply.status }
    : reply.body);
  response.writeHead(reply.status, {
    'content-type': problem ? 'application/problem+json' : 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(reply.retryAfterSeconds === undefined ? {} : { 'retry-after': String(reply.retryAfterSeconds) }),
    // After a 413 the rest of the body is not worth reading on this connection.
    ...(reply.status === 413 ? { connection: 'close' } : {}),
  });
  response.end(text);
}

function problem(status: number, title: string, detail?: string): Reply {
  return { status, body: { type: 'about:blank', title, status, ...(detail === undefined ? {} : { detail }) } };
}

type Route =
  | { readonly kind: 'health' }
  | { readonly kind: 'registerCall' }
  | { readonly kind: 'accept'; readonly callId: string }
  | { readonly kind: 'assign'; readonly callId: string }
  | { readonly kind: 'hold'; readonly slotId: string }
  | { readonly kind: 'book' }
  | { readonly kind: 'searchSlots' };

function route(method: string, path: string): Route | Reply {
  const parts = path.split('/').filter((part) => part !== '');
  const get = method === 'GET';
  const post = method === 'POST';
  if (path === '/healthz') return get ? { kind: 'health' } : problem(405, 'method not allowed');
  if (parts[0] !== 'api' || parts[1] !== 'v1') return problem(404, 'not found');
  const [resource, id, action] = [parts[2], parts[3], parts[4]];
  const tail = parts.length;
  if (resource === 'calls' && tail === 3) return post ? { kind: 'registerCall' } : problem(405, 'method not allowed');
  if (resource === 'calls' && tail === 5 && id !== undefined && (action === 'accept' || action === 'assign')) {
    if (!post) return problem(405, 'method not allowed');
    return action === 'accept' ? { kind: 'accept', callId: decodeURIComponent(id) }
      : { kind: 'assign', callId: decodeURIComponent(id) };
  }
  if (resource === 'slots' && tail === 3) return get ? { kind: 'searchSlots' } : problem(405, 'method not allowed');
  if (resource === 'slots' && tail === 5 && id !== undefined && action === 'hold') {
    return post ? { kind: 'hold', slotId: decodeURIComponent(id) } : problem(405, 'method not allowed');
  }
  if (resource === 'appointments' && tail === 3) return post ? { kind: 'book' } : problem(405, 'method not allowed');
  return problem(404, 'not found');
}

/** Maps a thrown error to a reply: our own HTTP failures, Postgres's retryable conflicts, else 500. */
function failureReply(error: unknown): Reply {
  if (error instanceof HttpFailure) return problem(error.status, error.title);
  const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
  if (code === '40P01' || code === '40001') return { ...problem(503, 'transaction conflict, retry'), retryAfterSeconds: 1 };
  if (code === '23503') return problem(404, 'a referenced resource does not exist');
  if (code === '23505') return problem(409, 'conflicts with an existing record');
  if (error instanceof Error && error.message.includes('timeout exceeded when trying to connect')) {
    return { ...problem(503, 'database pool exhausted'), retryAfterSeconds: 1 };
  }
  return problem(500, 'internal error');
}

async function dispatch(pool: Pool, holdTtlMs: number, request: IncomingMessage): Promise<Reply> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const target = route(request.method ?? 'GET', url.pathname);
  if (!('kind' in target)) return target;
  switch (target.kind) {
    case 'health':
      return { status: 200, body: { ok: true } };
    case 'searchSlots':
      return handleSlotSearch(pool, url.searchParams);
    case 'registerCall':
      return handleRegisterCall(pool, await readJsonBody(request));
    case 'accept':
      return handleAccept(pool, target.callId);
    case 'assign':
      return handleAssign(pool, target.callId, await readJsonBody(request));
    case 'hold':
      return handleHold(pool, target.slotId, holdTtlMs);
    case 'book':
      return handleBook(pool, await readJsonBody(request));
    default: {
      const unhandled: never = target;
      throw new Error(`unhandled route ${JSON.stringify(unhandled)}`);
    }
  }
}

export async function startPgPeer(options: PgPeerOptions): Promise<PgPeer> {
  const poolSize = options.poolSize ?? defaultPoolSize;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > poolSizeMax) {
    throw new RangeError(`pg peer: poolSize must be in [1, ${poolSizeMax}] (Postgres allows 100 connections here)`);
  }
  const schema = assertSchemaName(options.schema ?? defaultPeerSchema);
  const holdTtlMs = options.holdTtlMs ?? 300_000;
  const pool = new pg.Pool({
    connectionString: options.databaseUrl ?? process.env['DATABASE_URL'] ?? defaultDatabaseUrl,
    max: poolSize,
    connectionTimeoutMillis: poolWaitTimeoutMs,
    // search_path per connection keeps the statements schema-free, so the schema can be chosen per run.
    options: `-c search_path=${schema}`,
  });
  pool.on('error', (error) => process.stderr.write(`pg peer: idle client error: ${error.message}\n`));
  const byStatus = new Map<number, number>();
  let requests = 0;
  let serverErrors = 0;

  const server = createServer((request, response) => {
    requests += 1;
    dispatch(pool, holdTtlMs, request)
      .catch((error: unknown) => {
        const reply = failureReply(error);
        if (reply.status >= 500 && reply.status !== 503) {
          serverErrors += 1;
          if (serverErrors <= errorLogsMax) process.stderr.write(`pg peer: ${String(error)}\n`);
        }
        return reply;
      })
      .then((reply) => {
        byStatus.set(reply.status, (byStatus.get(reply.status) ?? 0) + 1);
        if (!response.headersSent && !response.destroyed) send(response, reply);
      });
  });
  server.maxConnections = connectionsMax;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  let closing: Promise<void> | undefined;

  return {
    port,
    stats: () => ({ requests, byStatus: Object.fromEntries(byStatus), serverErrors }),
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => pool.end());
      return closing;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8091' },
      'pool-size': { type: 'string', default: String(defaultPoolSize) },
      schema: { type: 'string', default: defaultPeerSchema },
      reset: { type: 'boolean', default: false },
      clinics: { type: 'string', default: '3' },
      'doctors-per-clinic': { type: 'string', default: '20' },
      'slots-per-doctor': { type: 'string', default: '240' },
      patients: { type: 'string', default: '100000' },
    },
  });
  const databaseUrl = process.env['DATABASE_URL'] ?? defaultDatabaseUrl;
  if (values.reset) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const seeded = await resetPeerSchema(pool, {
      clinics: Number(values.clinics),
      doctorsPerClinic: Number(values['doctors-per-clinic']),
      slotsPerDoctor: Number(values['slots-per-doctor']),
      patients: Number(values.patients),
    }, { schema: values.schema });
    await pool.end();
    process.stdout.write(`${JSON.stringify({ event: 'seeded', ...seeded })}\n`);
  }
  const peer = await startPgPeer({
    port: Number(values.port), databaseUrl, poolSize: Number(values['pool-size']), schema: values.schema,
  });
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: peer.port })}\n`);
  const stop = (): void => {
    void peer.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`pg peer: ${String(error)}\n`);
    process.exit(1);
  });
}
