import t from 'tap';
import { sampleCall } from '../../engine/test-harness.ts';
import { api, openStack, Receiver, submitOk, tempDir, testSecret, waitFor } from './webhook-test-support.ts';

t.test('webhook routes: validation, roles, idempotency, scope, dead letters and delete', async (t) => {
  const stack = await openStack(tempDir(t));
  const receivers: Receiver[] = [];
  t.teardown(async () => {
    await stack.close();
    for (const receiver of receivers) await receiver.close();
  });
  const receiver = async (): Promise<Receiver> => {
    const made = new Receiver();
    await made.listen();
    receivers.push(made);
    return made;
  };
  const tokens = stack.tokens;
  if (tokens === undefined) throw new Error('the demo region was not seeded');
  const partner = tokens.partner;
  const scoped = (await stack.gateway.tokens.issue('partner', { kind: 'clinics', clinicIds: ['gp1'] }, 'gp1 MIS', stack.clock.now())).token;
  const all = await receiver();
  const good = { url: all.url, events: ['call.registered', 'call.cancelled'], secret: testSecret };

  await t.test('bad input is a 400 problem naming the field, and creates nothing', async (t) => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['not http(s)', { ...good, url: 'ftp://example.org/hooks' }, '/url'],
      ['not a URL', { ...good, url: 'http://exa mple.org/hooks' }, '/url'],
      ['credentials in the URL', { ...good, url: 'https://user:pw@example.org/hooks' }, '/url'],
      ['an unknown event name', { ...good, events: ['call.registered', 'call.exploded'] }, '/events/1'],
      ['no events', { ...good, events: [] }, '/events'],
      ['a short secret', { ...good, secret: 'short' }, '/secret'],
      ['an event named twice', { ...good, events: ['call.registered', 'call.registered'] }, '/events'],
      ['an unknown field', { ...good, extra: 1 }, '/extra'],
    ];
    for (const [name, body, path] of cases) {
      const reply = await api(stack, 'POST', '/api/v1/webhooks', partner, body);
      t.equal(reply.status, 400, name);
      t.match(reply.body, { type: '/problems/validation_failed', status: 400 }, name);
      t.equal((reply.body['errors'] as Array<{ path: string }> | undefined)?.[0]?.path, path, `${name}: the field is named`);
    }
    const unknown = await api(stack, 'POST', '/api/v1/webhooks', partner, { ...good, events: ['call.exploded'] });
    t.match(unknown.body, { detail: /known: call\.registered, .*appointment\.booked/ }, 'the problem lists the known names');
    t.same((await api(stack, 'GET', '/api/v1/webhooks', partner)).body, []);
  });

  await t.test('only partners and admins, with a token', async (t) => {
    t.equal((await api(stack, 'POST', '/api/v1/webhooks', undefined, good)).status, 401);
    t.equal((await api(stack, 'POST', '/api/v1/webhooks', tokens.operators['gp1'], good)).status, 403);
    t.equal((await api(stack, 'GET', '/api/v1/webhooks', tokens.operators['gp1'])).status, 403);
  });

  let regionId = '';
  await t.test('an Idempotency-Key retry returns the first subscription; another body with it is 422', async (t) => {
    const headers = { 'idempotency-key': 'subscribe-1' };
    const [first, racing] = await Promise.all([
      api(stack, 'POST', '/api/v1/webhooks', partner, good, headers),
      api(stack, 'POST', '/api/v1/webhooks', partner, good, headers),
    ]);
    const again = await api(stack, 'POST', '/api/v1/webhooks', partner, good, headers);
    t.equal(first.status, 201);
    t.same(racing, first, 'a concurrent retry gets the same reply');
    t.same(again, first, 'a later retry gets the same reply');
    t.equal((await api(stack, 'POST', '/api/v1/webhooks', partner, { ...good, events: ['call.registered'] }, headers)).status, 422);
    const list = await api(stack, 'GET', '/api/v1/webhooks', partner);
    t.equal((list.body as unknown as unknown[]).length, 1, 'one subscription');
    regionId = String(first.body['id']);
  });

  const gp1Only = await receiver();
  const scopedReply = await api(stack, 'POST', '/api/v1/webhooks', scoped, { ...good, url: gp1Only.url });
  t.equal(scopedReply.status, 201);
  const scopedId = String(scopedReply.body['id']);

  await t.test('a clinic-scoped subscription receives only its clinics\' events; a region one receives all', async (t) => {
    const calls: Array<Promise<Record<string, unknown>>> = [];
    for (const clinicId of ['gp1', 'gp2', 'gp1', 'gp3']) calls.push(submitOk(stack.host, { type: 'RegisterCall', call: sampleCall({ clinicId }) }));
    await Promise.all(calls);
    await waitFor('the region-wide deliveries', () => all.acknowledged().length >= 4);
    await waitFor('the gp1 deliveries', () => gp1Only.acknowledged().length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.same(all.acknowledged().map((delivery) => delivery.payload['clinicId']).sort(), ['gp1', 'gp1', 'gp2', 'gp3']);
    t.same(gp1Only.acknowledged().map((delivery) => delivery.payload['clinicId']), ['gp1', 'gp1']);
    t.ok(gp1Only.received.every((delivery) => delivery.signatureValid));
  });

  await t.test('an event the receiver refuses is dead-lettered after its attempts, and delivery moves on', async (t) => {
    const picky = await receiver();
    let refusedId: string | undefined;
    picky.answer = (delivery) => {
      refusedId ??= delivery.id;
      return delivery.id === refusedId ? 422 : 200;
    };
    const made = await api(stack, 'POST', '/api/v1/webhooks', partner, { ...good, url: picky.url });
    for (let i = 0; i < 2; i += 1) await submitOk(stack.host, { type: 'RegisterCall', call: sampleCall() });
    await waitFor('the event after the refused one', () => picky.acknowledged().length >= 1);
    t.equal(picky.received.filter((delivery) => delivery.id === refusedId).length, 3, 'rejectedAttemptsMax attempts');
    const statusPath = `/api/v1/webhooks/${String(made.body['id'])}`;
    // The receiver has answered; the cursor moves on disk right after.
    const deliveredCount = async () => ((await api(stack, 'GET', statusPath, partner)).body['delivery'] as Record<string, unknown> | undefined)?.['delivered'];
    await waitFor('the cursor past the delivered event', async () => (await deliveredCount()) === 1);
    const status = await api(stack, 'GET', statusPath, partner);
    t.match(status.body, { delivery: { delivered: 1, deadLettered: 1, lastError: { eventId: refusedId, message: 'HTTP 422' } }, deadLetters: [{ eventId: refusedId, type: 'call.registered', attempts: 3, error: 'HTTP 422' }] });
  });

  await t.test('a token sees and deletes only its own subscriptions; DELETE stops delivery', async (t) => {
    t.equal((await api(stack, 'GET', `/api/v1/webhooks/${regionId}`, scoped)).status, 404, 'another token\'s subscription is not found');
    t.equal((await api(stack, 'DELETE', `/api/v1/webhooks/${regionId}`, scoped)).status, 404);
    t.equal((await api(stack, 'DELETE', '/api/v1/webhooks/wh_00000000000000000000', scoped)).status, 404);
    t.equal((await api(stack, 'DELETE', `/api/v1/webhooks/${scopedId}`, scoped)).status, 204);
    t.equal((await api(stack, 'DELETE', `/api/v1/webhooks/${scopedId}`, scoped)).status, 204, 'a repeated DELETE answers the same');
    t.same((await api(stack, 'GET', '/api/v1/webhooks', scoped)).body, []);
    const before = gp1Only.received.length;
    const regionBefore = all.acknowledged().length;
    await submitOk(stack.host, { type: 'RegisterCall', call: sampleCall({ clinicId: 'gp1' }) });
    await waitFor('the region-wide delivery of the new call', () => all.acknowledged().length > regionBefore);
    await new Promise((resolve) => setTimeout(resolve, 150));
    t.equal(gp1Only.received.length, before, 'nothing is sent to a deleted subscription');
  });

  await t.test('the OpenAPI document lists the webhook operations', async (t) => {
    const document = await api(stack, 'GET', '/api/v1/openapi.json', undefined);
    t.match(document.body, { paths: { '/api/v1/webhooks': { post: { operationId: 'createWebhook' }, get: { operationId: 'listWebhooks' } }, '/api/v1/webhooks/{id}': { delete: { operationId: 'deleteWebhook' } } } });
  });
});
