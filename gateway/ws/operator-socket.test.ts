import t from 'tap';
import { closeCodes } from './close-codes.ts';
import { intake, nextWeekday, packFrame, postJson, refusedStatus, startSocketStack, TestSocket, type Frame, type SocketStack } from './ws-test-kit.ts';

type Json = Record<string, unknown>;

let stack: SocketStack;
let stopped = false;
t.before(async () => {
  stack = await startSocketStack();
});
t.teardown(async () => {
  if (!stopped) await stack.stop();
});

const gp1 = (): string => stack.tokens.operators['gp1'] as string;
const gp2 = (): string => stack.tokens.operators['gp2'] as string;
const data = (frame: Frame): Json => frame['data'] as Json;
const callsOf = (frame: Frame): Json[] => (data(frame)['calls'] as Json[] | undefined) ?? [];
const hasCall = (id: string) => (frame: Frame): boolean => frame.type === 'diff' && callsOf(frame).some((call) => call['id'] === id);

async function secondOperator(clinicId: string): Promise<string> {
  return (await stack.gateway.tokens.issue('operator', { kind: 'clinics', clinicIds: [clinicId] }, `second operator ${clinicId}`, Date.now())).token;
}

t.test('the upgrade needs a valid token, from a header or a subprotocol (never the URL)', async (t) => {
  const { wsUrl, gateway } = stack;
  t.equal(await refusedStatus(wsUrl), 401, 'no token: 401, not upgraded');
  t.equal(await refusedStatus(wsUrl, { token: 'cdt_0123456789abcdef_nope' }), 401, 'unknown token');
  t.equal(await refusedStatus(wsUrl, { token: 'garbage', via: 'query' }), 400, 'a token in the query is refused, malformed');
  t.equal(await refusedStatus(wsUrl, { token: gp1(), via: 'query' }), 400, 'or valid: URLs end up in logs');
  t.equal(await refusedStatus(wsUrl, { token: gp1(), via: 'protocol' }), 400, 'a bearer entry needs a codec entry beside it (the answer never echoes it)');
  const disabled = await gateway.tokens.issue('operator', { kind: 'clinics', clinicIds: ['gp1'] }, 'to be disabled', Date.now());
  await gateway.tokens.disable(disabled.principal.id);
  t.equal(await refusedStatus(wsUrl, { token: disabled.token, via: 'protocol', codec: 'json' }), 401, 'disabled token');
  for (const via of ['header', 'protocol'] as const) {
    const client = await TestSocket.connect(wsUrl, { token: gp1(), via, ...(via === 'protocol' ? { codec: 'msgpack' as const } : {}) });
    if (via === 'protocol') t.equal(client.socket.protocol, 'clinic-dispatch.msgpack', 'the codec is answered, not the bearer entry');
    const welcome = await client.next((frame) => frame.type === 'welcome');
    t.equal((welcome['principal'] as Json)['role'], 'operator', `welcome over ${via}`);
    t.equal(welcome['codec'], 'msgpack', 'msgpack by default');
    t.match(welcome['limits'], { framePayloadBytesMax: Number, messagesPerSecondMax: Number });
    client.close();
  }
  const json = await TestSocket.connect(wsUrl, { token: gp1(), via: 'protocol', codec: 'json' });
  t.equal(json.socket.protocol, 'clinic-dispatch.json', 'the JSON subprotocol is answered, not the bearer entry');
  t.equal((await json.next((frame) => frame.type === 'welcome'))['codec'], 'json');
  json.close();
});

t.test('two operators of a clinic see each other live; another clinic sees nothing and is refused', async (t) => {
  const { wsUrl, base } = stack;
  const a = await TestSocket.connect(wsUrl, { token: gp1() });
  const b = await TestSocket.connect(wsUrl, { token: await secondOperator('gp1') });
  const c = await TestSocket.connect(wsUrl, { token: gp2() });
  const snapshotB = await b.subscribe('clinic/gp1');
  t.equal(snapshotB.type, 'snapshot');
  t.equal(snapshotB['reason'], 'subscribe');
  const before = ((data(snapshotB)['board'] as Json)['counters'] as Json)['new'] as number;
  await a.subscribe('clinic/gp1');
  const refused = await c.subscribe('clinic/gp1');
  t.match(refused, { type: 'error', code: 'forbidden', topic: 'clinic/gp1' }, 'out of scope: an error frame, no subscription');
  t.equal((await c.subscribe('clinic/gp2')).type, 'snapshot');

  const created = await postJson(base, '/api/v1/calls', gp1(), intake());
  t.equal(created.status, 201);
  const viaHttp = String(created.body['id']);
  const diff = await b.next(hasCall(viaHttp));
  t.equal(((data(diff)['board'] as Json)['counters'] as Json)['new'], before + 1, 'the new counter in the same frame');
  t.equal(callsOf(diff).find((call) => call['id'] === viaHttp)?.['status'], 'new');

  const reply = await a.command('reg-1', { type: 'RegisterCall', call: intake() });
  t.match(reply, { type: 'reply', requestId: 'reg-1', ok: true });
  t.equal(stack.host.durablePosition, stack.host.lastPosition, 'when the reply arrives, every log entry assigned so far is durable');
  const viaSocket = String((reply['result'] as Json)['id']);
  const diffIndex = a.frames.findIndex(hasCall(viaSocket));
  t.ok(diffIndex >= 0 && diffIndex < a.frames.indexOf(reply), 'the diff (published at durability) reaches the sender before its reply');
  await b.next(hasCall(viaSocket));

  c.send({ type: 'ping', requestId: 'barrier' });
  await c.next((frame) => frame.type === 'pong');
  const seen = JSON.stringify(c.frames);
  t.notOk(seen.includes(viaHttp) || seen.includes(viaSocket), 'the other clinic saw none of it');
  t.notOk(c.frames.some((frame) => frame.type === 'diff' && frame['topic'] === 'clinic/gp1'));

  const diffs = b.ofType('diff', 'clinic/gp1');
  t.ok(diffs.length >= 2);
  t.same(diffs.map((frame) => frame['seq']), diffs.map((_, index) => (snapshotB['seq'] as number) + index + 1), 'seq rises by one per frame, from the snapshot on');
  for (const client of [a, b, c]) client.close();
});

t.test('commands: validated, scope-checked, decided, replied after durability', async (t) => {
  const { wsUrl, host } = stack;
  const a = await TestSocket.connect(wsUrl, { token: gp1() });
  const c = await TestSocket.connect(wsUrl, { token: gp2() });
  const registered = await a.command('r', { type: 'RegisterCall', call: intake('ул. Кирова', 'portal') });
  const callId = String((registered['result'] as Json)['id']);
  t.equal((registered['result'] as Json)['status'], 'received');
  const callSnapshot = await a.subscribe(`call/${callId}`);
  t.equal((data(callSnapshot)['call'] as Json)['status'], 'received');

  const position = host.durablePosition;
  const invalid = await a.command('v', { type: 'AssignCall', callId, visitDate: 'tomorrow' });
  t.match(invalid, { type: 'error', code: 'validation_failed', requestId: 'v' });
  const paths = (invalid['errors'] as Json[]).map((error) => error['path']);
  t.ok(paths.includes('/command/doctorId') && paths.includes('/command/visitDate'), `field paths: ${paths.join(', ')}`);
  t.match(await a.command('u', { type: 'LaunchRocket' }), { type: 'error', code: 'unknown_command' });
  t.match(await a.command('n', 5 as unknown as Json), { type: 'error', code: 'validation_failed' });
  t.match(await a.command('x', { type: 'AcceptCall', callId, extra: true }), { type: 'error', code: 'validation_failed' }, 'unknown fields are refused');
  t.match(await c.command('f', { type: 'AcceptCall', callId }), { type: 'error', code: 'forbidden' }, "another clinic's call");
  t.match(await c.command('g', { type: 'RegisterCall', call: { ...intake(), clinicId: 'gp1' } }), { type: 'error', code: 'forbidden' });
  await host.whenDurable();
  t.equal(host.durablePosition, position, 'nothing refused at the gateway reached the log');
  t.equal(host.read.call(callId)?.status, 'received');

  const rejected = await a.command('illegal', { type: 'CompleteCall', callId });
  t.match(rejected, { type: 'reply', ok: false, problem: { status: 409, type: '/problems/illegal_transition' } }, 'engine rejections are replies');
  const accepted = await a.command('acc', { type: 'AcceptCall', callId });
  t.match(accepted, { ok: true, result: { id: callId, status: 'new' } });
  t.equal((data(await a.next((frame) => frame.type === 'diff' && frame['topic'] === `call/${callId}`))['call'] as Json)['status'], 'new', 'the call topic follows');

  const again = intake();
  const first = await a.command('i1', { type: 'RegisterCall', call: again }, { idempotencyKey: 'retry-1' });
  const retried = await a.command('i2', { type: 'RegisterCall', call: again }, { idempotencyKey: 'retry-1' });
  t.equal((retried['result'] as Json)['id'], (first['result'] as Json)['id'], 'a retry with the same idempotencyKey returns the first result');
  t.match(await a.command('i3', { type: 'RegisterCall', call: intake() }, { idempotencyKey: 'retry-1' }), { ok: false, problem: { status: 422 } }, 'the key with another command');

  const doctor = await a.subscribe('doctor/gp1-d1');
  t.match(data(doctor), { doctor: { id: 'gp1-d1', clinicId: 'gp1' }, routeList: Array, calendar: { days: Array }, appointments: Array, queue: { cabinet: Object } });
  const visitDate = nextWeekday();
  t.match(await a.command('as', { type: 'AssignCall', callId, doctorId: 'gp1-d1', visitDate }), { ok: true, result: { status: 'assigned', doctorId: 'gp1-d1' } });
  const visits = await a.next((frame) => frame.type === 'diff' && frame['topic'] === 'doctor/gp1-d1' && Array.isArray(data(frame)['visits']));
  t.match((data(visits)['visits'] as Json[])[0], { callId, visitDate }, 'the route list gained the visit');

  const own = await TestSocket.connect(wsUrl, { token: stack.tokens.doctors['gp1-d1'] as string });
  t.match(await own.subscribe('doctor/gp1-d2'), { type: 'error', code: 'forbidden' }, 'a doctor sees only their own topic');
  t.equal((await own.subscribe('doctor/gp1-d1')).type, 'snapshot');
  t.match(await a.subscribe('doctor/gp2-d1'), { type: 'error', code: 'forbidden' });
  t.match(await a.subscribe('call/gp1.nosuchcall'), { type: 'error', code: 'not_found' });
  for (const client of [a, c, own]) client.close();
});

t.test('slot holds over the socket: the holder sees its tag, others see the slot taken', async (t) => {
  const { wsUrl } = stack;
  const a = await TestSocket.connect(wsUrl, { token: gp1() });
  const b = await TestSocket.connect(wsUrl, { token: await secondOperator('gp1') });
  const welcomeA = await a.next((frame) => frame.type === 'welcome');
  const snapshot = await b.subscribe('doctor/gp1-d2');
  const days = ((data(snapshot)['calendar'] as Json)['days'] as Json[]).filter((day) => day['blocked'] === false);
  const slot = days.flatMap((day) => day['slots'] as Json[]).find((candidate) => candidate['status'] === 'free' && Date.parse(String(candidate['startAt'])) > Date.now() + 3_600_000);
  if (slot === undefined) return t.fail('the demo doctor has no free slot in the snapshot');
  const held = await a.command('hold', { type: 'HoldSlot', slotId: slot['id'] });
  t.match(held, { ok: true, result: { slotId: slot['id'], holdId: String } }, JSON.stringify(held).slice(0, 300));
  const diff = await b.next((frame) => frame.type === 'diff' && frame['topic'] === 'doctor/gp1-d2');
  const shown = (data(diff)['slots'] as Json[]).find((candidate) => candidate['id'] === slot['id']);
  t.match(shown, { status: 'held', heldBy: welcomeA['holderTag'] }, 'held, tagged with the holder');
  t.notOk(JSON.stringify(diff).includes(String((held['result'] as Json)['holdId'])), 'the hold id is not broadcast');
  t.match(await b.command('steal', { type: 'HoldSlot', slotId: slot['id'] }), { ok: false, problem: { status: 409 } }, 'another operator cannot take it');
  t.match(await a.command('cheat', { type: 'HoldSlot', slotId: slot['id'], holder: 'operator:someone' }), { code: 'validation_failed' }, 'a client cannot name a holder');
  const booked = await a.command('book', {
    type: 'BookAppointment',
    booking: { slotId: slot['id'], holdId: (held['result'] as Json)['holdId'], source: 'registry', patient: { surname: 'Слотова', name: 'Анна', birthDate: '1990-01-01', sex: 'F', phone: '+79120001122' } },
  });
  t.match(booked, { ok: true }, JSON.stringify(booked).slice(0, 300));
  const appointment = await b.next((frame) => frame.type === 'diff' && frame['topic'] === 'doctor/gp1-d2' && Array.isArray(data(frame)['appointments']));
  t.match((data(appointment)['slots'] as Json[]).find((candidate) => candidate['id'] === slot['id']), { status: 'booked' });
  a.close();
  b.close();
});

t.test('malformed frames get error frames; an oversized one closes with 1009; the server keeps serving', async (t) => {
  const { wsUrl, base } = stack;
  const m = await TestSocket.connect(wsUrl, { token: gp1() });
  const watcher = await TestSocket.connect(wsUrl, { token: gp1() });
  await watcher.subscribe('clinic/gp1');
  const error = () => m.next((frame) => frame.type === 'error');
  m.sendRaw(Buffer.from([0xc1, 0x00]));
  t.match(await error(), { code: 'malformed_frame' }, 'not msgpack');
  m.sendRaw('{"type":"ping"}');
  t.match(await error(), { code: 'malformed_frame' }, 'JSON text on a msgpack socket');
  m.send({ type: 'subscribe', topic: 5, requestId: 'w' });
  t.match(await error(), { code: 'validation_failed', requestId: 'w', errors: [{ path: '/topic' }] }, 'wrong type');
  m.send({ type: 'dance' });
  t.match(await error(), { code: 'unknown_message', errors: [{ path: '/type' }] });
  m.send([1, 2, 3]);
  t.match(await error(), { code: 'unknown_message' });
  m.send({ type: 'subscribe', topic: 'hospital/1' });
  t.match(await error(), { code: 'validation_failed', topic: 'hospital/1' });
  let deep: unknown = 1;
  for (let i = 0; i < 40; i += 1) deep = { deep };
  m.send({ type: 'ping', deep });
  t.match(await error(), { code: 'malformed_frame' }, 'nested too deep');
  m.send({ type: 'unsubscribe', topic: 'clinic/gp1' });
  t.match(await error(), { code: 'not_subscribed' });
  m.send({ type: 'ping', requestId: 7 });
  t.match(await m.next((frame) => frame.type === 'pong'), { requestId: 7 }, 'still serving after bad frames');

  m.sendRaw(packFrame({ type: 'ping', pad: 'x'.repeat(70 * 1024) }));
  t.equal((await m.closed).code, closeCodes.frameTooBig, 'over framePayloadBytesMax: 1009');
  const created = await postJson(base, '/api/v1/calls', gp1(), intake());
  await watcher.next(hasCall(String(created.body['id'])));
  t.pass('other sockets still get their diffs');
  watcher.close();
});

t.test('unsubscribe stops diffs; resync sends a fresh snapshot at the current seq; JSON clients get the same frames', async (t) => {
  const { wsUrl, base } = stack;
  const json = await TestSocket.connect(wsUrl, { token: gp1(), codec: 'json' });
  const binary = await TestSocket.connect(wsUrl, { token: gp1() });
  await json.subscribe('clinic/gp1');
  await binary.subscribe('clinic/gp1');
  const created = await postJson(base, '/api/v1/calls', gp1(), intake());
  const id = String(created.body['id']);
  const inJson = await json.next(hasCall(id));
  const inBinary = await binary.next(hasCall(id));
  t.same(inJson, inBinary, 'one frame, two encodings');
  t.equal(json.framesByKind.binary, 0, 'a JSON session gets only text frames');
  t.equal(binary.framesByKind.text, 0, 'a msgpack session only binary ones');
  json.send({ type: 'resync', topic: 'clinic/gp1', requestId: 'rs' });
  const fresh = await json.next((frame) => frame.type === 'snapshot' && frame['reason'] === 'resync');
  t.equal(fresh['seq'], inJson['seq'], 'the snapshot carries the seq of the last frame it includes');
  t.equal(fresh['requestId'], 'rs');
  t.ok(callsOf(fresh).some((call) => call['id'] === id));
  binary.send({ type: 'unsubscribe', topic: 'clinic/gp1' });
  await binary.next((frame) => frame.type === 'unsubscribed');
  const later = await postJson(base, '/api/v1/calls', gp1(), intake());
  await json.next(hasCall(String(later.body['id'])));
  binary.send({ type: 'ping' });
  await binary.next((frame) => frame.type === 'pong');
  t.notOk(binary.frames.some(hasCall(String(later.body['id']))), 'no diffs after unsubscribe');
  json.close();
  binary.close();
});

t.test('a draining gateway takes no new commands; closing it closes every socket with 1001', async (t) => {
  const client = await TestSocket.connect(stack.wsUrl, { token: gp1() });
  await client.subscribe('clinic/gp1');
  await stack.gateway.drain();
  t.match(await client.command('late', { type: 'RegisterCall', call: intake() }), { type: 'error', code: 'unavailable' }, 'refused, not submitted');
  stopped = true;
  await stack.stop();
  t.equal((await client.closed).code, closeCodes.goingAway);
});
