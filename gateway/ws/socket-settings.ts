/**
 * The operator socket's bounds: every per-connection limit is a named setting with its unit last, and each has
 * a defined outcome at the bound (docs/protocol.md "Bounds"). Defaults are sized for the `operators-19k` bench
 * scenario: one process holds at most 20,000 descriptors, and the worst-case memory of the socket layer is
 * about `connectionsMax × bufferedBytesHardMax` of unread output (uWS enforces the latter itself too).
 */
export interface OperatorSocketSettings {
  /** A client frame larger than this closes the socket with 1009. */
  readonly framePayloadBytesMax: number;
  /**
   * The transport's own ceiling (uWS `maxPayloadLength`): a frame above it is dropped by uWS with the TCP
   * connection, without a close frame (the client sees 1006). Kept above `framePayloadBytesMax` so a merely
   * oversized frame gets the documented 1009.
   */
  readonly framePayloadBytesCeiling: number;
  /** The token bucket's refill: messages a connection may send per second, sustained. */
  readonly messagesPerSecondMax: number;
  /** The bucket's size: how many messages may arrive at once after a quiet spell. */
  readonly messagesBurstMax: number;
  /** After this many refused (rate-limited) messages in a row the socket is closed with 4029. */
  readonly rateLimitedMessagesMax: number;
  /** Unread output above this cuts the connection off from diffs (it is marked stale). */
  readonly bufferedBytesMax: number;
  /** A stale connection whose unread output falls to this gets fresh snapshots and its diffs back. */
  readonly bufferedBytesLowWater: number;
  /** Unread output at or above this closes the socket with 4008; also uWS's `maxBackpressure`. */
  readonly bufferedBytesHardMax: number;
  /** A connection stale for longer than this is closed with 4008. */
  readonly staleMsMax: number;
  /** Seconds without any traffic before uWS closes the socket; pings go out automatically before that. */
  readonly idleTimeoutSeconds: number;
  /** Topics one connection may follow at once; more is an error frame `too_many_subscriptions`. */
  readonly subscriptionsPerConnectionMax: number;
  /** Commands of one connection waiting for durability at once; more is an error frame `too_many_in_flight`. */
  readonly commandsInFlightMax: number;
  /** Open operator sockets per process; an upgrade beyond it is answered 503. */
  readonly connectionsMax: number;
  /** Changed entities per diff frame; a larger batch for one topic is split into consecutive frames. */
  readonly diffEntitiesPerFrameMax: number;
  /** Open calls in a clinic snapshot (overdue first); `truncated` says when the clinic has more. */
  readonly clinicSnapshotCallsMax: number;
  /** Days of a doctor's calendar and route list in a doctor snapshot, from the doctor's today. */
  readonly doctorSnapshotDaysMax: number;
}

export const operatorSocketDefaults: OperatorSocketSettings = {
  framePayloadBytesMax: 64 * 1024,
  framePayloadBytesCeiling: 256 * 1024,
  messagesPerSecondMax: 50,
  messagesBurstMax: 100,
  rateLimitedMessagesMax: 100,
  bufferedBytesMax: 1024 * 1024,
  bufferedBytesLowWater: 256 * 1024,
  bufferedBytesHardMax: 4 * 1024 * 1024,
  staleMsMax: 60_000,
  idleTimeoutSeconds: 60,
  subscriptionsPerConnectionMax: 64,
  commandsInFlightMax: 64,
  connectionsMax: 19_500,
  diffEntitiesPerFrameMax: 256,
  clinicSnapshotCallsMax: 500,
  doctorSnapshotDaysMax: 14,
};

/** Fills in defaults and refuses settings that contradict each other: a misconfiguration, said plainly. */
export function resolveSettings(overrides: Partial<OperatorSocketSettings> = {}): OperatorSocketSettings {
  const settings: OperatorSocketSettings = { ...operatorSocketDefaults, ...overrides };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isInteger(value) || value < 0) problems.push(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  if (settings.framePayloadBytesCeiling < settings.framePayloadBytesMax) problems.push('framePayloadBytesCeiling must be at least framePayloadBytesMax');
  if (!(settings.bufferedBytesLowWater < settings.bufferedBytesMax && settings.bufferedBytesMax < settings.bufferedBytesHardMax)) {
    problems.push('need bufferedBytesLowWater < bufferedBytesMax < bufferedBytesHardMax');
  }
  if (settings.messagesPerSecondMax < 1 || settings.messagesBurstMax < 1) problems.push('messagesPerSecondMax and messagesBurstMax must be at least 1');
  // uWS checks idle sockets every 4 s and needs room for a ping before the deadline; 0 disables it.
  if (settings.idleTimeoutSeconds !== 0 && settings.idleTimeoutSeconds < 8) problems.push('idleTimeoutSeconds must be 0 (off) or at least 8');
  if (settings.diffEntitiesPerFrameMax < 1) problems.push('diffEntitiesPerFrameMax must be at least 1');
  if (problems.length > 0) throw new Error(`operator socket settings: ${problems.join('; ')}`);
  return settings;
}
