// A lean HTTP/1.1 keep-alive client for load generators that share the machine with the servers they measure:
// undici's Pool spends two to three times its CPU per request, and every microsecond the generator spends is
// taken from the servers under test. A `RawHttpConnection` is one TCP connection with at
// most one request in flight (no pipelining): the request is rendered into one string and written with one
// `write`, and the response is parsed from the socket's chunks as they come (status line, Content-Length or
// chunked body, `Connection: close`), with the parse state kept on the connection from one request to the next.
//
// Failures and bounds: a socket error or close mid-response, a timeout (`timeoutMs` from the request), a head
// over `responseHeadBytesMax`, a body over `responseBodyBytesMax` or bytes that are not HTTP reject the request
// and drop the socket; the next request connects again, as the first one does (lazily). A request on a
// keep-alive socket that the server closes at that very moment fails too (it is not retried: POSTs are not
// idempotent). `close()` is final. Plain HTTP to trusted peers only: no TLS, no redirects, no pipelining.

import { connect } from 'node:net';
import type { Socket } from 'node:net';

export const responseHeadBytesMax = 64 * 1024;
export const responseBodyBytesMax = 1024 * 1024;
/** A chunk-size line (hex size and extensions) longer than this is not HTTP. */
export const chunkLineBytesMax = 1024;

export interface RawHttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** What a caller needs of a connection; tests and adapters can stand in for it. */
export interface RawHttpRequester {
  request(method: string, path: string, headers: string, body: Buffer | string, timeoutMs: number): Promise<RawHttpResponse>;
}

const phaseIdle = 0;
const phaseHead = 1;
const phaseLength = 2;
const phaseChunkSize = 3;
const phaseChunkData = 4;
const phaseChunkEnd = 5;
const phaseTrailers = 6;
const phaseUntilClose = 7;

const emptyBody = Buffer.alloc(0);

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

function decimalOf(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  let value = 0;
  for (let index = 0; index < text.length; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

export class RawHttpConnection implements RawHttpRequester {
  readonly #host: string;
  readonly #port: number;
  readonly #hostLine: string;
  #socket: Socket | undefined;
  #closed = false;
  #connects = 0;
  #resolve: ((response: RawHttpResponse) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;
  // One timer per connection, re-armed with `refresh()` per request; a firing with nothing in flight is a no-op.
  #timer: NodeJS.Timeout | undefined;
  #timerMs = 0;
  #headRequest = false;
  #phase = phaseIdle;
  #pending: Buffer | undefined;
  #status = 0;
  #closeAfter = false;
  #remaining = 0;
  #body: Buffer | undefined;
  #bodyOffset = 0;
  readonly #parts: Buffer[] = [];
  #partsBytes = 0;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
    this.#hostLine = `Host: ${host.includes(':') ? `[${host}]` : host}:${port}\r\n`;
  }

  /** TCP connections opened so far (1 for a connection that was kept alive throughout). */
  get connects(): number {
    return this.#connects;
  }

  /** `headers`: header lines, each ending with CRLF (Host and Content-Length are added here). */
  request(method: string, path: string, headers: string, body: Buffer | string, timeoutMs: number): Promise<RawHttpResponse> {
    if (this.#closed) return Promise.reject(new Error('raw http: the connection is closed'));
    if (this.#resolve !== undefined) return Promise.reject(new Error('raw http: a request is already in flight on this connection'));
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const lengthLine = length > 0 || (method !== 'GET' && method !== 'HEAD') ? `Content-Length: ${length}\r\n` : '';
    const head = `${method} ${path} HTTP/1.1\r\n${this.#hostLine}${headers}${lengthLine}\r\n`;
    const promise = new Promise<RawHttpResponse>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#headRequest = method === 'HEAD';
    this.#phase = phaseHead;
    this.#pending = undefined;
    this.#body = undefined;
    this.#parts.length = 0;
    this.#partsBytes = 0;
    this.#status = 0;
    this.#closeAfter = false;
    if (this.#timer === undefined || this.#timerMs !== timeoutMs) {
      clearTimeout(this.#timer);
      this.#timerMs = timeoutMs;
      this.#timer = setTimeout(() => this.#onTimeout(), timeoutMs).unref();
    } else {
      this.#timer.refresh();
    }
    if (this.#socket !== undefined && !this.#socket.writable) this.#drop();
    const socket = this.#socket ?? this.#connect();
    if (typeof body === 'string') socket.write(head + body);
    else if (length === 0) socket.write(head);
    else socket.write(Buffer.concat([Buffer.from(head), body]));
    return promise;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#resolve !== undefined) this.#fail(new Error('raw http: the connection was closed by its owner'));
    else this.#drop();
  }

  #connect(): Socket {
    const socket = connect({ host: this.#host, port: this.#port });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (socket === this.#socket) this.#onData(chunk);
    });
    socket.on('end', () => {
      if (socket === this.#socket && this.#resolve === undefined) this.#socket = undefined;
    });
    socket.on('error', (error: Error) => {
      if (socket === this.#socket) this.#lost(error);
    });
    socket.on('close', () => {
      if (socket === this.#socket) this.#lost(undefined);
    });
    this.#socket = socket;
    this.#connects += 1;
    return socket;
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
  }

  #onTimeout(): void {
    if (this.#resolve !== undefined) this.#fail(new Error(`raw http: no complete response within ${this.#timerMs} ms`));
  }

  #lost(error: Error | undefined): void {
    this.#socket = undefined;
    if (this.#resolve === undefined) return;
    if (error === undefined && this.#phase === phaseUntilClose) {
      this.#complete(this.#joinParts());
      return;
    }
    this.#fail(error ?? new Error('raw http: the connection closed before the response was complete'));
  }

  #fail(error: Error): void {
    const reject = this.#reject;
    this.#settle();
    this.#drop();
    reject?.(error);
  }

  #complete(body: Buffer): void {
    const resolve = this.#resolve;
    const status = this.#status;
    this.#settle();
    if (this.#closeAfter) this.#drop();
    resolve?.({ status, body });
  }

  #settle(): void {
    this.#resolve = undefined;
    this.#reject = undefined;
    this.#phase = phaseIdle;
    this.#pending = undefined;
    this.#body = undefined;
    this.#parts.length = 0;
  }

  #joinParts(): Buffer {
    const parts = this.#parts;
    if (parts.length === 0) return emptyBody;
    if (parts.length === 1) return parts[0] ?? emptyBody;
    return Buffer.concat(parts, this.#partsBytes);
  }

  #onData(chunk: Buffer): void {
    let data = chunk;
    if (this.#pending !== undefined) {
      data = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let offset = 0;
    while (offset < data.length) {
      switch (this.#phase) {
        case phaseHead: {
          const end = data.indexOf('\r\n\r\n', offset, 'latin1');
          if (end < 0 || end - offset > responseHeadBytesMax) {
            if (data.length - offset > responseHeadBytesMax) {
              this.#fail(new Error(`raw http: response head over ${responseHeadBytesMax} bytes`));
              return;
            }
            this.#pending = data.subarray(offset);
            return;
          }
          if (!this.#parseHead(data.toString('latin1', offset, end))) return;
          offset = end + 4;
          break;
        }
        case phaseLength: {
          const available = data.length - offset;
          if (this.#body === undefined) {
            if (available >= this.#remaining) {
              const body = data.subarray(offset, offset + this.#remaining);
              offset += this.#remaining;
              this.#complete(body);
              break;
            }
            this.#body = Buffer.allocUnsafe(this.#remaining);
            this.#bodyOffset = 0;
          }
          const take = Math.min(available, this.#remaining);
          data.copy(this.#body, this.#bodyOffset, offset, offset + take);
          this.#bodyOffset += take;
          this.#remaining -= take;
          offset += take;
          if (this.#remaining === 0) this.#complete(this.#body);
          break;
        }
        case phaseChunkSize: {
          const lineEnd = data.indexOf('\r\n', offset, 'latin1');
          if (lineEnd < 0) {
            if (data.length - offset > chunkLineBytesMax) {
              this.#fail(new Error('raw http: chunk-size line too long'));
              return;
            }
            this.#pending = data.subarray(offset);
            return;
          }
          let size = 0;
          let digits = 0;
          for (let index = offset; index < lineEnd; index += 1) {
            const code = data[index] ?? 0;
            if (code === 59 || code === 32 || code === 9) break;
            const digit = hexDigit(code);
            if (digit < 0 || digits >= 8) {
              this.#fail(new Error('raw http: malformed chunk size'));
              return;
            }
            size = size * 16 + digit;
            digits += 1;
          }
          if (digits === 0) {
            this.#fail(new Error('raw http: malformed chunk size'));
            return;
          }
          offset = lineEnd + 2;
          if (size === 0) {
            this.#phase = phaseTrailers;
            this.#remaining = responseHeadBytesMax;
          } else if (this.#partsBytes + size > responseBodyBytesMax) {
            this.#fail(new Error(`raw http: response body over ${responseBodyBytesMax} bytes`));
            return;
          } else {
            this.#phase = phaseChunkData;
            this.#remaining = size;
          }
          break;
        }
        case phaseChunkData: {
          const take = Math.min(data.length - offset, this.#remaining);
          this.#parts.push(data.subarray(offset, offset + take));
          this.#partsBytes += take;
          this.#remaining -= take;
          offset += take;
          if (this.#remaining === 0) this.#phase = phaseChunkEnd;
          break;
        }
        case phaseChunkEnd: {
          if (data.length - offset < 2) {
            this.#pending = data.subarray(offset);
            return;
          }
          if (data[offset] !== 13 || data[offset + 1] !== 10) {
            this.#fail(new Error('raw http: chunk data not followed by CRLF'));
            return;
          }
          offset += 2;
          this.#phase = phaseChunkSize;
          break;
        }
        case phaseTrailers: {
          const lineEnd = data.indexOf('\r\n', offset, 'latin1');
          if (lineEnd < 0 || lineEnd - offset > this.#remaining) {
            if (data.length - offset > this.#remaining) {
              this.#fail(new Error(`raw http: trailers over ${responseHeadBytesMax} bytes`));
              return;
            }
            this.#pending = data.subarray(offset);
            return;
          }
          this.#remaining -= lineEnd + 2 - offset;
          const last = lineEnd === offset;
          offset = lineEnd + 2;
          if (last) this.#complete(this.#joinParts());
          break;
        }
        case phaseUntilClose: {
          const take = data.length - offset;
          if (this.#partsBytes + take > responseBodyBytesMax) {
            this.#fail(new Error(`raw http: response body over ${responseBodyBytesMax} bytes`));
            return;
          }
          this.#parts.push(offset === 0 ? data : data.subarray(offset));
          this.#partsBytes += take;
          offset = data.length;
          break;
        }
        default:
          // Bytes with no request in flight (or after a complete response): not a peer to keep talking to.
          this.#drop();
          return;
      }
    }
  }

  /** Reads the status line and the headers that frame the body; false when it failed the request. */
  #parseHead(head: string): boolean {
    const code0 = head.charCodeAt(9) - 48;
    const code1 = head.charCodeAt(10) - 48;
    const code2 = head.charCodeAt(11) - 48;
    if (!head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32 || !(code0 >= 1 && code0 <= 5 && code1 >= 0 && code1 <= 9 && code2 >= 0 && code2 <= 9) ||
      (head.length > 12 && head.charCodeAt(12) !== 32 && head.charCodeAt(12) !== 13)) {
      this.#fail(new Error(`raw http: not an HTTP/1.x status line: ${JSON.stringify(head.slice(0, 40))}`));
      return false;
    }
    const status = code0 * 100 + code1 * 10 + code2;
    let closeAfter = head.charCodeAt(7) === 48;
    let contentLength = -1;
    let chunked = false;
    let transferEncoding = false;
    const firstLineEnd = head.indexOf('\r\n');
    let lineStart = firstLineEnd < 0 ? head.length : firstLineEnd + 2;
    while (lineStart < head.length) {
      let lineEnd = head.indexOf('\r\n', lineStart);
      if (lineEnd < 0) lineEnd = head.length;
      const colon = head.indexOf(':', lineStart);
      const nameLength = colon - lineStart;
      if (colon > lineStart && colon < lineEnd && (nameLength === 14 || nameLength === 17 || nameLength === 10)) {
        const name = head.slice(lineStart, colon).toLowerCase();
        if (name === 'content-length') {
          const value = decimalOf(head.slice(colon + 1, lineEnd).trim());
          if (value < 0 || (contentLength >= 0 && value !== contentLength)) {
            this.#fail(new Error('raw http: malformed Content-Length'));
            return false;
          }
          contentLength = value;
        } else if (name === 'transfer-encoding') {
          transferEncoding = true;
          chunked = head.slice(colon + 1, lineEnd).trim().toLowerCase().endsWith('chunked');
        } else if (name === 'connection') {
          const value = head.slice(colon + 1, lineEnd).toLowerCase();
          if (value.includes('close')) closeAfter = true;
          else if (value.includes('keep-alive')) closeAfter = false;
        }
      }
      lineStart = lineEnd + 2;
    }
    if (status < 200) {
      if (status === 101) {
        this.#fail(new Error('raw http: protocol upgrades are not supported'));
        return false;
      }
      return true;
    }
    this.#status = status;
    this.#closeAfter = closeAfter;
    if (this.#headRequest || status === 204 || status === 304) {
      this.#complete(emptyBody);
    } else if (transferEncoding) {
      this.#phase = chunked ? phaseChunkSize : phaseUntilClose;
    } else if (contentLength > responseBodyBytesMax) {
      this.#fail(new Error(`raw http: response body over ${responseBodyBytesMax} bytes (Content-Length ${contentLength})`));
      return false;
    } else if (contentLength === 0) {
      this.#complete(emptyBody);
    } else if (contentLength > 0) {
      this.#phase = phaseLength;
      this.#remaining = contentLength;
    } else {
      this.#phase = phaseUntilClose;
    }
    return true;
  }
}
