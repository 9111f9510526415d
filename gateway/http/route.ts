/**
 * A partner API route: its path, who may call it, the TypeBox schemas of its body, query and replies (the
 * same schemas validate requests and generate the OpenAPI document), and its handler. Handlers receive
 * validated input and return a status and a body, or throw a Problem.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { Principal, Role } from '../auth/principal.ts';
import type { Problem } from './problem.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * A route family that speaks another wire format than the partner API (the FHIR facade): its content types
 * and how a Problem is written. Such routes run through the same pipeline (auth, rate limit, body limits) and
 * are left out of the OpenAPI document, since the family documents itself (FHIR: its CapabilityStatement).
 */
export interface RouteDialect {
  readonly name: string;
  /** Content type of successful replies. */
  readonly contentType: string;
  /** Content type of error replies. */
  readonly problemContentType: string;
  /** The error body for a Problem (FHIR: an OperationOutcome). */
  problemBody(problem: Problem): unknown;
  /** Checks the request's wishes about the reply format before anything else runs (FHIR: `_format`, Accept). */
  checkFormat?(query: Readonly<Record<string, string>>, accept: string): void;
}

export interface RouteContext<B, Q> {
  readonly principal: Principal;
  readonly params: readonly string[];
  readonly query: Q;
  /** The query string as sent (without `?`): for repeated parameters, which `query` folds to their last value. */
  readonly rawQuery: string;
  readonly body: B;
  /** The caller-scoped idempotency key and the request's hash, for writes that carry `Idempotency-Key`. */
  readonly idempotency: { readonly key: string; readonly requestHash: string } | undefined;
  readonly requestId: string;
  /** The client's address as the socket sees it; read only for public routes (sign-in's per-address limit), '' otherwise. */
  readonly remoteAddress?: string;
  /** The request's Host header (the session cookie's Secure attribute depends on it). */
  readonly host?: string;
  /** The request body's bytes, as read (a `rawBody` route's file; empty for a GET). */
  readonly raw: Buffer;
}

/** A route whose body is a file (CSV) handed over as bytes instead of decoded JSON or MessagePack. */
export interface RawBodySpec {
  /** Accepted media types (lower case, without parameters); anything else is 415. */
  readonly contentTypes: readonly string[];
  /** Replaces the server's BODY_BYTES_MAX for this route; larger is 413 before it is buffered. */
  readonly bytesMax: number;
  /** What the OpenAPI document says the body is. */
  readonly description: string;
}

/** A bucket of its own per token for an expensive route, applied after the server-wide one. */
export interface RouteRateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export interface RouteReply {
  readonly status: number;
  readonly body: unknown;
  /** Raw bytes with their content type (CSV, HTML, PDF) instead of an encoded body. */
  readonly raw?: { readonly contentType: string; readonly bytes: Buffer | string };
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route<BS extends TSchema | undefined = TSchema | undefined, QS extends TSchema | undefined = TSchema | undefined> {
  readonly method: Method;
  /** uWebSockets.js pattern, e.g. `/api/v1/calls/:id/accept`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Roles allowed; every authenticated caller when omitted. `public` routes need no token. */
  readonly roles?: readonly Role[];
  readonly public?: boolean;
  readonly dialect?: RouteDialect;
  readonly body?: BS;
  /** The body is a file of these types, handed to the handler as `raw` (exclusive with `body`). */
  readonly rawBody?: RawBodySpec;
  readonly rateLimit?: RouteRateLimit;
  readonly query?: QS;
  readonly replies: Readonly<Record<number, TSchema>>;
  handle(context: RouteContext<BS extends TSchema ? Static<BS> : undefined, QS extends TSchema ? Static<QS> : Record<string, never>>): Promise<RouteReply> | RouteReply;
}

/** Keeps the schema types of a route while collecting routes of different shapes in one list. */
export function defineRoute<BS extends TSchema | undefined, QS extends TSchema | undefined>(route: Route<BS, QS>): Route {
  return route as unknown as Route;
}
