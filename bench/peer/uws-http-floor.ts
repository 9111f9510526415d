// THE HTTP FLOOR (BENCH.md, "Baselines and floors"): a bare uWebSockets.js HTTP handler, driven by the same
// autocannon client as our server in the same run. It reads the request's body to its end (as ours must),
// then answers a canned reply of the size ours sends: no parsing, no validation, no engine, no log. Our
// requests per second divided by this floor's say what our own logic costs over the network and the library.
//
// Routes are the partner paths the scenario drives, so the same client script runs unchanged: a POST to
// `/api/v1/slots/:id/hold` answers `{ "holdId": … }` (the client books with it), `/api/v1/appointments` and
// `/api/v1/calls` answer 201 with an `id`, padded to `--reply-bytes`; anything else 200 `{}`. It prints the
// `{"event":"listening","port":N}` line bench/load/server-process.ts waits for, and stops on SIGTERM.
// Bounds: `replyBytesMax`; a request body beyond `bodyBytesMax` is answered 413 and not read further.
//   node --import tsx bench/peer/uws-http-floor.ts --port 0 --reply-bytes 1200

import { parseArgs } from 'node:util';
import uWS from 'uWebSockets.js';
import type { HttpResponse } from 'uWebSockets.js';
import { assertNativeUws } from '../../gateway/uws-native.ts';

export const replyBytesMax = 1_048_576;
export const bodyBytesMax = 256 * 1024;

/** A JSON body `{ <field>: <id>, "pad": "xxx…" }` of about `bytes` bytes (never less than the field itself). */
export function paddedReply(field: string, id: string, bytes: number): string {
  const bare = JSON.stringify({ [field]: id, pad: '' });
  return JSON.stringify({ [field]: id, pad: 'x'.repeat(Math.max(0, bytes - bare.length)) });
}

/** Reads the request body to its end, then calls `done` (or answers 413 past `bodyBytesMax`). */
function afterBody(res: HttpResponse, done: () => void): void {
  let received = 0;
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  res.onData((chunk, isLast) => {
    received += chunk.byteLength;
    if (received > bodyBytesMax) {
      if (!aborted) res.cork(() => res.writeStatus('413 Content Too Large').end());
      aborted = true;
      return;
    }
    if (isLast && !aborted) res.cork(done);
  });
}

function main(): void {
  const { values } = parseArgs({
    strict: true,
    options: { port: { type: 'string', default: '0' }, 'reply-bytes': { type: 'string', default: '1000' } },
  });
  const port = Number(values.port);
  const replyBytes = Number(values['reply-bytes']);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError('--port: 0..65535');
  if (!Number.isInteger(replyBytes) || replyBytes < 2 || replyBytes > replyBytesMax) throw new RangeError(`--reply-bytes: 2..${replyBytesMax}`);
  assertNativeUws();
  let counter = 0;
  const created = (field: string) => (res: HttpResponse): void => {
    afterBody(res, () => {
      counter += 1;
      res.writeStatus('201 Created').writeHeader('Content-Type', 'application/json; charset=utf-8').writeHeader('X-Request-Id', `f-${counter}`)
        .end(paddedReply(field, `f${counter}`, replyBytes));
    });
  };
  const app = uWS.App()
    .post('/api/v1/slots/:id/hold', created('holdId'))
    .post('/api/v1/appointments', created('id'))
    .post('/api/v1/calls', created('id'))
    .post('/*', (res) => afterBody(res, () => res.writeStatus('200 OK').writeHeader('Content-Type', 'application/json; charset=utf-8').end('{}')))
    .get('/*', (res) => {
      res.onAborted(() => undefined);
      res.writeStatus('200 OK').writeHeader('Content-Type', 'application/json; charset=utf-8').end('{}');
    });
  app.listen('127.0.0.1', port, (token) => {
    if (token === false) throw new Error(`uws http floor: cannot listen on 127.0.0.1:${port}`);
    process.stdout.write(`${JSON.stringify({ event: 'listening', port: uWS.us_socket_local_port(token) })}\n`);
    process.once('SIGTERM', () => {
      uWS.us_listen_socket_close(token);
      process.exit(0);
    });
  });
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) main();
