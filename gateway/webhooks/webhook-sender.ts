/**
 * One delivery attempt: POST the signed body with undici and classify what came back. The classification is
 * the retry policy's input (docs/webhooks.md):
 * - `delivered`: any 2xx; the receiver owns the event now.
 * - `unavailable`: the receiver is down or overloaded (connection refused or reset, timeout, 5xx, 408, 429):
 *   not the event's fault, retried with back-off for as long as it takes, so nothing is lost in an outage.
 * - `rejected`: the receiver answered and refused this event (3xx: redirects are not followed; other 4xx):
 *   retried a few times in case it is a deploy glitch, then dead-lettered so one bad event cannot block
 *   the subscription forever.
 *
 * Bounds: `requestTimeoutMs` for the whole exchange (connect, headers, body); the response body is read and
 * dropped up to `responseBytesMax`; connections are pooled per origin by one undici Agent per dispatcher.
 */
import { Agent, request } from 'undici';
import type { WebhookPayload } from './webhook-payload.ts';
import { signatureOf } from './webhook-payload.ts';

export const responseBytesMax = 64 * 1024;
export const userAgent = 'clinic-dispatch-webhooks/1';

export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'unavailable'; readonly message: string; readonly retryAfterMs?: number }
  | { readonly kind: 'rejected'; readonly message: string }
  /** The dispatcher is stopping: the attempt was abandoned and counts for nothing. */
  | { readonly kind: 'aborted' };

export class WebhookSender {
  readonly #agent: Agent;
  readonly #requestTimeoutMs: number;
  readonly #nowMs: () => number;

  constructor(requestTimeoutMs: number, nowMs: () => number) {
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#nowMs = nowMs;
    this.#agent = new Agent({ connect: { timeout: requestTimeoutMs }, headersTimeout: requestTimeoutMs, bodyTimeout: requestTimeoutMs, keepAliveTimeout: 4_000 });
  }

  async send(url: string, payload: WebhookPayload, secret: string, stop: AbortSignal): Promise<SendOutcome> {
    if (stop.aborted) return { kind: 'aborted' };
    const signal = AbortSignal.any([stop, AbortSignal.timeout(this.#requestTimeoutMs)]);
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: this.#agent,
        signal,
        body: payload.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': userAgent,
          'x-signature': signatureOf(payload.body, secret),
          'x-webhook-id': payload.id,
          'x-event-type': payload.type,
        },
      });
      // Drain what the receiver said so the connection can be reused; what it said does not matter.
      await response.body.dump({ limit: responseBytesMax }).catch(() => undefined);
      return this.#classify(response.statusCode, response.headers['retry-after']);
    } catch (error) {
      if (stop.aborted) return { kind: 'aborted' };
      return { kind: 'unavailable', message: describe(error) };
    }
  }

  /** Closes pooled connections; attempts in flight must have been aborted first. */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }

  #classify(status: number, retryAfter: string | string[] | undefined): SendOutcome {
    if (status >= 200 && status < 300) return { kind: 'delivered', status };
    const message = `HTTP ${status}`;
    if (status >= 500 || status === 408 || status === 429) {
      const retryAfterMs = retryAfterMsOf(typeof retryAfter === 'string' ? retryAfter : undefined, this.#nowMs());
      return retryAfterMs === undefined ? { kind: 'unavailable', message } : { kind: 'unavailable', message, retryAfterMs };
    }
    return { kind: 'rejected', message };
  }
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMsOf(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${cause}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}
