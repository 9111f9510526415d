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
 * An address the SSRF guard refuses (webhook-address-guard.ts: checked here for literal hosts, and by the
 * connector's own DNS lookup for names, so the address judged is the one connected to) is `rejected`.
 *
 * What a partner reads (`message`, shown as `lastError` and in dead letters) is only "delivery failed:
 * <class>" — never the socket error's text, which would tell what listens where; `detail` is for the log.
 *
 * Bounds: `requestTimeoutMs` for the whole exchange (connect, headers, body); the response body is read and
 * dropped up to `responseBytesMax`; connections are pooled per origin by one undici Agent per dispatcher.
 */
import { Agent, request } from 'undici';
import type { WebhookPayload } from './webhook-payload.ts';
import { signatureOf } from './webhook-payload.ts';
import { blockedAddressCode, guardedLookup, judgeHost, type Resolver, type WebhookAllowList } from './webhook-address-guard.ts';

export const responseBytesMax = 64 * 1024;
export const userAgent = 'clinic-dispatch-webhooks/1';

export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'unavailable'; readonly message: string; readonly detail?: string; readonly retryAfterMs?: number }
  | { readonly kind: 'rejected'; readonly message: string; readonly detail?: string }
  /** The dispatcher is stopping: the attempt was abandoned and counts for nothing. */
  | { readonly kind: 'aborted' };

export class WebhookSender {
  readonly #agent: Agent;
  readonly #requestTimeoutMs: number;
  readonly #nowMs: () => number;
  readonly #allow: WebhookAllowList;

  constructor(requestTimeoutMs: number, nowMs: () => number, allow: WebhookAllowList, resolver?: Resolver) {
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#nowMs = nowMs;
    this.#allow = allow;
    this.#agent = new Agent({ connect: { timeout: requestTimeoutMs, lookup: guardedLookup(allow, resolver) }, headersTimeout: requestTimeoutMs, bodyTimeout: requestTimeoutMs, keepAliveTimeout: 4_000 });
  }

  async send(url: string, payload: WebhookPayload, secret: string, stop: AbortSignal): Promise<SendOutcome> {
    if (stop.aborted) return { kind: 'aborted' };
    // A literal address is connected to without a lookup: judge it here, before every attempt.
    const literal = judgeHost(new URL(url).hostname, this.#allow);
    if (literal !== 'resolve' && !literal.ok) return { kind: 'rejected', message: failed('address refused'), detail: literal.reason };
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
      const errorClass = classOf(error);
      const detail = describe(error);
      if (errorClass === 'address refused') return { kind: 'rejected', message: failed(errorClass), detail };
      return { kind: 'unavailable', message: failed(errorClass), detail };
    }
  }

  /** Closes pooled connections; attempts in flight must have been aborted first. */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }

  #classify(status: number, retryAfter: string | string[] | undefined): SendOutcome {
    if (status >= 200 && status < 300) return { kind: 'delivered', status };
    const message = failed(`HTTP ${status}`);
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

function failed(errorClass: string): string {
  return `delivery failed: ${errorClass}`;
}

/** The kind of a transport failure, in words that say nothing of the receiver's network. */
function classOf(error: unknown): string {
  const codes: string[] = [];
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (current.name === 'TimeoutError' || current.name === 'AbortError') codes.push('TIMEOUT');
  }
  if (codes.includes(blockedAddressCode)) return 'address refused';
  if (codes.some((code) => code === 'TIMEOUT' || code.includes('TIMEOUT'))) return 'timeout';
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) return 'name not resolved';
  if (codes.includes('ECONNREFUSED')) return 'connection refused';
  if (codes.some((code) => code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT'))) return 'tls';
  return 'connection failed';
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${cause}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}
