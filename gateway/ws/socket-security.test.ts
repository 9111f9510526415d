/**
 * The operator socket's security rules (docs/security.md, items 3 and 7 and the WebSocket weaknesses), on a real
 * stack: a credential that ends closes its open sockets within a second with 4001 (sign-out, an admin disabling
 * the user, a token disabled) with no command needed; one principal holds at most `socketsPerPrincipalMax`
 * sockets, the next closes with 4009 while other principals connect; browsers' Origin is checked; a token in
 * the URL is refused; the subprotocol answer never echoes the token.
 */
import t from 'tap';
import { call } from '../test-server.ts';
import { refusedStatus, startSocketStack, TestSocket, type SocketStack } from './ws-test-kit.ts';

let stack: SocketStack;
const socketsPerPrincipalMax = 3;
t.before(async () => {
  stack = await startSocketStack({}, { socketsPerPrincipalMax, allowedOrigins: ['https://desk.example.org'] });
});
t.teardown(() => stack.stop());

type Json = Record<string, unknown>;
const demoPassword = (login: string): string => stack.tokens.logins.find((entry) => entry.login === login)?.password ?? '';

async function signIn(login: string): Promise<string> {
  const reply = await call(stack.base, 'POST', '/api/v1/auth/login', { body: { login, password: demoPassword(login) } });
  if (reply.status !== 200) throw new Error(`sign-in of ${login}: ${reply.status} ${reply.text}`);
  return String((reply.body as Json)['token']);
}

/** Resolves with the close code, or rejects when the socket is still open after `withinMs`. */
async function closedWithin(socket: TestSocket, withinMs: number): Promise<number> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still open after ${withinMs} ms`)), withinMs));
  return (await Promise.race([socket.closed, timeout])).code;
}

t.test('sign-out closes the session’s open socket within a second with 4001, with no command sent', async (t) => {
  const token = await signIn('operator-gp1');
  const socket = await TestSocket.connect(stack.wsUrl, { token, via: 'protocol', codec: 'json' });
  await socket.next((frame) => frame.type === 'welcome');
  socket.send({ type: 'subscribe', requestId: 's1', topic: 'clinic/gp1' });
  await socket.next((frame) => frame.type === 'snapshot');
  const other = await TestSocket.connect(stack.wsUrl, { token: await signIn('operator-gp1') });
  await other.next((frame) => frame.type === 'welcome');
  t.equal((await call(stack.base, 'POST', '/api/v1/auth/logout', { token })).status, 200);
  t.equal(await closedWithin(socket, 1000), 4001, 'closed with 4001');
  other.send({ type: 'ping', requestId: 'p' });
  t.ok(await other.next((frame) => frame.type === 'pong'), 'another session of the same user stays open');
  other.close();
});

t.test('an admin disabling a user closes its sockets within a second', async (t) => {
  const token = await signIn('operator-gp2');
  const socket = await TestSocket.connect(stack.wsUrl, { token });
  await socket.next((frame) => frame.type === 'welcome');
  const disabled = await call(stack.base, 'POST', '/api/v1/admin/users/operator-gp2/disable', { token: stack.tokens.admin });
  t.equal(disabled.status, 200, disabled.text);
  t.equal(await closedWithin(socket, 1000), 4001);
  await call(stack.base, 'POST', '/api/v1/admin/users/operator-gp2/enable', { token: stack.tokens.admin });
});

t.test('a disabled API token closes its sockets within a second', async (t) => {
  const issued = await stack.gateway.tokens.issue('operator', { kind: 'clinics', clinicIds: ['gp3'] }, 'to be revoked', Date.now());
  const socket = await TestSocket.connect(stack.wsUrl, { token: issued.token });
  await socket.next((frame) => frame.type === 'welcome');
  const bystander = await TestSocket.connect(stack.wsUrl, { token: stack.tokens.operators['gp3'] as string });
  await bystander.next((frame) => frame.type === 'welcome');
  await stack.gateway.tokens.disable(issued.principal.id);
  t.equal(await closedWithin(socket, 1000), 4001);
  bystander.send({ type: 'ping', requestId: 'p' });
  t.ok(await bystander.next((frame) => frame.type === 'pong'), 'other tokens keep their sockets');
  bystander.close();
});

t.test(`one principal holds at most ${socketsPerPrincipalMax} sockets; the next closes with 4009`, async (t) => {
  const token = stack.tokens.operators['gp1'] as string;
  const held: TestSocket[] = [];
  for (let index = 0; index < socketsPerPrincipalMax; index += 1) {
    const socket = await TestSocket.connect(stack.wsUrl, { token });
    await socket.next((frame) => frame.type === 'welcome');
    held.push(socket);
  }
  const extra = await TestSocket.connect(stack.wsUrl, { token });
  t.equal((await extra.closed).code, 4009, 'one more is closed with its own code');
  t.notOk(extra.frames.some((frame) => frame.type === 'welcome'), 'and served nothing');
  const otherPrincipal = await TestSocket.connect(stack.wsUrl, { token: stack.tokens.operators['gp2'] as string });
  t.ok(await otherPrincipal.next((frame) => frame.type === 'welcome'), 'another principal still connects');
  otherPrincipal.close();
  const first = held.shift() as TestSocket;
  first.close();
  await first.closed;
  const again = await TestSocket.connect(stack.wsUrl, { token });
  t.ok(await again.next((frame) => frame.type === 'welcome'), 'a closed socket frees its place');
  for (const socket of [...held, again]) socket.close();
});

t.test('Origin: the server’s own and the allowed ones open; any other is 403; none (not a browser) is judged by the token', async (t) => {
  const token = stack.tokens.operators['gp1'] as string;
  const own = `http://127.0.0.1:${stack.gateway.port}`;
  for (const origin of [own, 'https://desk.example.org']) {
    const socket = await TestSocket.connect(stack.wsUrl, { token, origin });
    t.ok(await socket.next((frame) => frame.type === 'welcome'), `${origin} opens`);
    socket.close();
    await socket.closed;
  }
  for (const origin of ['https://evil.example.com', 'null', `http://127.0.0.1:${stack.gateway.port + 1}`, 'https://desk.example.org.evil.com']) {
    t.equal(await refusedStatus(stack.wsUrl, { token, origin }), 403, `${origin} is refused`);
  }
});

t.test('a token in the URL is refused; the subprotocol answer is the codec, never the bearer entry', async (t) => {
  const token = stack.tokens.operators['gp1'] as string;
  t.equal(await refusedStatus(stack.wsUrl, { token, via: 'query' }), 400);
  t.equal(await refusedStatus(stack.wsUrl, { token, via: 'protocol' }), 400, 'a bearer entry alone would have to be echoed: refused');
  const socket = await TestSocket.connect(stack.wsUrl, { token, via: 'protocol', codec: 'msgpack' });
  t.equal(socket.socket.protocol, 'clinic-dispatch.msgpack');
  t.notMatch(socket.socket.protocol, /bearer|cdt_/);
  socket.close();
});

t.test('a session that expires while its socket is open closes it within the sweep interval', async (t) => {
  const { gatewayExtensions } = await import('../extensions.ts');
  const { createUiExtension, uiExtension } = await import('../ui/ui-extension.ts');
  const { startTestServer } = await import('../test-server.ts');
  const extensions = gatewayExtensions.map((extension) => (extension === uiExtension ? createUiExtension({ sessionTtlMs: 500 }) : extension));
  const server = await startTestServer({ extensions });
  t.teardown(() => server.stop());
  const password = server.tokens.logins.find((entry) => entry.login === 'operator-gp1')?.password ?? '';
  const token = String(((await call(server.base, 'POST', '/api/v1/auth/login', { body: { login: 'operator-gp1', password } })).body as Json)['token']);
  const socket = await TestSocket.connect(`ws://127.0.0.1:${server.gateway.port}/ws`, { token });
  await socket.next((frame) => frame.type === 'welcome');
  t.equal(await closedWithin(socket, 2_500), 4001, 'closed at expiry (500 ms) plus at most one sweep (1 s)');
});

t.test('over the socket too, a second object of another clinic or another doctor is forbidden and changes nothing', async (t) => {
  const doctor = await TestSocket.connect(stack.wsUrl, { token: stack.tokens.doctors['gp1-d1'] as string });
  await doctor.next((frame) => frame.type === 'welcome');
  const gp1 = await TestSocket.connect(stack.wsUrl, { token: stack.tokens.operators['gp1'] as string });
  await gp1.next((frame) => frame.type === 'welcome');
  const registered = await gp1.command('r', { type: 'RegisterCall', call: {
    source: 'call_center', kind: 'primary', patient: { surname: 'Сокетов', name: 'Иван', birthDate: '1977-07-07', sex: 'M' },
    address: { text: 'ул. Победы', house: '2' }, complaints: { text: 'x' },
  } });
  const callId = String((registered['result'] as Json)['id']);
  const visitDate = String((registered['result'] as Json)['visitDate']);
  const position = stack.host.durablePosition;
  t.match(await gp1.command('a1', { type: 'AssignCall', callId, doctorId: 'gp2-d1', visitDate }), { type: 'error', code: 'forbidden' }, 'assign to another clinic’s doctor');
  t.match(await doctor.command('a2', { type: 'AssignCall', callId, doctorId: 'gp1-d1', visitDate }), { type: 'error', code: 'forbidden' }, 'a doctor taking an unassigned call');
  const slots = (await call(stack.base, 'GET', '/api/v1/slots?doctorId=gp2-d3&status=free&limit=5', { token: stack.tokens.admin })).body as Json[];
  const own = (await call(stack.base, 'GET', '/api/v1/slots?doctorId=gp1-d1&status=free&limit=30', { token: stack.tokens.admin })).body as Json[];
  const later = own.filter((slot) => Date.parse(String(slot['start'])) > Date.now() + 3_600_000);
  const booked = await doctor.command('b', { type: 'BookAppointment', booking: { slotId: later[0]?.['id'], source: 'registry', patient: { surname: 'Сокетова', name: 'Анна', birthDate: '1980-08-08', sex: 'F', phone: '+79125550000' } } });
  const appointmentId = String((booked['result'] as Json)['id']);
  await stack.host.whenDurable();
  const afterBooking = stack.host.durablePosition;
  t.match(await doctor.command('m', { type: 'RescheduleAppointment', appointmentId, slotId: slots[0]?.['id'] }), { type: 'error', code: 'forbidden' }, 'into another clinic’s slot');
  await stack.host.whenDurable();
  t.equal(stack.host.durablePosition, afterBooking, 'the refused commands reached nothing');
  t.ok(afterBooking > position, 'the booking did');
  doctor.close();
  gp1.close();
});
