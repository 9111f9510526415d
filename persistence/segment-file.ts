/**
 * The segment log's file format and file operations (persistence/segment-event-log.ts is the log itself): a
 * segment is a preallocated file of records, each a 12-byte record header (magic, position, reserved) followed by
 * a log-record-codec.ts frame; `first-position` names the log's first position after a trim. Creating a segment,
 * syncing the directory, writing whole buffers, and scanning records up to the first torn or foreign one.
 */
import {
  closeSync, existsSync, fdatasyncSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync,
  write as writeCallback,
} from 'node:fs';
import { open as openFile, rename as renameFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogCorruptionError } from './event-log.ts';
import { frameHeaderBytes, verifyLogEntryFrame } from './log-record-codec.ts';

export const readChunkBytes = 1024 * 1024;
export const recordHeaderBytes = 12;
export const recordMagic = 0x4c47_4443; // 'CDGL' little-endian
export const firstPositionFileName = 'first-position';
export const segmentSuffix = '.segment';
export const preparingSuffix = '.preparing';
export const preallocateChunkBytes = 1024 * 1024;

export interface ScannedRecord {
  readonly offset: number;
  readonly position: number;
  /** A view into the read buffer: valid until the next record is scanned. */
  readonly frame: Buffer;
  readonly bytes: number;
}

export function segmentFileName(sequence: number): string {
  return `${sequence.toString().padStart(10, '0')}${segmentSuffix}`;
}

export function writeAllSync(fd: number, buffer: Buffer, offset: number): void {
  let written = 0;
  while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written, offset + written);
}

/** Writes the whole buffer at `offset`, continuing after a short write. */
export function writeAll(fd: number, buffer: Buffer, offset: number, done: (error?: unknown) => void): void {
  writeCallback(fd, buffer, 0, buffer.length, offset, (error, written) => {
    if (error !== null) {
      done(error);
      return;
    }
    if (written < buffer.length) writeAll(fd, buffer.subarray(written), offset + written, done);
    else done();
  });
}

/** Zeros, synced, then renamed into place and the directory synced: a segment file is whole or absent. */
export function createSegmentFile(directory: string, sequence: number, bytes: number): void {
  const path = join(directory, segmentFileName(sequence));
  const temporary = `${path}${preparingSuffix}`;
  const fd = openSync(temporary, 'w');
  try {
    const zeros = Buffer.alloc(Math.min(preallocateChunkBytes, bytes));
    for (let offset = 0; offset < bytes; offset += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - offset), offset);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  syncDirectory(directory);
}

export async function createSegmentFileAsync(directory: string, sequence: number, bytes: number): Promise<void> {
  const path = join(directory, segmentFileName(sequence));
  const temporary = `${path}${preparingSuffix}`;
  const file = await openFile(temporary, 'w');
  try {
    const zeros = Buffer.alloc(Math.min(preallocateChunkBytes, bytes));
    for (let offset = 0; offset < bytes; offset += zeros.length) await file.write(zeros, 0, Math.min(zeros.length, bytes - offset), offset);
    await file.datasync();
  } finally {
    await file.close();
  }
  await renameFile(temporary, path);
  const directoryHandle = await openFile(directory, 'r');
  try {
    await directoryHandle.sync();
  } finally {
    await directoryHandle.close();
  }
}

export function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readFirstPosition(directory: string): number {
  const path = join(directory, firstPositionFileName);
  if (!existsSync(path)) return 1;
  const value = Number(readFileSync(path, 'utf8').trim());
  if (!Number.isSafeInteger(value) || value < 1) throw new LogCorruptionError(1, `${path} does not hold a position`);
  return value;
}

export function writeFirstPosition(directory: string, position: number): void {
  const path = join(directory, firstPositionFileName);
  const temporary = `${path}${preparingSuffix}`;
  writeFileSync(temporary, `${position}\n`, { flush: true });
  renameSync(temporary, path);
  syncDirectory(directory);
}

export function fileBytes(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

export function roundUp(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

export function firstRecordPosition(path: string): number | undefined {
  for (const record of scanSegment(path, 0)) return record.position;
  return undefined;
}

/** The newest segment's last valid record (checksum verified) and the offset after it, from `startOffset`. */
export function scanToEnd(path: string, expectedFirst: number, startOffset = 0): { readonly last: number; readonly endOffset: number } {
  let expected = expectedFirst;
  let endOffset = startOffset;
  for (const record of scanSegment(path, startOffset)) {
    if (record.position !== expected) break;
    try {
      verifyLogEntryFrame(record.position, record.frame);
    } catch {
      break;
    }
    endOffset = record.offset + record.bytes;
    expected += 1;
  }
  return { last: expected - 1, endOffset };
}

/**
 * The records of one segment from `startOffset`, until zeros, a bad magic or a record that does not fit (the end,
 * or a torn tail). Reads `readChunkBytes` at a time; a frame is a view valid until the next record.
 */
export function* scanSegment(path: string, startOffset: number): Iterable<ScannedRecord> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let buffer = Buffer.allocUnsafe(readChunkBytes);
    let bufferStart = startOffset;
    let bufferEnd = startOffset;
    let offset = startOffset;
    const ensure = (bytes: number): boolean => {
      if (offset + bytes > size) return false;
      if (offset >= bufferStart && offset + bytes <= bufferEnd) return true;
      if (buffer.length < bytes) buffer = Buffer.allocUnsafe(bytes);
      const length = Math.min(buffer.length, size - offset);
      let read = 0;
      while (read < length) {
        const got = readSync(fd, buffer, read, length - read, offset + read);
        if (got === 0) break;
        read += got;
      }
      bufferStart = offset;
      bufferEnd = offset + read;
      return offset + bytes <= bufferEnd;
    };
    while (ensure(recordHeaderBytes + frameHeaderBytes)) {
      const at = offset - bufferStart;
      if (buffer.readUInt32LE(at) !== recordMagic || buffer.readUInt16LE(at + 10) !== 0) return;
      const position = buffer.readUIntLE(at + 4, 6);
      const payloadBytes = buffer.readUInt32LE(at + recordHeaderBytes);
      const bytes = recordHeaderBytes + frameHeaderBytes + payloadBytes;
      if (!ensure(bytes)) return;
      const start = offset - bufferStart + recordHeaderBytes;
      yield { offset, position, frame: buffer.subarray(start, start + frameHeaderBytes + payloadBytes), bytes };
      offset += bytes;
    }
  } finally {
    closeSync(fd);
  }
}
