/**
 * Reads a request body from uWebSockets.js with a size bound. uWS hands chunks that are only valid during the
 * callback, so each is copied. Past `bodyBytesMax` the read stops and the request gets 413 — the declared
 * Content-Length is checked first, so an honest oversized request is refused before any byte is buffered.
 */
import type { HttpResponse } from 'uWebSockets.js';
import { Problem } from './problem.ts';

export function readBody(res: HttpResponse, contentLength: string, bodyBytesMax: number): Promise<Buffer> {
  const declared = contentLength === '' ? undefined : Number(contentLength);
  if (declared !== undefined && (!Number.isFinite(declared) || declared > bodyBytesMax)) {
    return Promise.reject(new Problem(413, 'body_too_large', `the body may be at most ${bodyBytesMax} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    res.onData((chunk, isLast) => {
      if (done) return;
      total += chunk.byteLength;
      if (total > bodyBytesMax) {
        done = true;
        reject(new Problem(413, 'body_too_large', `the body may be at most ${bodyBytesMax} bytes`));
        return;
      }
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (isLast) {
        done = true;
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
      }
    });
  });
}
