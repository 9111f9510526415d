/**
 * The live socket's browser parts: the WebSocket transport (binary frames as ArrayBuffers) and the two
 * codecs — MessagePack by default (msgpackr's browser build, plain maps, no records, as the server sends),
 * JSON when the page is opened with `?codec=json` (readable in the browser's network panel).
 */
import { Packr } from 'msgpackr';
import type { Frame, LiveCodec, TransportFactory } from './live-types.ts';

const packr = new Packr({ useRecords: false });

export const msgpackCodec: LiveCodec = {
  protocol: 'clinic-dispatch.msgpack',
  encode: (frame) => packr.pack(frame) as Uint8Array<ArrayBuffer>,
  decode: (data) => (data instanceof ArrayBuffer ? packr.unpack(new Uint8Array(data)) : JSON.parse(String(data))) as Frame,
};

export const jsonCodec: LiveCodec = {
  protocol: 'clinic-dispatch.json',
  encode: (frame) => JSON.stringify(frame),
  decode: (data) => JSON.parse(String(data)) as Frame,
};

export const browserTransport: TransportFactory = (url, protocols, handlers) => {
  const socket = new WebSocket(url, [...protocols]);
  socket.binaryType = 'arraybuffer';
  socket.onopen = () => handlers.open();
  socket.onmessage = (event) => handlers.message(event.data);
  socket.onclose = (event) => handlers.close(event.code, event.reason);
  return {
    send: (data) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(data);
    },
    close: (code, reason) => socket.close(code, reason),
  };
};

export function socketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

export function chosenCodec(): LiveCodec {
  return new URLSearchParams(location.search).get('codec') === 'json' ? jsonCodec : msgpackCodec;
}
