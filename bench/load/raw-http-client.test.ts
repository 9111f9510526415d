import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import t from 'tap';
import type { Test } from 'tap';
import { attemptBooking, bookingHeaders } from './booking-attempt.ts';
import { RawHttpConnection, responseBodyBytesMax } from './raw-http-client.ts';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

interface HttpPeer {
  readonly port: number;
  readonly connections: () => number;
}

async function httpPeer(t: Test, handler: Handler): Promise<HttpPeer> {
  let connections = 0;
  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => handler(request, Buffer.concat(parts).toString('utf8'), response));
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

/** A TCP server that answers each request (after its head, no request bodies here) with `answer`'s bytes. */
async function rawPeer(t: Test, answer: (socket: Socket, index: number) => Promise<void>): Promise<HttpPeer> {
  let connections = 0;
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      while (received.includes('\r\n\r\n')) {
        received = received.slice(received.indexOf('\r\n\r\n') + 4);
        const index = requests;
        requests += 1;
        void answer(socket, index);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function writeByteByByte(socket: Socket, text: string): Promise<void> {
  for (const byte of Buffer.from(text)) {
    socket.write(Buffer.of(byte));
    await pause(1);
  }
}

const text = (body: Buffer): string => body.toString('utf8');

t.test('a Content-Length reply, and the request as the server saw it', async (t) => {
  let seen: { method: string | undefined; url: string | undefined; headers: IncomingMessage['headers']; body: string } | undefined;
  const peer = await httpPeer(t, (request, body, response) => {
    seen = { method: request.method, url: request.url, headers: request.headers, body };
    response.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': 12 });
    response.end('{"id":"a-1"}');
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  const reply = await connection.request('POST', '/api/v1/x?y=1', 'Content-Type: application/json\r\nAuthorization: Bearer tok\r\n', '{"a":"é"}', 2_000);
  t.equal(reply.status, 201);
  t.equal(text(reply.body), '{"id":"a-1"}');
  t.equal(seen?.method, 'POST');
  t.equal(seen?.url, '/api/v1/x?y=1');
  t.equal(seen?.body, '{"a":"é"}');
  t.equal(seen?.headers['host'], `127.0.0.1:${peer.port}`);
  t.equal(seen?.headers['content-length'], '10', 'the body length in bytes, not characters');
  t.equal(seen?.headers['authorization'], 'Bearer tok');
  t.equal(seen?.headers['content-type'], 'application/json');
  const get = await connection.request('GET', '/g', '', '', 2_000);
  t.equal(get.status, 201);
  t.equal(seen?.headers['content-length'], undefined, 'a GET without a body has no Content-Length');
});

t.test('a chunked reply (node:http without Content-Length, written in parts)', async (t) => {
  let encoding: string | number | string[] | undefined;
  const peer = await httpPeer(t, (_request, _body, response) => {
    response.statusCode = 200;
    response.write('first,');
    setTimeout(() => {
      response.write('second,');
      encoding = response.getHeader('transfer-encoding');
      setTimeout(() => response.end('third'), 5);
    }, 5);
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  const reply = await connection.request('POST', '/c', '', 'x', 2_000);
  t.equal(reply.status, 200);
  t.equal(text(reply.body), 'first,second,third');
  t.equal(encoding, undefined, 'node:http sets chunked framing itself');
  const again = await connection.request('POST', '/c', '', 'x', 2_000);
  t.equal(text(again.body), 'first,second,third', 'the connection is reusable after a chunked reply');
  t.equal(connection.connects, 1);
  t.equal(peer.connections(), 1);
});

t.test('replies split into single bytes: head, Content-Length body, chunked body with extensions and trailers', async (t) => {
  const replies = [
    'HTTP/1.1 200 OK\r\nX-Long-Header: abcdefghijklmnopqrstuvwxyz\r\ncontent-LENGTH: 11\r\n\r\nhello world',
    'HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nlost \r\n4\r\nrace\r\n0\r\nX-Trailer: t\r\n\r\n',
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
  ];
  const peer = await rawPeer(t, (socket, index) => writeByteByByte(socket, replies[index] ?? ''));
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  const first = await connection.request('POST', '/1', '', '{}', 5_000);
  t.same({ status: first.status, body: text(first.body) }, { status: 200, body: 'hello world' });
  const second = await connection.request('POST', '/2', '', '{}', 5_000);
  t.same({ status: second.status, body: text(second.body) }, { status: 409, body: 'lost race' });
  const third = await connection.request('POST', '/3', '', '{}', 5_000);
  t.same({ status: third.status, body: text(third.body) }, { status: 201, body: 'ok' }, 'an interim 100 is skipped');
  t.equal(connection.connects, 1);
  t.equal(peer.connections(), 1);
});

t.test('several replies in one TCP segment are not taken for the next request: the socket is dropped', async (t) => {
  const peer = await rawPeer(t, async (socket, index) => {
    if (index === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb');
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc');
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  t.equal(text((await connection.request('GET', '/', '', '', 2_000)).body), 'a');
  t.equal(text((await connection.request('GET', '/', '', '', 2_000)).body), 'c', 'not the unsolicited "b"');
  t.equal(connection.connects, 2);
});

t.test('no body: 204, 304, Content-Length 0, HEAD', async (t) => {
  const peer = await httpPeer(t, (request, _body, response) => {
    if (request.url === '/204') response.writeHead(204).end();
    else if (request.url === '/304') response.writeHead(304).end();
    else if (request.url === '/zero') response.writeHead(200, { 'Content-Length': 0 }).end();
    else response.writeHead(200, { 'Content-Length': 5 }).end(request.method === 'HEAD' ? undefined : 'after');
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  for (const [path, status] of [['/204', 204], ['/304', 304], ['/zero', 200]] as const) {
    const reply = await connection.request('POST', path, '', '', 2_000);
    t.equal(reply.status, status, path);
    t.equal(reply.body.length, 0, `${path}: empty body`);
  }
  const head = await connection.request('HEAD', '/head', '', '', 2_000);
  t.same({ status: head.status, length: head.body.length }, { status: 200, length: 0 }, 'HEAD: Content-Length 5 but no body');
  const after = await connection.request('GET', '/after', '', '', 2_000);
  t.same({ status: after.status, body: text(after.body) }, { status: 200, body: 'after' }, 'framing intact after the bodiless replies');
  t.equal(peer.connections(), 1);
});

t.test('keep-alive: 100 sequential requests on one connection', async (t) => {
  const peer = await httpPeer(t, (request, body, response) => {
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${request.url ?? ''}:${body}`);
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  const bodies: string[] = [];
  for (let index = 0; index < 100; index += 1) bodies.push(text((await connection.request('POST', `/n/${index}`, '', String(index * 7), 2_000)).body));
  t.same(bodies, Array.from({ length: 100 }, (_, index) => `/n/${index}:${index * 7}`));
  t.equal(peer.connections(), 1, 'the server saw one connection');
  t.equal(connection.connects, 1);
});

t.test('a request while one is in flight is refused', async (t) => {
  const peer = await httpPeer(t, (_request, _body, response) => {
    setTimeout(() => response.end('slow'), 20);
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  const first = connection.request('GET', '/', '', '', 2_000);
  await t.rejects(connection.request('GET', '/', '', '', 2_000), /already in flight/);
  t.equal(text((await first).body), 'slow');
});

t.test('Connection: close, then the next request reconnects', async (t) => {
  const peer = await httpPeer(t, (request, _body, response) => {
    if (request.url === '/close') response.setHeader('Connection', 'close');
    response.end(request.url);
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  t.equal(text((await connection.request('GET', '/close', '', '', 2_000)).body), '/close');
  t.equal(text((await connection.request('GET', '/next', '', '', 2_000)).body), '/next');
  t.equal(text((await connection.request('GET', '/more', '', '', 2_000)).body), '/more');
  t.equal(connection.connects, 2);
  t.equal(peer.connections(), 2);
});

t.test('the server closes an idle keep-alive connection: the next request reconnects', async (t) => {
  const peer = await rawPeer(t, async (socket) => {
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  t.equal(text((await connection.request('GET', '/', '', '', 2_000)).body), 'ok');
  await pause(50);
  t.equal(text((await connection.request('GET', '/', '', '', 2_000)).body), 'ok');
  t.equal(connection.connects, 2);
});

t.test('a body until the connection closes (no length, no chunking)', async (t) => {
  const peer = await rawPeer(t, async (socket) => {
    socket.write('HTTP/1.1 200 OK\r\n\r\npart one, ');
    await pause(5);
    socket.end('part two');
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  const reply = await connection.request('GET', '/', '', '', 2_000);
  t.same({ status: reply.status, body: text(reply.body) }, { status: 200, body: 'part one, part two' });
});

t.test('the server closes mid-response: rejected, and the next request works', async (t) => {
  const peer = await rawPeer(t, async (socket, index) => {
    if (index === 0) {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      await pause(5);
      socket.destroy();
    } else if (index === 1) {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
      await pause(5);
      socket.destroy();
    } else if (index === 2) {
      socket.write('HTTP/1.1 200 OK\r\nContent-');
      await pause(5);
      socket.destroy();
    } else {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfine');
    }
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  await t.rejects(connection.request('GET', '/', '', '', 2_000), /closed before the response was complete/, 'mid Content-Length body');
  await t.rejects(connection.request('GET', '/', '', '', 2_000), /closed before the response was complete/, 'mid chunked body');
  await t.rejects(connection.request('GET', '/', '', '', 2_000), /closed before the response was complete/, 'mid head');
  const reply = await connection.request('GET', '/', '', '', 2_000);
  t.same({ status: reply.status, body: text(reply.body) }, { status: 200, body: 'fine' });
  t.equal(connection.connects, 4);
});

t.test('nobody listening: rejected with the socket error', async (t) => {
  const peer = await rawPeer(t, async () => undefined);
  const connection = new RawHttpConnection('127.0.0.1', 1);
  t.teardown(() => connection.close());
  await t.rejects(connection.request('GET', '/', '', '', 2_000), { code: 'ECONNREFUSED' });
  t.ok(peer.port > 0);
});

t.test('timeout: rejected and the socket dropped; the next request works', async (t) => {
  const peer = await httpPeer(t, (request, _body, response) => {
    if (request.url !== '/hang') response.end('answered');
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  const started = performance.now();
  await t.rejects(connection.request('GET', '/hang', '', '', 100), /no complete response within 100 ms/);
  const waitedMs = performance.now() - started;
  t.ok(waitedMs >= 95 && waitedMs < 1_000, `rejected after ${waitedMs.toFixed(0)} ms`);
  t.equal(text((await connection.request('GET', '/ok', '', '', 100)).body), 'answered');
  await pause(150);
  t.equal(text((await connection.request('GET', '/ok', '', '', 100)).body), 'answered', 'the re-armed timer does not fire on a later request');
  t.equal(connection.connects, 2);
  t.equal(peer.connections(), 2);
});

t.test('an oversized body is rejected and the connection dropped', async (t) => {
  const big = Buffer.alloc(responseBodyBytesMax + 1, 0x61);
  const peer = await httpPeer(t, (request, _body, response) => {
    if (request.url === '/declared') response.writeHead(200, { 'Content-Length': big.length }).end(big);
    else if (request.url === '/chunked') {
      response.write(big.subarray(0, 600_000));
      response.end(big.subarray(600_000));
    } else response.end('small');
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  await t.rejects(connection.request('GET', '/declared', '', '', 2_000), /response body over 1048576 bytes/);
  await t.rejects(connection.request('GET', '/chunked', '', '', 2_000), /response body over 1048576 bytes/);
  t.equal(text((await connection.request('GET', '/small', '', '', 2_000)).body), 'small');
  t.equal(connection.connects, 3);
});

t.test('an oversized head and a non-HTTP reply are rejected', async (t) => {
  const peer = await rawPeer(t, async (socket, index) => {
    if (index === 0) socket.write(`HTTP/1.1 200 OK\r\nX-Huge: ${'h'.repeat(70_000)}\r\n\r\n`);
    else if (index === 1) socket.write('SSH-2.0-OpenSSH\r\n\r\n');
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Length: 13\r\n\r\n');
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  await t.rejects(connection.request('GET', '/', '', '', 2_000), /response head over 65536 bytes/);
  await t.rejects(connection.request('GET', '/', '', '', 2_000), /not an HTTP\/1.x status line/);
  await t.rejects(connection.request('GET', '/', '', '', 2_000), /malformed Content-Length/);
});

t.test('close() rejects the request in flight and every later one', async (t) => {
  const peer = await httpPeer(t, () => undefined);
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  const pending = connection.request('GET', '/', '', '', 2_000);
  await pause(20);
  connection.close();
  await t.rejects(pending, /closed by its owner/);
  await t.rejects(connection.request('GET', '/', '', '', 2_000), /the connection is closed/);
});

t.test('attemptBooking over a connection: hold then book, 409 lost, anything else an error', async (t) => {
  const seen: string[] = [];
  let holdStatus = 201;
  const peer = await httpPeer(t, (request, body, response) => {
    seen.push(`${request.method ?? ''} ${request.url ?? ''} ${request.headers['authorization'] ?? '-'} ${request.headers['content-type'] ?? '-'} ${body}`);
    if (request.url?.endsWith('/hold')) {
      response.writeHead(holdStatus, { 'Content-Type': 'application/json' }).end(holdStatus === 201 ? '{"holdId":"h-9"}' : '{"title":"no"}');
    } else {
      response.writeHead(201, { 'Content-Type': 'application/json' }).end('{"id":"ap-1"}');
    }
  });
  const connection = new RawHttpConnection('127.0.0.1', peer.port);
  t.teardown(() => connection.close());
  const headers = bookingHeaders('tok-1');
  const booked = await attemptBooking(connection, headers, 'c1-d1.0800', { surname: 'X' }, 2_000);
  t.same(booked, { kind: 'booked', slotId: 'c1-d1.0800', appointmentId: 'ap-1', requests: 2 });
  t.same(seen, [
    'POST /api/v1/slots/c1-d1.0800/hold Bearer tok-1 application/json {}',
    'POST /api/v1/appointments Bearer tok-1 application/json {"slotId":"c1-d1.0800","holdId":"h-9","source":"registry","patient":{"surname":"X"}}',
  ]);
  holdStatus = 409;
  t.same(await attemptBooking(connection, headers, 's', {}, 2_000), { kind: 'lost-hold', requests: 1 });
  holdStatus = 503;
  t.same(await attemptBooking(connection, bookingHeaders(undefined), 's', {}, 2_000), { kind: 'error', status: 503, requests: 1 });
  t.match(seen.at(-1), /^POST \/api\/v1\/slots\/s\/hold - application\/json/, 'no token: no Authorization');
});
