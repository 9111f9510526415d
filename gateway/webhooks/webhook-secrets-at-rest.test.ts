/**
 * Webhook secrets at rest (docs/security.md): with WEBHOOK_SECRETS_KEY the secret is not in the data files,
 * deliveries still sign with it after a restart, and the store refuses to open without the key or with another
 * one (a server that cannot sign must not start delivering). Without a key the secret is kept as given.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, SequenceIdSource } from '../../engine/index.ts';
import { mondayNineMs, sampleCall } from '../../engine/test-harness.ts';
import { EngineHost } from '../../persistence/engine-host.ts';
import { WebhookStore } from './webhook-store.ts';
import { isSealed, openSecret, parseSecretsKey, sealSecret } from './webhook-secret-box.ts';
import { api, openStack, Receiver, submitOk, tempDir, waitFor } from './webhook-test-support.ts';

t.test('seal and open: round trip, another key fails, the key setting is parsed strictly', async (t) => {
  const key = randomBytes(32);
  const sealed = sealSecret('partner-secret-123456', key);
  t.ok(isSealed(sealed));
  t.notMatch(sealed, /partner-secret/);
  t.equal(openSecret(sealed, key), 'partner-secret-123456');
  t.throws(() => openSecret(sealed, randomBytes(32)), /not the one/);
  t.throws(() => openSecret(sealed, undefined), /set WEBHOOK_SECRETS_KEY/);
  t.equal(openSecret('plain-secret-0123456', undefined), 'plain-secret-0123456', 'a clear secret stays readable');
  t.same(parseSecretsKey(key.toString('hex')), key);
  t.same(parseSecretsKey(key.toString('base64')), key);
  t.equal(parseSecretsKey('too-short'), undefined);
});

t.test('with a key the secret is in no data file, and deliveries sign with it across a restart', async (t) => {
  const dir = tempDir(t);
  const key = randomBytes(32);
  const secret = `secret-${randomBytes(12).toString('hex')}`;
  const receiver = new Receiver(secret);
  await receiver.listen();
  t.teardown(() => receiver.close());
  const security = { webhookAllowHosts: ['127.0.0.1'], webhookSecretsKey: key };
  const first = await openStack(dir, security);
  const partner = first.tokens?.partner ?? '';
  t.equal((await api(first, 'POST', '/api/v1/webhooks', partner, { url: receiver.url, events: ['call.registered'], secret })).status, 201);
  await submitOk(first.host, { type: 'RegisterCall', call: sampleCall() });
  await waitFor('the first delivery', () => receiver.acknowledged().length === 1);
  await first.close();
  // Every file, the segment log's in log/ included.
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    t.notOk(readFileSync(path).includes(Buffer.from(secret)), `the secret is not in ${path.slice(dir.length + 1)}`);
  }

  const second = await openStack(dir, security);
  await submitOk(second.host, { type: 'RegisterCall', call: sampleCall() });
  await waitFor('a delivery after the restart', () => receiver.acknowledged().length === 2);
  t.ok(receiver.received.every((delivery) => delivery.signatureValid), 'signed with the partner’s secret');
  await second.close();

  const host = await EngineHost.open({ dataDir: dir, clock: new ManualClock(mondayNineMs), ids: new SequenceIdSource('k') });
  t.teardown(() => host.close({ snapshot: false }));
  t.throws(() => new WebhookStore(host.environment, mondayNineMs), /set WEBHOOK_SECRETS_KEY/, 'no key: refused');
  t.throws(() => new WebhookStore(host.environment, mondayNineMs, randomBytes(32)), /not the one/, 'another key: refused');
  t.equal(new WebhookStore(host.environment, mondayNineMs, key).all()[0]?.secret, secret, 'the key opens it');
});
