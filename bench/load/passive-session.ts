// A passive operator session: a WebSocket client on a bare TCP socket that subscribes to its clinic's board
// and then only counts what the server delivers — frames and bytes — without decoding them. Most of the
// 19,000 operators of operators-19k are these (BENCH.md rule 6: the load generator shares the machine and
// must cost little); a sample of decoding sessions (operator-session.ts) sends the commands and times the
// replies and the fan-out, and checks sequence numbers.
//
// The protocol part is the least a client needs (RFC 6455): the upgrade request with the msgpack
// subprotocol and the bearer token; frames read by their headers only (a payload is skipped, never copied,
// except the frames decoded while subscribing and control frames); pings answered with pongs, so uWS's idle
// timeout never fires; the close frame's code counted. Its own frames (subscribe, pong) are masked, as a
// client's must be. Reads go into one buffer shared by every passive session of the process (`net`'s `onread`
// option: no Buffer and no stream event per read); whatever outlives a read (a split header, a payload being
// decoded) is copied out of it.
//
// Bounds: `connectTimeoutMs` from connect to the snapshot; a control payload is at most 125 bytes (RFC 6455);
// a frame decoded while subscribing at most `setupFrameBytesMax` (a snapshot of a full board); a handshake
// answer at most `handshakeBytesMax`.

import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Packr } from 'msgpackr';

export const connectTimeoutMs = 20_000;
export const setupFrameBytesMax = 64 * 1_048_576;
export const handshakeBytesMax = 16_384;
export const passiveSubprotocol = 'clinic-dispatch.msgpack';

const packr = new Packr({ useRecords: false });
/** The read buffer of all passive sessions of this process: a read is parsed before the next one lands in it. */
export const sharedReadBufferBytes = 256 * 1024;
const sharedReadBuffer = Buffer.allocUnsafe(sharedReadBufferBytes);

/** What a passive session received since it was subscribed (or since the last `takeCounts`). */
export interface PassiveCounts {
  frames: number;
  bytes: number;
}

const opcodeContinuation = 0x0;
const opcodeClose = 0x8;
const opcodePing = 0x9;
const opcodePong = 0xa;

/** A masked client frame (FIN set) with `opcode` and `payload`. */
export function clientFrame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + lengthBytes + 4 + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const maskAt = 2 + lengthBytes;
  randomBytes(4).copy(frame, maskAt);
  for (let i = 0; i < length; i += 1) frame[maskAt + 4 + i] = (payload[i] as number) ^ (frame[maskAt + (i & 3)] as number);
  return frame;
}

export class PassiveSession {
  private socket: Socket | undefined;
  private open = false;
  /** Bytes of a frame header (or handshake answer) split across reads. */
  private partial: Buffer | undefined;
  private handshakeDone = false;
  /** Payload bytes still to come for the current frame. */
  private skip = 0;
  private opcode = 0;
  /** The current frame's payload, when it is kept (control frames, and data frames while subscribing). */
  private collected: Buffer[] | undefined;
  private decoding = true;
  private onDecoded: ((frame: { readonly type?: unknown; readonly topic?: unknown }) => void) | undefined;
  readonly counts: PassiveCounts = { frames: 0, bytes: 0 };
  closeCode: number | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly path: string,
    private readonly token: string,
    readonly operatorIndex: number,
    readonly clinicId: string,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Connects, waits for `welcome`, subscribes to `topic`, waits for its snapshot, then stops decoding. */
  start(topic: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close();
        reject(new Error(`passive session: no snapshot of ${topic} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        this.close();
        reject(error);
      };
      this.onDecoded = (frame) => {
        if (frame.type === 'welcome') {
          this.open = true;
          this.send(packr.pack({ type: 'subscribe', topic, requestId: 's' }));
        } else if (frame.type === 'snapshot' && frame.topic === topic) {
          clearTimeout(timer);
          this.decoding = false;
          this.onDecoded = undefined;
          this.counts.frames = 0;
          this.counts.bytes = 0;
          resolve();
        } else if (frame.type === 'error') {
          fail(new Error(`passive session: error frame while subscribing: ${JSON.stringify(frame).slice(0, 200)}`));
        }
      };
      const socket = connect({
        host: this.host,
        port: this.port,
        onread: {
          buffer: sharedReadBuffer,
          callback: (bytes: number, buffer: Uint8Array): boolean => {
            try {
              this.onData(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
            } catch (error) {
              fail(error instanceof Error ? error : new Error(String(error)));
            }
            return true;
          },
        },
      });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('connect', () => {
        const key = randomBytes(16).toString('base64');
        socket.write(
          `GET ${this.path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${passiveSubprotocol}\r\n` +
            `Authorization: Bearer ${this.token}\r\n\r\n`,
        );
      });
      socket.on('error', (error) => fail(error));
      socket.on('close', () => {
        this.open = false;
        fail(new Error(`passive session: closed${this.closeCode === undefined ? '' : ` with ${this.closeCode}`} before the snapshot`));
      });
    });
  }

  /** The counts since the last call, and zeroes them. */
  takeCounts(): PassiveCounts {
    const taken = { frames: this.counts.frames, bytes: this.counts.bytes };
    this.counts.frames = 0;
    this.counts.bytes = 0;
    return taken;
  }

  close(): void {
    this.open = false;
    this.socket?.destroy();
  }

  private send(payload: Uint8Array, opcode = 0x2): void {
    this.socket?.write(clientFrame(opcode, payload));
  }

  private onData(input: Buffer): void {
    let chunk = input;
    if (this.partial !== undefined) {
      chunk = Buffer.concat([this.partial, input]);
      this.partial = undefined;
    }
    let offset = 0;
    if (!this.handshakeDone) {
      const end = chunk.indexOf('\r\n\r\n');
      if (end < 0) {
        if (chunk.length > handshakeBytesMax) throw new Error('passive session: handshake answer too long');
        this.partial = Buffer.from(chunk);
        return;
      }
      const status = chunk.subarray(0, chunk.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.1 101\b/.test(status)) throw new Error(`passive session: upgrade refused: ${status}`);
      this.handshakeDone = true;
      offset = end + 4;
    }
    while (offset < chunk.length) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, chunk.length - offset);
        if (this.collected !== undefined) this.collected.push(Buffer.from(chunk.subarray(offset, offset + take)));
        offset += take;
        this.skip -= take;
        if (this.skip === 0) this.endFrame();
        continue;
      }
      const available = chunk.length - offset;
      if (available < 2) {
        this.partial = Buffer.from(chunk.subarray(offset));
        return;
      }
      const b0 = chunk[offset] as number;
      const b1 = chunk[offset + 1] as number;
      const length7 = b1 & 0x7f;
      const headerBytes = 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
      if (available < headerBytes) {
        this.partial = Buffer.from(chunk.subarray(offset));
        return;
      }
      const payloadBytes = length7 === 126 ? chunk.readUInt16BE(offset + 2) : length7 === 127 ? Number(chunk.readBigUInt64BE(offset + 2)) : length7;
      offset += headerBytes;
      this.opcode = b0 & 0x0f;
      const control = this.opcode >= opcodeClose;
      if (!control && this.opcode !== opcodeContinuation) {
        this.counts.frames += 1;
      }
      if (!control) this.counts.bytes += headerBytes + payloadBytes;
      if (control || this.decoding) {
        if (!control && payloadBytes > setupFrameBytesMax) throw new Error(`passive session: a ${payloadBytes}-byte frame while subscribing`);
        this.collected = [];
      }
      this.skip = payloadBytes;
      if (payloadBytes === 0) this.endFrame();
    }
  }

  private endFrame(): void {
    const collected = this.collected;
    this.collected = undefined;
    if (collected === undefined) return;
    const payload = collected.length === 1 ? (collected[0] as Buffer) : Buffer.concat(collected);
    if (this.opcode === opcodePing) {
      this.send(payload, opcodePong);
    } else if (this.opcode === opcodeClose) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.open = false;
      this.socket?.end();
    } else if (this.opcode !== opcodePong && this.decoding && payload.length > 0) {
      const frame: unknown = packr.unpack(payload);
      if (typeof frame === 'object' && frame !== null) this.onDecoded?.(frame as { type?: unknown; topic?: unknown });
    }
  }
}
