/**
 * Hostile input: thousands of generated malformed, oversized, wrongly typed and injection-laden requests.
 * Every one must be answered 4xx, the state hash and the log position must not move, and the server must
 * serve a valid request afterwards.
 */
import t from 'tap';
import fc from 'fast-check';
import { call, encodeMsgpack, startTestServer, type TestServer } from './test-server.ts';

const injections = [
  "' OR 1=1 --", '"; DROP TABLE home_call; --', '<script>alert(1)</script>', '../../../../etc/passwd', '%00', '\u0000\u0001\u0002',
  '${7*7}', '{{7*7}}', '__proto__', 'constructor', '\u202e', 'a'.repeat(10_000), '\ud800', '🙂'.repeat(500), 'null', 'NaN',
];

function validIntake(): Record<string, unknown> {
  return {
    source: 'portal',
    kind: 'primary',
    patient: { surname: 'Ханов', name: 'Хан', birthDate: '1980-01-01', sex: 'M' },
    address: { text: 'ул. Свободы', house: '1' },
    complaints: { text: 'x' },
  };
}

/** A valid intake with one field broken: a wrong type, an out-of-range value, an unknown field or a missing one. */
const brokenIntake = fc
  .tuple(
    fc.constantFrom('source', 'kind', 'patient.surname', 'patient.birthDate', 'patient.sex', 'patient.policy', 'patient.phone', 'address.text', 'address.floor', 'address.lat', 'complaints.text', 'complaints.tags', 'clinicId', 'caller'),
    fc.oneof(
      fc.constantFrom<unknown>(null, 42, -1, 1e308, true, [], {}, '', ...injections),
      fc.object({ maxDepth: 2 }),
      fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
    ),
    fc.constantFrom('replace', 'unknown-field', 'delete'),
  )
  .map(([path, value, how]) => {
    const body = validIntake() as Record<string, unknown>;
    const keys = path.split('.');
    let target = body;
    for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
    const last = keys[keys.length - 1] as string;
    if (how === 'delete' && ['source', 'kind', 'patient.surname', 'patient.birthDate', 'patient.sex', 'address.text', 'complaints.text'].includes(path)) delete target[last];
    else if (how === 'unknown-field') target[`x_${last}`] = value;
    else target[last] = replaceInvalid(path, value);
    return body;
  });

/** Values that would be valid for a field are swapped for one that is not. */
function replaceInvalid(path: string, value: unknown): unknown {
  if (path === 'patient.phone' || path === 'patient.policy') return typeof value === 'string' ? `${value}#!` : value;
  if (path === 'clinicId') return typeof value === 'string' ? `${value} /` : value;
  if (path === 'caller' && typeof value === 'object' && value !== null && !Array.isArray(value)) return { ...value, type: 42 };
  if (path === 'address.floor' || path === 'address.lat') return typeof value === 'number' && Math.abs(value) <= 90 ? 1e9 : value;
  if (path === 'complaints.tags') return Array.isArray(value) ? [...value, 'not-a-tag'] : value;
  // Any non-empty string short enough is a legitimate text (a complaint may well say "<script>"): use a number.
  if (path === 'address.text' || path === 'complaints.text' || path === 'patient.surname') return typeof value === 'string' && value.length <= 2000 && value.trim() !== '' ? 42 : value;
  return value;
}

const garbageBody = fc.oneof(
  fc.string({ maxLength: 200 }).map((s) => ({ raw: s, contentType: 'application/json' })),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ raw: Buffer.from(bytes), contentType: 'application/msgpack' })),
  fc.anything({ maxDepth: 3 }).map((value) => ({ raw: encodeMsgpack(value), contentType: 'application/msgpack' })),
  fc.constant({ raw: '['.repeat(5000) + ']'.repeat(5000), contentType: 'application/json' }),
  fc.constant({ raw: JSON.stringify(nested(20)), contentType: 'application/json' }),
  fc.constant({ raw: 'x'.repeat(400_000), contentType: 'application/json' }),
  fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data').map((contentType) => ({ raw: '<a/>', contentType })),
);

function nested(depth: number): unknown {
  return depth === 0 ? 1 : { a: nested(depth - 1) };
}

function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

const hostilePath = fc.oneof(
  fc.constantFrom('%', '%E0%A4%A', '%zz', '%00', '..%2F..%2F').map((id) => `/api/v1/calls/gp1.${id}/accept`),
  fc.constantFrom(...injections).map((id) => `/api/v1/calls/${encode(id)}/accept`),
  fc.string({ maxLength: 40 }).map((id) => `/api/v1/calls/gp9.${encode(id)}/cancel`),
  fc.constantFrom(...injections).map((id) => `/api/v1/clinics/${encode(id)}/board`),
);

let server: TestServer;
t.before(async () => {
  server = await startTestServer();
});
t.teardown(() => server.stop());

t.test('thousands of hostile requests: each 4xx, no state change, server alive', async (t) => {
  const { base, tokens, host } = server;
  const operator = tokens.operators['gp1'] as string;
  await host.whenDurable();
  const hashBefore = host.stateHash();
  const positionBefore = host.durablePosition;
  const statuses = new Map<number, number>();
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const bad: string[] = [];
  const check = (status: number, what: string) => {
    count(status);
    if (status < 400 || status >= 500) bad.push(`${status} for ${what.slice(0, 200)}`);
  };
  for (const body of fc.sample(brokenIntake, 1500)) {
    const response = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body });
    check(response.status, JSON.stringify(body));
  }
  for (const { raw, contentType } of fc.sample(garbageBody, 800)) {
    const response = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, raw, contentType });
    check(response.status, `${contentType} ${String(raw).slice(0, 80)}`);
  }
  for (const path of fc.sample(hostilePath, 500)) {
    const response = await call(base, path.endsWith('/board') ? 'GET' : 'POST', path, { token: operator, body: { reason: 'x' } });
    check(response.status, path);
  }
  for (const token of fc.sample(fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...injections)), 300)) {
    const response = await call(base, 'GET', '/api/v1/clinics', { token: token.replace(/[^\x20-\x7e]/g, '?') });
    check(response.status, `token ${token}`);
  }
  for (const key of ['a b', 'a'.repeat(201)]) {
    if (key === '') continue;
    const response = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: validIntake(), idempotencyKey: key });
    check(response.status, `idempotency key ${key.slice(0, 20)}`);
  }
  t.same(bad, [], 'every hostile request got a 4xx');
  t.ok([...statuses.values()].reduce((a, b) => a + b, 0) >= 3000, `${[...statuses.values()].reduce((a, b) => a + b, 0)} requests: ${JSON.stringify(Object.fromEntries(statuses))}`);
  await host.whenDurable();
  t.equal(host.durablePosition, positionBefore, 'nothing was written to the log');
  t.equal(host.stateHash(), hashBefore, 'the state hash is unchanged');
  const valid = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: { ...validIntake(), patient: { surname: 'Живой', name: 'Сервер', birthDate: '1990-01-01', sex: 'F' } } });
  t.equal(valid.status, 201, 'the server still serves');
});
