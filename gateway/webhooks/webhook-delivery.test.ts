import t from 'tap';
import { sampleCall } from '../../engine/test-harness.ts';
import { callEventNames } from './webhook-events.ts';
import { api, logOrder, openStack, Receiver, submitOk, tempDir, testSecret, waitFor, type Stack } from './webhook-test-support.ts';

async function deliveryOf(stack: Stack, token: string): Promise<Record<string, unknown>> {
  const list = await api(stack, 'GET', '/api/v1/webhooks', token);
  const first = list.body[0] as { delivery: Record<string, unknown> } | undefined;
  if (first === undefined) throw new Error('no subscription listed');
  return first.delivery;
}

async function registerCall(stack: Stack, overrides: Parameters<typeof sampleCall>[0] = {}): Promise<string> {
  return String((await submitOk(stack.host, { type: 'RegisterCall', call: sampleCall(overrides) }))['id']);
}

t.test('a receiver down, then overloaded, then up gets every event, in log order, each signed', async (t) => {
  const stack = await openStack(tempDir(t));
  const receiver = new Receiver();
  t.teardown(async () => {
    await stack.close();
    await receiver.close().catch(() => undefined);
  });
  const partner = stack.tokens?.partner ?? '';
  await receiver.reservePort();
  const created = await api(stack, 'POST', '/api/v1/webhooks', partner, { url: receiver.url, events: [...callEventNames], secret: testSecret });
  t.equal(created.status, 201);
  t.match(created.body, { id: /^wh_/, url: receiver.url, events: [...callEventNames], createdAt: /^\d{4}-\d\d-\d\dT/ });
  t.notOk('secret' in created.body, 'the secret is never echoed');

  // Nobody listens on the port yet: every attempt meets a refused connection.
  const first = await registerCall(stack);
  const second = await registerCall(stack);
  const third = await registerCall(stack, { clinicId: 'gp2' });
  await submitOk(stack.host, { type: 'AssignCall', callId: first, doctorId: 'gp1-d1', visitDate: '2026-11-23' });
  await submitOk(stack.host, { type: 'CancelCall', callId: second, reason: 'patient recovered' });
  await submitOk(stack.host, { type: 'CompleteCall', callId: first, diagnosis: 'J06.9' });
  await waitFor('failed attempts with every event read', async () => {
    const delivery = await deliveryOf(stack, partner);
    return Number(delivery['attempts']) >= 3 && delivery['pendingEvents'] === 6;
  });
  const failing = await deliveryOf(stack, partner);
  t.match(failing, { pendingEvents: 6, delivered: 0, lastError: { message: /ECONNREFUSED|connect/i, eventId: /^\d+-\d+$/ }, nextAttemptAt: /T/ }, 'the status shows the outage');
  t.equal(receiver.received.length, 0);

  // Up, but answering 503 three times first (with Retry-After), then fine.
  let refusals = 0;
  receiver.answer = () => (refusals++ < 3 ? 503 : 200);
  await receiver.listen();
  await waitFor('six deliveries', () => receiver.acknowledged().length >= 6);
  const fourth = await registerCall(stack);
  await waitFor('the event after catching up', () => receiver.acknowledged().length >= 7);

  const acknowledged = receiver.acknowledged();
  const ids = acknowledged.map((delivery) => delivery.id);
  t.equal(new Set(ids).size, 7, 'each event acknowledged once');
  t.same(ids, [...ids].sort(logOrder), 'acknowledged in log order');
  t.same(receiver.received.map((delivery) => delivery.id), [...receiver.received.map((delivery) => delivery.id)].sort(logOrder), 'retries repeat the event in front, never skip ahead');
  t.equal(receiver.received.filter((delivery) => delivery.answer === 503).length, 3);
  t.ok(receiver.received.every((delivery) => delivery.signatureValid), 'every request carries a valid X-Signature');
  t.ok(receiver.received.every((delivery) => delivery.headerId === delivery.id), 'X-Webhook-Id is the payload id');
  const typesOf = (callId: string) => acknowledged.filter((delivery) => delivery.payload['callId'] === callId).map((delivery) => delivery.type);
  t.same(typesOf(first), ['call.registered', 'call.assigned', 'call.completed']);
  t.same(typesOf(second), ['call.registered', 'call.cancelled']);
  t.same(typesOf(third), ['call.registered']);
  t.same(typesOf(fourth), ['call.registered']);
  const registered = acknowledged.find((delivery) => delivery.payload['callId'] === third);
  t.match(registered?.payload, { type: 'call.registered', clinicId: 'gp2', occurredAt: /^2026-11-23T09:00:00\+03:00$/, data: { id: third, status: 'new', clinicId: 'gp2' } });
  const assigned = acknowledged.find((delivery) => delivery.type === 'call.assigned');
  t.match(assigned?.payload, { callId: first, data: { status: 'assigned', doctorId: 'gp1-d1', visitDate: '2026-11-23', at: /\+03:00$/ } });

  await waitFor('a caught-up status', async () => Number((await deliveryOf(stack, partner))['logPositionsBehind']) === 0);
  t.match(await deliveryOf(stack, partner), { delivered: 7, pendingEvents: 0, attempts: 0, deliveredPosition: stack.host.durablePosition, lastDeliveredAt: /T/ });
});

t.test('a restart in the middle loses nothing and resends only what was not acknowledged', async (t) => {
  const dir = tempDir(t);
  let stack = await openStack(dir);
  const partner = stack.tokens?.partner ?? '';
  const receiver = new Receiver();
  await receiver.listen();
  t.teardown(async () => {
    await stack.close();
    await receiver.close();
  });
  // Three acknowledged, the fourth held open until the gateway goes away, the rest refused.
  let answered = 0;
  receiver.answer = () => {
    answered += 1;
    return answered <= 3 ? 200 : answered === 4 ? 'hang' : 503;
  };
  t.equal((await api(stack, 'POST', '/api/v1/webhooks', partner, { url: receiver.url, events: ['call.registered'], secret: testSecret })).status, 201);
  for (let i = 0; i < 6; i += 1) await registerCall(stack);
  await waitFor('the held request', () => receiver.received.some((delivery) => delivery.answer === 'hang'));
  const acknowledgedBefore = receiver.acknowledged().map((delivery) => delivery.id);
  const held = receiver.received.find((delivery) => delivery.answer === 'hang')?.id;
  t.equal(acknowledgedBefore.length, 3);

  await stack.close();
  const mark = receiver.received.length;
  receiver.answer = () => 200;
  stack = await openStack(dir);
  for (let i = 0; i < 2; i += 1) await registerCall(stack);
  await waitFor('every event after the restart', () => new Set(receiver.acknowledged().map((delivery) => delivery.id)).size >= 8);

  const after = receiver.received.slice(mark).map((delivery) => delivery.id);
  t.equal(after[0], held, 'delivery resumes at the first event not acknowledged');
  t.same(after.filter((id) => acknowledgedBefore.includes(id)), [], 'nothing acknowledged before the restart is sent again');
  t.same(after, [...after].sort(logOrder), 'in log order after the restart too');
  t.equal(new Set(after).size, after.length, 'each sent once after the restart');
  const all = [...acknowledgedBefore, ...after];
  t.equal(all.length, 8, 'the six before and the two after the restart, none lost');
  t.ok(receiver.received.every((delivery) => delivery.signatureValid));
});
