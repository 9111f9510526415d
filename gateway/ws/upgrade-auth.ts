/**
 * Authentication at the WebSocket upgrade: the token comes from `Authorization: Bearer <token>`, else a
 * `bearer.<token>` subprotocol entry (browsers cannot set headers on a WebSocket), else the UI's HttpOnly
 * session cookie `cd_session` (gateway/auth/session-cookie.ts). The first credential present is the one judged: a present but unknown, malformed or disabled token
 * is a 401 without upgrading, never a fall-through to the next source.
 *
 * Refused before any token is looked at (docs/security.md):
 * - a browser's `Origin` that is neither the server's own (the request's Host) nor in `WS_ALLOWED_ORIGINS`
 *   (403): another site's page cannot open a socket with a token it got hold of;
 * - a `token` query parameter (400), valid or not: URLs end up in access logs and proxies;
 * - a `bearer.<token>` entry without a codec subprotocol beside it (400): the answer names only the codec
 *   (`clinic-dispatch.msgpack` or `.json`), never the credential, and a client that offered protocols must
 *   get one of them back.
 *
 * uWS's HttpRequest lives only during the upgrade callback, so everything is read from it synchronously.
 */
import type { HttpRequest } from 'uWebSockets.js';
import type { Principal } from '../auth/principal.ts';
import type { TokenStore } from '../auth/token-store.ts';
import { sessionTokenOfCookie } from '../auth/session-cookie.ts';
import { bearerSubprotocolPrefix, negotiateCodec, offeredSubprotocols, type FrameCodec } from './frame-codec.ts';

/** What the upgrade needs from the request, copied out of uWS's stack-allocated HttpRequest. */
export interface UpgradeHead {
  readonly authorization: string;
  readonly origin: string;
  readonly host: string;
  readonly cookie: string;
  readonly protocols: string;
  readonly tokenQuery: string;
  readonly key: string;
  readonly extensions: string;
}

export function readUpgradeHead(req: HttpRequest): UpgradeHead {
  return {
    authorization: req.getHeader('authorization'),
    origin: req.getHeader('origin'),
    host: req.getHeader('host'),
    cookie: req.getHeader('cookie'),
    protocols: req.getHeader('sec-websocket-protocol'),
    tokenQuery: req.getQuery('token') ?? '',
    key: req.getHeader('sec-websocket-key'),
    extensions: req.getHeader('sec-websocket-extensions'),
  };
}

export type UpgradeVerdict =
  | { readonly ok: true; readonly principal: Principal; readonly token: string; readonly codec: FrameCodec; readonly answer: string }
  | { readonly ok: false; readonly status: 400 | 401 | 403; readonly detail: string };

export function authenticateUpgrade(head: UpgradeHead, tokens: TokenStore, allowedOrigins: readonly string[] = []): UpgradeVerdict {
  if (head.origin !== '' && !originAllowed(head.origin, head.host, allowedOrigins)) {
    return { ok: false, status: 403, detail: 'this Origin may not open the operator socket (WS_ALLOWED_ORIGINS)' };
  }
  if (head.tokenQuery !== '') {
    return { ok: false, status: 400, detail: 'a token in the URL is refused (URLs end up in logs and proxies): send Authorization: Bearer <token> or a bearer.<token> subprotocol' };
  }
  const offered = offeredSubprotocols(head.protocols);
  const token = credentialOf(head, offered);
  if (token === undefined) {
    return { ok: false, status: 401, detail: 'send Authorization: Bearer <token>, a bearer.<token> subprotocol, or the UI session cookie' };
  }
  const { codec, answer } = negotiateCodec(offered);
  if (offered.length > 0 && answer === '') {
    return { ok: false, status: 400, detail: 'offer the clinic-dispatch.msgpack or clinic-dispatch.json subprotocol (beside bearer.<token>): the server answers only a codec, never the credential' };
  }
  const principal = tokens.verify(token);
  if (principal === undefined) return { ok: false, status: 401, detail: 'the token is not valid' };
  return { ok: true, principal, token, codec, answer };
}

/** The server's own origin (scheme and the Host it was reached by) or one of the allowed ones, exactly. */
export function originAllowed(origin: string, host: string, allowedOrigins: readonly string[]): boolean {
  const normalised = origin.trim().toLowerCase().replace(/\/+$/, '');
  const ownHost = host.trim().toLowerCase();
  if (ownHost !== '' && (normalised === `http://${ownHost}` || normalised === `https://${ownHost}`)) return true;
  return allowedOrigins.some((allowed) => allowed.trim().toLowerCase().replace(/\/+$/, '') === normalised);
}

function credentialOf(head: UpgradeHead, offered: readonly string[]): string | undefined {
  if (head.authorization !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(head.authorization);
    // A malformed header is still the credential the client chose: judge it (and refuse it), do not look further.
    return match === null ? '' : (match[1] as string);
  }
  const entry = offered.find((item) => item.startsWith(bearerSubprotocolPrefix));
  if (entry !== undefined) return entry.slice(bearerSubprotocolPrefix.length);
  // The UI's HttpOnly session cookie; the Origin check above is what keeps another site's page from using it.
  return sessionTokenOfCookie(head.cookie);
}
