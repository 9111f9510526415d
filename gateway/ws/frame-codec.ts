/**
 * Frames on the operator socket: MessagePack in binary frames by default (plain maps, no records, so any
 * msgpack library reads them), JSON in text frames when the client asks for the `clinic-dispatch.json`
 * subprotocol (for debugging in a browser console). Both carry the same fields. Decoding reuses the HTTP
 * body codec, so the nesting bound (`bodyDepthMax`) and the error wording are the same on both doors.
 */
import { decodeBody, encodeBody } from '../http/codec.ts';
import { Problem } from '../http/problem.ts';

export type FrameCodec = 'msgpack' | 'json';

export const msgpackSubprotocol = 'clinic-dispatch.msgpack';
export const jsonSubprotocol = 'clinic-dispatch.json';
/** A `Sec-WebSocket-Protocol` entry `bearer.<token>` carries the token for browsers, which cannot set headers. */
export const bearerSubprotocolPrefix = 'bearer.';

export type Decoded = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/** Decodes one client frame. The ArrayBuffer is only valid during the uWS callback: this copies what it keeps. */
export function decodeFrame(message: ArrayBuffer, codec: FrameCodec): Decoded {
  const bytes = Buffer.from(message);
  if (bytes.length === 0) return { ok: false, message: 'the frame is empty' };
  try {
    return { ok: true, value: decodeBody(bytes, codec) };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, message: error.message };
    throw error;
  }
}

/** Encodes a server frame: bytes to send, and whether the frame is binary (msgpack) or text (JSON). */
export function encodeFrame(value: unknown, codec: FrameCodec): { readonly bytes: Buffer; readonly binary: boolean } {
  return { bytes: encodeBody(value, codec), binary: codec === 'msgpack' };
}

/** The offered subprotocols, as the client listed them. */
export function offeredSubprotocols(header: string): string[] {
  return header
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * The codec and the subprotocol to answer with. RFC 6455 requires the answer to be one the client offered
 * (browsers fail the connection otherwise): a codec entry when there is one, else none — never the bearer
 * entry, so a token is not echoed (the upgrade refuses protocols without a codec entry: upgrade-auth.ts).
 */
export function negotiateCodec(offered: readonly string[]): { readonly codec: FrameCodec; readonly answer: string } {
  if (offered.includes(jsonSubprotocol)) return { codec: 'json', answer: jsonSubprotocol };
  if (offered.includes(msgpackSubprotocol)) return { codec: 'msgpack', answer: msgpackSubprotocol };
  // Never the bearer entry: that would echo the credential into a response header (and proxies' logs).
  return { codec: 'msgpack', answer: '' };
}
