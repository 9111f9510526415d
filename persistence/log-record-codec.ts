/**
 * The on-disk frame of one log entry, shared by every EventLog implementation so that the in-memory log encodes,
 * copies and verifies exactly as the LMDB log does.
 *
 * Frame = [u32 LE payload length][u32 LE CRC-32 of the payload][payload], payload = the batch as one standard
 * msgpack array (no msgpackr records extension, so any msgpack reader can read the log). The length lets a torn or
 * truncated value be told apart from a bit flip; the CRC catches flips. CRC-32 (IEEE) comes from node:zlib, which
 * runs zlib's table-driven native code at gigabytes per second; a CRC-32C in JavaScript would be much slower for no
 * gain in what we detect here (random damage, not an adversary).
 *
 * Bounds: `batchRecordsMax` records and `entryPayloadBytesMax` payload bytes per entry. Exceeding either is a bug in
 * the caller (the engine bounds its tick), so it is an assertion, not a typed error.
 */
import { strict as assert } from 'node:assert';
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';
import { LogCorruptionError } from './event-log.ts';

export const frameHeaderBytes = 8;
/** A tick that produces more events than this is a runaway loop, not load. */
export const batchRecordsMax = 1_000_000;
/** 64 MiB: far above a tick of a few thousand ~300-byte events, far below the u32 length field. */
export const entryPayloadBytesMax = 64 * 1024 * 1024;

// One encoder for the process: standard msgpack maps (useRecords off) so the payload needs no shared structures
// to be read back, by us or by any other tool.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** Encodes one batch into a fresh frame. The frame shares no memory with the records. */
export function encodeLogEntry<T>(records: readonly T[]): Buffer {
  assert(
    records.length <= batchRecordsMax,
    `a log entry holds at most ${batchRecordsMax} records, got ${records.length}: split the tick`,
  );
  const payload = packr.pack(records);
  assert(
    payload.length <= entryPayloadBytesMax,
    `a log entry holds at most ${entryPayloadBytesMax} payload bytes, got ${payload.length}: split the tick`,
  );
  const frame = Buffer.allocUnsafe(frameHeaderBytes + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, frameHeaderBytes);
  return frame;
}

/**
 * Checks the length and checksum of a frame and returns a view of its payload (no copy). Throws
 * LogCorruptionError naming the position when the frame is torn, padded or damaged.
 */
export function verifyLogEntryFrame(position: number, frame: Uint8Array): Uint8Array {
  if (frame.length < frameHeaderBytes) {
    throw new LogCorruptionError(position, `frame of ${frame.length} bytes is shorter than its ${frameHeaderBytes}-byte header`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const payloadBytes = view.getUint32(0, true);
  const checksumStored = view.getUint32(4, true);
  if (payloadBytes !== frame.length - frameHeaderBytes) {
    throw new LogCorruptionError(
      position,
      `frame header says ${payloadBytes} payload bytes but ${frame.length - frameHeaderBytes} are stored (torn or padded write)`,
    );
  }
  const payload = frame.subarray(frameHeaderBytes);
  const checksumComputed = crc32(payload);
  if (checksumComputed !== checksumStored) {
    throw new LogCorruptionError(
      position,
      `checksum mismatch: stored ${hex32(checksumStored)}, computed ${hex32(checksumComputed)}`,
    );
  }
  return payload;
}

/** Verifies and decodes a frame into fresh record objects. */
export function decodeLogEntry<T>(position: number, frame: Uint8Array): T[] {
  const payload = verifyLogEntryFrame(position, frame);
  let decoded: unknown;
  try {
    decoded = packr.unpack(payload);
  } catch (error) {
    throw new LogCorruptionError(position, `payload does not decode as msgpack: ${String(error)}`);
  }
  if (!Array.isArray(decoded)) {
    throw new LogCorruptionError(position, `payload decodes to ${typeof decoded}, expected an array of records`);
  }
  // The log is generic over its record type and trusts its own writer: a frame that passed the checksum was
  // produced by encodeLogEntry<T> from the same T. Validation of the record shape belongs to the caller.
  return decoded as T[];
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
