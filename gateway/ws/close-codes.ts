/**
 * Every close code the operator socket uses, in one place, with the short reason sent in the close frame.
 * docs/protocol.md "Close codes" lists the same table; a client decides from the code whether to reconnect
 * (1001, 4008: yes, after a pause; 4001: no, sign in again; 4009: no, close another tab or session first;
 * 4029: yes, after backing off; 1009: no, fix the client).
 *
 * 4000–4999 is the range RFC 6455 leaves to applications; ours echo the HTTP status they resemble.
 */
export const closeCodes = {
  /** The client or the server ended the session normally. */
  normal: 1000,
  /** The server is shutting down (or restarting): reconnect after a pause. */
  goingAway: 1001,
  /** A client frame was larger than `framePayloadBytesMax`. */
  frameTooBig: 1009,
  /** The server failed on something it should have handled: a bug, logged with the session id. */
  internalError: 1011,
  /**
   * The credential ended while the socket was open: the API token was disabled, the sign-in session signed out
   * or ended by an admin, the user disabled. Sent within a second of the change (docs/security.md).
   */
  unauthorized: 4001,
  /** The principal already holds `WS_SOCKETS_PER_PRINCIPAL_MAX` open sockets; this one is closed at once. */
  tooManySockets: 4009,
  /** The client read too slowly: its unread bytes passed `bufferedBytesHardMax`, or it stayed cut off longer than `staleMsMax`. */
  slowReader: 4008,
  /** The client kept sending faster than `messagesPerSecondMax` after `rateLimitedMessagesMax` refusals in a row. */
  rateLimited: 4029,
} as const;

export type CloseCode = (typeof closeCodes)[keyof typeof closeCodes];

export const closeReasons: Readonly<Record<CloseCode, string>> = {
  1000: 'normal closure',
  1001: 'server going away',
  1009: 'frame too big',
  1011: 'internal error',
  4001: 'token no longer valid',
  4009: 'too many sockets for this principal',
  4008: 'slow reader',
  4029: 'rate limit exceeded',
};
