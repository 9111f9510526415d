/**
 * Body encodings: JSON or MessagePack, chosen by `Content-Type` for requests and by `Accept` for replies
 * (JSON when absent). Both carry the same fields. Malformed input is a 400 that says which encoding failed.
 */
import { Packr } from 'msgpackr';
import { Problem } from './problem.ts';

export type Encoding = 'json' | 'msgpack';

// Plain msgpack maps both ways (no records), so any msgpack client can read and write them.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

/** Nesting bound for decoded bodies: deeper input is hostile, not a form. */
export const bodyDepthMax = 16;

export function requestEncoding(contentType: string): Encoding {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === '' || type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/msgpack' || type === 'application/x-msgpack' || type === 'application/vnd.msgpack') return 'msgpack';
  throw new Problem(415, 'unsupported_media_type', `Content-Type ${type} is not supported: send application/json or application/msgpack`);
}

export function replyEncoding(accept: string): Encoding {
  if (accept === '' ) return 'json';
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '');
  for (const type of types) {
    if (type === 'application/msgpack' || type === 'application/x-msgpack' || type === 'application/vnd.msgpack') return 'msgpack';
    if (type === 'application/json' || type === 'application/problem+json' || type === '*/*' || type === 'application/*' || type.endsWith('+json')) return 'json';
  }
  return 'json';
}

export function decodeBody(bytes: Buffer, encoding: Encoding): unknown {
  if (bytes.length === 0) return undefined;
  let value: unknown;
  try {
    value = encoding === 'json' ? JSON.parse(bytes.toString('utf8')) : packr.unpack(bytes);
  } catch (error) {
    throw new Problem(400, 'malformed_body', `the body is not valid ${encoding === 'json' ? 'JSON' : 'MessagePack'}: ${(error as Error).message.slice(0, 200)}`);
  }
  if (depthOf(value, 0) > bodyDepthMax) throw new Problem(400, 'malformed_body', `the body nests deeper than ${bodyDepthMax} levels`);
  return value;
}

export function encodeBody(value: unknown, encoding: Encoding): Buffer {
  return encoding === 'json' ? Buffer.from(JSON.stringify(value)) : packr.pack(value);
}

export function contentTypeOf(encoding: Encoding, problem: boolean): string {
  if (encoding === 'msgpack') return 'application/msgpack';
  return problem ? 'application/problem+json' : 'application/json; charset=utf-8';
}

function depthOf(value: unknown, depth: number): number {
  if (depth > bodyDepthMax || value === null || typeof value !== 'object') return depth;
  let deepest = depth;
  for (const child of Object.values(value as Record<string, unknown>)) {
    deepest = Math.max(deepest, depthOf(child, depth + 1));
    if (deepest > bodyDepthMax) break;
  }
  return deepest;
}
