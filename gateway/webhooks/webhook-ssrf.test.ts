/**
 * Webhook SSRF guard and ownership (docs/security.md, item 5 and "webhooks stop with their principal"):
 * internal addresses in every spelling are refused by default, at subscription and again at delivery (DNS
 * rebinding: the name resolves to a public address when subscribed and to loopback when delivered);
 * WEBHOOK_ALLOW_HOSTS lets them through; a partner's `lastError` names only the class of failure; a
 * subscription made by a signed-in user stops when the user is disabled and resumes when enabled.
 */
import t from 'tap';
import { sampleCall } from '../../engine/test-harness.ts';
import { checkWebhookHost, isInternalAddress, judgeHost, WebhookAllowList, type Resolver } from './webhook-address-guard.ts';
import { api, openStack, Receiver, submitOk, tempDir, testSecret, waitFor, type Stack } from './webhook-test-support.ts';

const hostile = [
  'http://127.0.0.1/hooks', 'http://localhost:8080/hooks', 'http://[::1]/hooks', 'http://2130706433/hooks', 'http://0x7f000001/hooks',
  'http://0177.0.0.1/hooks', 'http://127.1/hooks', 'http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/computeMetadata/v1/',
  'http://10.0.0.8/hooks', 'http://172.20.1.1/hooks', 'http://192.168.1.1/hooks', 'http://100.64.0.1/hooks', 'http://0.0.0.0/hooks',
  'http://224.0.0.1/hooks', 'http://255.255.255.255/hooks', 'http://[::ffff:127.0.0.1]/hooks', 'http://[::ffff:a9fe:a9fe]/hooks',
  'http://[fe80::1]/hooks', 'http://[fd00::1]/hooks', 'http://[::]/hooks', 'http://[64:ff9b::a00:1]/hooks', 'http://app.localhost/hooks',
  'http://LOCALHOST./hooks',
];

const noResolver: Resolver = () => Promise.reject(new Error('a test must not resolve names'));

t.test('every spelling of an internal address is refused without resolving; public ones pass', async (t) => {
  const none = new WebhookAllowList([]);
  for (const url of hostile) {
    const verdict = await checkWebhookHost(new URL(url).hostname, none, noResolver);
    t.equal(verdict.ok, false, `${url} (host ${new URL(url).hostname}) is refused`);
  }
  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) t.equal(isInternalAddress(address), false, `${address} is public`);
  t.equal((await checkWebhookHost('hooks.example.org', none, () => Promise.resolve(['93.184.216.34']))).ok, true, 'a name resolving to a public address passes');
  t.equal((await checkWebhookHost('hooks.example.org', none, () => Promise.resolve(['93.184.216.34', '10.1.2.3']))).ok, false, 'one internal address among them refuses the name');
  t.equal((await checkWebhookHost('nowhere.example.org', none, () => Promise.reject(new Error('ENOTFOUND')))).ok, false, 'a name that does not resolve is refused');
});

t.test('WEBHOOK_ALLOW_HOSTS: host names, addresses and CIDR ranges; anything else is a configuration error', async (t) => {
  const allow = new WebhookAllowList(['127.0.0.1', '10.20.0.0/16', 'mis.hospital.lan', '[fd00::5]']);
  t.same(judgeHost('127.0.0.1', allow), { ok: true });
  t.same(judgeHost('10.20.3.4', allow), { ok: true });
  t.equal((judgeHost('10.21.0.1', allow) as { ok: boolean }).ok, false, 'outside the range');
  t.same(judgeHost('mis.hospital.lan', allow), { ok: true });
  t.same(judgeHost('[fd00::5]', allow), { ok: true });
  t.equal((judgeHost('localhost', allow) as { ok: boolean }).ok, false, 'allowing 127.0.0.1 does not allow the name localhost');
  t.equal((await checkWebhookHost('mis2.hospital.lan', allow, () => Promise.resolve(['10.20.9.9']))).ok, true, 'a name resolving into an allowed range');
  t.throws(() => new WebhookAllowList(['10.0.0.0/33']), /bad prefix/);
  t.throws(() => new WebhookAllowList(['http://x/']), /not a host name/);
});

async function registerCall(stack: Stack): Promise<string> {
  return String((await submitOk(stack.host, { type: 'RegisterCall', call: sampleCall() }))['id']);
}

t.test('by default the API refuses internal URLs with 400 and creates nothing', async (t) => {
  const stack = await openStack(tempDir(t), {});
  t.teardown(() => stack.close());
  const partner = stack.tokens?.partner ?? '';
  for (const url of hostile) {
    const reply = await api(stack, 'POST', '/api/v1/webhooks', partner, { url, events: ['call.registered'], secret: testSecret });
    t.equal(reply.status, 400, `${url}: ${JSON.stringify(reply.body)}`);
    t.equal((reply.body['errors'] as Array<{ path: string }> | undefined)?.[0]?.path, '/url');
  }
  t.same((await api(stack, 'GET', '/api/v1/webhooks', partner)).body, [], 'nothing was created');
});

t.test('DNS rebinding: a name public at subscription and loopback at delivery is refused when it connects', async (t) => {
  const receiver = new Receiver();
  await receiver.listen();
  let resolved = 0;
  // First lookup (the subscription) sees a public address; every later one (deliveries) sees loopback.
  const rebinding: Resolver = () => Promise.resolve((resolved += 1) === 1 ? ['93.184.216.34'] : ['127.0.0.1']);
  const stack = await openStack(tempDir(t), {}, rebinding);
  t.teardown(async () => {
    await stack.close();
    await receiver.close();
  });
  const partner = stack.tokens?.partner ?? '';
  const url = receiver.url.replace('127.0.0.1', 'rebind.example.org');
  const created = await api(stack, 'POST', '/api/v1/webhooks', partner, { url, events: ['call.registered'], secret: testSecret });
  t.equal(created.status, 201, JSON.stringify(created.body));
  await registerCall(stack);
  await waitFor('a refused attempt', async () => {
    const list = await api(stack, 'GET', '/api/v1/webhooks', partner);
    return ((list.body[0] as { delivery: { attempts: number } }).delivery.attempts) >= 1;
  });
  const status = (await api(stack, 'GET', '/api/v1/webhooks', partner)).body[0] as { delivery: { lastError?: { message: string }; delivered: number } };
  t.equal(status.delivery.lastError?.message, 'delivery failed: address refused', 'the partner learns only the class');
  t.equal(status.delivery.delivered, 0);
  t.equal(receiver.received.length, 0, 'nothing reached the loopback receiver');
});

t.test('with WEBHOOK_ALLOW_HOSTS=127.0.0.1 the same rebinding name delivers (the lookup path connects where it checked)', async (t) => {
  const receiver = new Receiver();
  await receiver.listen();
  const stack = await openStack(tempDir(t), { webhookAllowHosts: ['127.0.0.1'] }, () => Promise.resolve(['127.0.0.1']));
  t.teardown(async () => {
    await stack.close();
    await receiver.close();
  });
  const partner = stack.tokens?.partner ?? '';
  const created = await api(stack, 'POST', '/api/v1/webhooks', partner, { url: receiver.url.replace('127.0.0.1', 'receiver.example.org'), events: ['call.registered'], secret: testSecret });
  t.equal(created.status, 201, JSON.stringify(created.body));
  await registerCall(stack);
  await waitFor('the delivery', () => receiver.acknowledged().length === 1);
  t.pass('delivered');
});

t.test('lastError of an unreachable receiver names the class only, not the socket error', async (t) => {
  const receiver = new Receiver();
  await receiver.reservePort();
  const stack = await openStack(tempDir(t));
  t.teardown(() => stack.close());
  const partner = stack.tokens?.partner ?? '';
  t.equal((await api(stack, 'POST', '/api/v1/webhooks', partner, { url: receiver.url, events: ['call.registered'], secret: testSecret })).status, 201);
  await registerCall(stack);
  await waitFor('a failed attempt', async () => ((await api(stack, 'GET', '/api/v1/webhooks', partner)).body[0] as { delivery: { attempts: number } }).delivery.attempts >= 1);
  const status = (await api(stack, 'GET', '/api/v1/webhooks', partner)).body[0] as { delivery: { lastError?: { message: string } } };
  t.equal(status.delivery.lastError?.message, 'delivery failed: connection refused');
  t.notMatch(status.delivery.lastError?.message ?? '', /127\.0\.0\.1|ECONNREFUSED|:\d{2,5}/, 'no address, port or errno');
});

t.test('a subscription made by a signed-in user stops when the user is disabled, and resumes when enabled', async (t) => {
  const receiver = new Receiver();
  await receiver.listen();
  const stack = await openStack(tempDir(t));
  t.teardown(async () => {
    await stack.close();
    await receiver.close();
  });
  const tokens = stack.tokens;
  if (tokens === undefined) throw new Error('no demo');
  const password = tokens.logins.find((entry) => entry.login === 'admin')?.password ?? '';
  const signedIn = await api(stack, 'POST', '/api/v1/auth/login', undefined, { login: 'admin', password });
  t.equal(signedIn.status, 200);
  const session = String(signedIn.body['token']);
  t.equal((await api(stack, 'POST', '/api/v1/webhooks', session, { url: receiver.url, events: ['call.registered'], secret: testSecret })).status, 201);
  await registerCall(stack);
  await waitFor('the first delivery', () => receiver.acknowledged().length === 1);
  t.equal((await api(stack, 'POST', '/api/v1/admin/users/admin/disable', tokens.admin)).status, 200);
  await registerCall(stack);
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.equal(receiver.received.length, 1, 'nothing is delivered for a disabled user');
  t.equal((await api(stack, 'POST', '/api/v1/admin/users/admin/enable', tokens.admin)).status, 200);
  await waitFor('the held-back delivery after enabling', () => receiver.acknowledged().length === 2);
  t.pass('resumed from where it stopped');
});

t.test('a subscription of a disabled token does not start after a restart', async (t) => {
  const receiver = new Receiver();
  await receiver.listen();
  const dir = tempDir(t);
  const first = await openStack(dir);
  const issued = await first.gateway.tokens.issue('partner', { kind: 'region' }, 'to be disabled', first.clock.now());
  t.equal((await api(first, 'POST', '/api/v1/webhooks', issued.token, { url: receiver.url, events: ['call.registered'], secret: testSecret })).status, 201);
  await first.gateway.tokens.disable(issued.principal.id);
  await first.close();
  const second = await openStack(dir);
  t.teardown(async () => {
    await second.close();
    await receiver.close();
  });
  await registerCall(second);
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.equal(receiver.received.length, 0, 'the disabled token’s subscription stays stopped');
});
