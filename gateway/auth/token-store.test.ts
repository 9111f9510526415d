// The token store: a token works once issued, a wrong secret never does (also after the right one was seen,
// when the check no longer hashes), disabling works at once and survives a restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LmdbEnvironment } from '../../persistence/lmdb-environment.ts';
import { TokenStore } from './token-store.ts';

/** The same token with one character of its secret changed (same length, still well formed). */
function tampered(token: string, at: number): string {
  const index = token.length - 1 - at;
  const swapped = token[index] === 'A' ? 'B' : 'A';
  return `${token.slice(0, index)}${swapped}${token.slice(index + 1)}`;
}

t.test('verifies issued tokens, refuses wrong, malformed and disabled ones, across a restart', async (t) => {
  const path = await mkdtemp(join(tmpdir(), 'cd-tokens-'));
  t.teardown(() => rm(path, { recursive: true, force: true }));
  let environment = LmdbEnvironment.open({ path });
  let store = new TokenStore(environment);
  const operator = await store.issue('operator', { kind: 'clinics', clinicIds: ['c1'] }, 'desk 1', 1_000);
  const partner = await store.issue('partner', { kind: 'region' }, 'portal', 1_000);

  for (let index = 0; index < 3; index += 1) {
    t.same(store.verify(operator.token), operator.principal, `operator token verifies (check ${index + 1})`);
  }
  // The wrong secret is refused whether it is checked before or after the right one was seen.
  t.equal(store.verify(tampered(partner.token, 0)), undefined, 'a wrong secret before the first right check is refused');
  t.same(store.verify(partner.token), partner.principal);
  for (let at = 0; at < 43; at += 7) t.equal(store.verify(tampered(partner.token, at)), undefined, `a secret wrong at ${at} is refused after a right check`);
  t.equal(store.verify(tampered(operator.token, 42)), undefined, 'the first character of the secret counts too');
  t.equal(store.verify(`${operator.token}x`), undefined, 'a longer secret is malformed');
  t.equal(store.verify(operator.token.slice(0, -1)), undefined, 'a shorter secret is malformed');
  t.equal(store.verify(''), undefined);
  const [prefix, id, secret] = operator.token.split('_') as [string, string, string];
  t.equal(store.verify(`${prefix}_${'0'.repeat(id.length)}_${secret}`), undefined, 'an unknown id is refused');
  t.equal(store.verify(`${prefix}_${partner.principal.id}_${secret}`), undefined, 'one token\'s secret does not open another');

  t.equal(await store.disable(operator.principal.id), true);
  t.equal(store.verify(operator.token), undefined, 'a disabled token stops at once, though it was verified before');
  t.same(store.verify(partner.token), partner.principal, 'other tokens keep working');

  await environment.close();
  environment = LmdbEnvironment.open({ path });
  store = new TokenStore(environment);
  t.equal(store.size, 2);
  t.equal(store.verify(operator.token), undefined, 'still disabled after a restart');
  t.same(store.verify(partner.token), partner.principal, 'still valid after a restart');
  t.equal(store.verify(tampered(partner.token, 3)), undefined);
  await environment.close();
});
