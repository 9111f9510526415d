import { AssertionError } from 'node:assert';
import { Packr } from 'msgpackr';
import { crc32 } from 'node:zlib';
import t from 'tap';
import { LogCorruptionError } from './event-log.ts';
import {
  batchRecordsMax,
  decodeLogEntry,
  encodeLogEntry,
  entryPayloadBytesMax,
  frameHeaderBytes,
  verifyLogEntryFrame,
} from './log-record-codec.ts';

const records = [
  { type: 'HomeCallRegistered', id: 1, address: 'ул. Ленина, 5', at: 1_700_000_000_000, tags: ['urgent'] },
  { type: 'SlotHeld', id: 2, slot: { doctor: 'doctor/7', start: 540 }, holder: null, ratio: 0.25 },
];

function frameOf(payload: Uint8Array): Buffer {
  const frame = Buffer.alloc(frameHeaderBytes + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.set(payload, frameHeaderBytes);
  return frame;
}

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

void t.test('a batch round-trips through a frame of [length][crc][msgpack]', async (t) => {
  const frame = encodeLogEntry(records);
  t.equal(frame.readUInt32LE(0), frame.length - frameHeaderBytes);
  t.same(decodeLogEntry(7, frame), records);
  t.same(new Packr({ useRecords: false }).unpack(frame.subarray(frameHeaderBytes)), records, 'plain msgpack, readable by any decoder');
  t.same(decodeLogEntry(1, encodeLogEntry([])), []);
});

void t.test('damage is reported with the position: flip, torn, padded, short, bad msgpack, not an array', async (t) => {
  const frame = encodeLogEntry(records);
  const flipped = Buffer.from(frame);
  flipped[frameHeaderBytes + 5] = (flipped[frameHeaderBytes + 5] ?? 0) ^ 0x10;
  const cases: [string, Uint8Array, RegExp][] = [
    ['flipped', flipped, /checksum/],
    ['torn', frame.subarray(0, frame.length - 1), /torn/],
    ['padded', Buffer.concat([frame, Buffer.from([0])]), /padded/],
    ['short', frame.subarray(0, 5), /shorter/],
    ['bad msgpack', frameOf(Buffer.from([0x92, 0x01])), /msgpack/],
    ['not an array', frameOf(new Packr({ useRecords: false }).pack({ a: 1 })), /array/],
  ];
  for (const [name, damaged, reason] of cases) {
    const error = caught(() => decodeLogEntry(42, damaged));
    t.type(error, LogCorruptionError, name);
    t.match(error, { position: 42, reason }, `${name}: names the position and the reason`);
  }
  t.doesNotThrow(() => verifyLogEntryFrame(1, frame));
});

void t.test('the per-entry bounds are assertions', async (t) => {
  t.throws(() => encodeLogEntry(new Array<number>(batchRecordsMax + 1).fill(0)), AssertionError);
  t.doesNotThrow(() => encodeLogEntry(new Array<number>(batchRecordsMax).fill(0)));
  t.throws(() => encodeLogEntry(['x'.repeat(entryPayloadBytesMax)]), AssertionError);
});
