/**
 * The delivery bounds in one place, with the defaults a production gateway runs with and the back-off rule.
 * Tests pass smaller delays; nothing else differs between a test and production.
 */

export interface WebhookDeliveryOptions {
  /** The first retry waits about this long; no retry waits less. */
  readonly retryDelayMsMin: number;
  /** Back-off doubles per failed attempt up to this; a receiver's Retry-After is honoured up to it too. */
  readonly retryDelayMsMax: number;
  /** One attempt, connect to last response byte. */
  readonly requestTimeoutMs: number;
  /** Refusals of one event (3xx, 4xx but 408/429) before it is dead-lettered; outage failures do not count. */
  readonly rejectedAttemptsMax: number;
  /** A caught-up subscription looks at the log this often even if no commit woke it (a safety net). */
  readonly idleWakeMs: number;
  /** Events read ahead per subscription and held in memory (their encoded bodies). */
  readonly eventsQueuedMax: number;
  /** Log entries examined per read, so one read of a long backlog never holds the thread for long. */
  readonly entriesScannedPerReadMax: number;
  /** Skipped entries (none for this subscription) are remembered on disk every this many, not each time. */
  readonly skippedEntriesSavedEvery: number;
  /** Jitter source in [0, 1); injected so tests can pin it. */
  readonly random: () => number;
}

export const webhookDeliveryDefaults: WebhookDeliveryOptions = {
  retryDelayMsMin: 1_000,
  retryDelayMsMax: 5 * 60_000,
  requestTimeoutMs: 10_000,
  rejectedAttemptsMax: 5,
  idleWakeMs: 30_000,
  eventsQueuedMax: 32,
  entriesScannedPerReadMax: 1_000,
  skippedEntriesSavedEvery: 1_000,
  random: Math.random,
};

export function deliveryOptionsOf(overrides: Partial<WebhookDeliveryOptions>): WebhookDeliveryOptions {
  const options = { ...webhookDeliveryDefaults, ...overrides };
  const positive = ['retryDelayMsMin', 'retryDelayMsMax', 'requestTimeoutMs', 'rejectedAttemptsMax', 'idleWakeMs', 'eventsQueuedMax', 'entriesScannedPerReadMax', 'skippedEntriesSavedEvery'] as const;
  for (const name of positive) {
    if (!(Number.isFinite(options[name]) && options[name] > 0)) throw new RangeError(`webhook option ${name} must be a positive number, got ${options[name]}`);
  }
  if (options.retryDelayMsMax < options.retryDelayMsMin) throw new RangeError('webhook option retryDelayMsMax must be at least retryDelayMsMin');
  return options;
}

/**
 * Exponential back-off with jitter: attempt n waits min·2^(n-1), capped at max, scaled by a random factor in
 * [0.5, 1) so receivers coming back are not hit by every subscription at once; a Retry-After asks for at
 * least that long. Always within [retryDelayMsMin, retryDelayMsMax].
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: WebhookDeliveryOptions): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 40);
  const ceiling = Math.min(options.retryDelayMsMax, options.retryDelayMsMin * 2 ** exponent);
  const jittered = ceiling * (0.5 + 0.5 * options.random());
  const wanted = Math.max(jittered, retryAfterMs ?? 0);
  return Math.round(Math.min(options.retryDelayMsMax, Math.max(options.retryDelayMsMin, wanted)));
}
