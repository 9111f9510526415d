/**
 * The server's frame vocabulary that more than one module writes: error frames and their codes. Every error
 * frame names what went wrong in a code a client can switch on, a sentence for a human, and, when the
 * client's message had one, its `requestId` (and the `topic` for subscription errors) — docs/protocol.md
 * "Errors" lists them.
 */
import type { FieldError } from '../http/problem.ts';

export const errorCodes = [
  /** The frame did not decode (not msgpack / not JSON, or nested too deep). */
  'malformed_frame',
  /** A field is missing or wrong; `errors` names each one with a JSON-pointer path. */
  'validation_failed',
  /** `type` is not a message this server knows. */
  'unknown_message',
  /** `command.type` is not a command the socket accepts. */
  'unknown_command',
  /** Outside the caller's scope (or role), whether or not it exists. */
  'forbidden',
  /** Inside the scope, but there is no such thing. */
  'not_found',
  /** Over `messagesPerSecondMax`: the message was dropped; `retryAfterMs` says when one fits. */
  'rate_limited',
  /** Over `subscriptionsPerConnectionMax`. */
  'too_many_subscriptions',
  /** Over `commandsInFlightMax`: the command was not submitted. */
  'too_many_in_flight',
  /** `unsubscribe` or `resync` of a topic the connection does not follow. */
  'not_subscribed',
  /** The server is stopping: the command was not submitted; send it again after reconnecting. */
  'unavailable',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorFrame {
  readonly code: ErrorCode;
  readonly message: string;
  readonly requestId?: string | number;
  readonly topic?: string;
  readonly errors?: readonly FieldError[];
  readonly retryAfterMs?: number;
}

export type RequestId = string | number;

/** The `requestId` of a decoded message, if it has a usable one (echoed in error frames even when invalid). */
export function requestIdOf(value: unknown): RequestId | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id: unknown = Reflect.get(value, 'requestId');
  if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  return undefined;
}
