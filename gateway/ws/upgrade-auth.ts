/**
 * Authentication at the WebSocket upgrade: the token comes from `Authorization: Bearer <token>`, else the
 * `token` query parameter, else a `bearer.<token>` subprotocol entry (browsers can set neither headers nor,
 * portably, cookies for another origin). The first credential present is the one judged: a present but
 * unknown, malformed or disabled token is a 401 without upgrading, never a fall-through to the next source.
 *
 * uWS's HttpRequest lives only during the upgrade callback, so everything is read from it synchronously.
 */
import type { HttpRequest } from 'uWebSockets.js';
import type { Principal } from '../auth/principal.ts';
import type { TokenStore } from '../auth/token-store.ts';
import { bearerSubprotocolPrefix, negotiateCodec, offeredSubprotocols, type FrameCodec } from './frame-codec.ts';

/** What the upgrade needs from the request, copied out of uWS's stack-allocated HttpRequest. */
export interface UpgradeHead {
  readonly authorization: string;
  readonly protocols: string;
  readonly tokenQuery: string;
  readonly key: string;
  readonly extensions: string;
}

export function readUpgradeHead(req: HttpRequest): UpgradeHead {
  return {
    authorization: req.getHeader('authorization'),
    protocols: req.getHeader('sec-websocket-protocol'),
    tokenQuery: req.getQuery('token') ?? '',
    key: req.getHeader('sec-websocket-key'),
    extensions: req.getHeader('sec-websocket-extensions'),
  };
}

export type UpgradeVerdict =
  | { readonly ok: true; readonly principal: Principal; readonly token: string; readonly codec: FrameCodec; readonly answer: string }
  | { readonly ok: false; readonly detail: string };

export function authenticateUpgrade(head: UpgradeHead, tokens: TokenStore): UpgradeVerdict {
  const offered = offeredSubprotocols(head.protocols);
  const token = credentialOf(head, offered);
  if (token === undefined) {
    return { ok: false, detail: 'send Authorization: Bearer <token>, a token query parameter, or a bearer.<token> subprotocol' };
  }
  const principal = tokens.verify(token);
  if (principal === undefined) return { ok: false, detail: 'the token is not valid' };
  const { codec, answer } = negotiateCodec(offered);
  return { ok: true, principal, token, codec, answer };
}

function credentialOf(head: UpgradeHead, offered: readonly string[]): string | undefined {
  if (head.authorization !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(head.authorization);
    // A malformed header is still the credential the client chose: judge it (and refuse it), do not look further.
    return match === null ? '' : (match[1] as string);
  }
  if (head.tokenQuery !== '') return head.tokenQuery;
  const entry = offered.find((item) => item.startsWith(bearerSubprotocolPrefix));
  return entry === undefined ? undefined : entry.slice(bearerSubprotocolPrefix.length);
}
