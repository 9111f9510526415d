/**
 * FHIR conformance: the whole scheduling flow through a real server started the product's way (the gateway
 * with its extensions, LMDB on a temporary data directory, the demo region), every response checked against
 * the FHIR R4 JSON schema for its resource type. Discovery → directory → slots (paging, prefixes) → $find →
 * $hold → $book → search → cancel three ways; errors as OperationOutcome with the matching status.
 */
import t, { type Test } from 'tap';
import { startTestServer, type TestServer } from '../test-server.ts';
import { fhirCall, parameters, type FhirResponse } from './testing/fhir-client.ts';
import { checkFhirResource } from './testing/fhir-schema-validator.ts';
import { resourceCatalog } from './fhir-catalog.ts';

type Json = Record<string, unknown>;

let server: TestServer;
t.before(async () => {
  server = await startTestServer();
});
t.teardown(async () => server.stop());

const patientResource = (n: number): Json => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:clinic-dispatch:identifier:policy', value: String(7700000000000000 + n) }],
  name: [{ family: 'Фхирова', given: [`Мария${n}`, 'Ивановна'] }],
  gender: 'female',
  birthDate: '1979-05-06',
  telecom: [{ system: 'phone', value: `+7912555${String(1000 + n).slice(-4)}` }],
});

/** A request whose reply must be valid FHIR of the expected type and status. */
async function fhir(tap: Test, method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, expect: { status: number; resourceType: string }, options: { token?: string | undefined; body?: unknown; contentType?: string; accept?: string } = {}): Promise<FhirResponse> {
  const { token, ...rest } = options;
  const response = await fhirCall(server.base, method, path, { ...rest, ...(token === undefined ? {} : { token }) });
  tap.equal(response.status, expect.status, `${method} ${path} → ${expect.status} (${JSON.stringify(response.body).slice(0, 300)})`);
  tap.match(response.contentType, /^application\/fhir\+json/, `${method} ${path} answers application/fhir+json`);
  tap.equal(response.body['resourceType'], expect.resourceType, `${method} ${path} is a ${expect.resourceType}`);
  tap.ok(response.schema.valid, `${method} ${path} is valid FHIR R4: ${response.schema.errors.join('; ')}`);
  return response;
}

const entries = (bundle: Json, mode = 'match'): Json[] => ((bundle['entry'] as Json[] | undefined) ?? []).filter((entry) => (entry['search'] as Json)['mode'] === mode).map((entry) => entry['resource'] as Json);

t.test('the schema check itself rejects what is not FHIR', async (tap) => {
  tap.notOk(checkFhirResource({ resourceType: 'Slot', status: 'free' }).valid, 'a Slot without schedule, start and end');
  tap.notOk(checkFhirResource({ resourceType: 'Slot', status: 'held', schedule: { reference: 'Schedule/x' }, start: '2026-01-01T10:00:00+03:00', end: '2026-01-01T10:15:00+03:00' }).valid, 'a status outside the value set');
  tap.notOk(checkFhirResource({ resourceType: 'Appointment', status: 'booked', participant: [{ actor: { reference: 'Patient/1' } }], extra: 1 }).valid, 'an unknown field');
  tap.notOk(checkFhirResource({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Slot' } }] }).valid, 'a Bundle with an invalid entry');
  tap.ok(checkFhirResource({ resourceType: 'Slot', status: 'free', schedule: { reference: 'Schedule/x' }, start: '2026-01-01T10:00:00+03:00', end: '2026-01-01T10:15:00+03:00' }).valid, 'a minimal valid Slot');
});

t.test('metadata: a CapabilityStatement listing exactly what is served', async (tap) => {
  const statement = (await fhir(tap, 'GET', '/fhir/R4/metadata', { status: 200, resourceType: 'CapabilityStatement' })).body;
  tap.equal(statement['fhirVersion'], '4.0.1');
  const rest = (statement['rest'] as Json[])[0] as Json;
  const resources = rest['resource'] as Json[];
  tap.same(resources.map((r) => r['type']), ['Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Schedule', 'Slot', 'Appointment', 'Patient']);
  const slot = resources.find((r) => r['type'] === 'Slot') as Json;
  tap.same((slot['searchParam'] as Json[]).map((p) => p['name']), ['_id', 'schedule', 'start', 'status']);
  const appointment = resources.find((r) => r['type'] === 'Appointment') as Json;
  tap.same((appointment['operation'] as Json[]).map((o) => o['name']), ['find', 'hold', 'book', 'cancel']);
  tap.same((appointment['searchParam'] as Json[]).map((p) => p['name']), ['_id', 'patient', 'practitioner', 'date', 'status']);
  // Every declared search parameter is accepted by its search, and an undeclared one is refused.
  for (const spec of resourceCatalog) {
    for (const param of spec.searchParams) {
      const value = param.type === 'date' ? 'ge2020-01-01' : param.type === 'reference' ? `${param.name === 'patient' ? 'Patient' : param.name === 'schedule' ? 'Schedule' : param.name === 'organization' ? 'Organization' : 'Practitioner'}/x` : 'x';
      const response = await fhirCall(server.base, 'GET', `/fhir/R4/${spec.type}?${param.name}=${encodeURIComponent(value)}`, { token: server.tokens.admin });
      tap.not(response.status === 400 && JSON.stringify(response.body).includes('not supported here'), true, `${spec.type}?${param.name} is served`);
    }
    const refused = await fhirCall(server.base, 'GET', `/fhir/R4/${spec.type}?undeclared=1`, { token: server.tokens.admin });
    tap.equal(refused.status, 400, `${spec.type}?undeclared is refused`);
  }
});

t.test('the directory: practitioners, roles, organizations, locations, schedules', async (tap) => {
  const partner = server.tokens.partner;
  const practitioners = (await fhir(tap, 'GET', '/fhir/R4/Practitioner', { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.equal(practitioners['type'], 'searchset');
  tap.equal(practitioners['total'], 12, 'three clinics of four doctors');
  await fhir(tap, 'GET', '/fhir/R4/Practitioner/gp1-d1', { status: 200, resourceType: 'Practitioner' }, { token: partner });
  const role = (await fhir(tap, 'GET', '/fhir/R4/PractitionerRole/gp1-d2', { status: 200, resourceType: 'PractitionerRole' }, { token: partner })).body;
  tap.same(role['organization'], { reference: 'Organization/gp1' });
  const pediatricians = (await fhir(tap, 'GET', '/fhir/R4/PractitionerRole?specialty=pediatrician&organization=Organization/gp2', { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.ok(entries(pediatricians).length > 0 && entries(pediatricians).every((r) => (r['organization'] as Json)['reference'] === 'Organization/gp2'), 'roles filter by specialty and clinic');
  await fhir(tap, 'GET', '/fhir/R4/Organization/gp1', { status: 200, resourceType: 'Organization' }, { token: partner });
  const locations = (await fhir(tap, 'GET', '/fhir/R4/Location?organization=gp1', { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  const cabinet = entries(locations).find((r) => r['id'] !== 'gp1') as Json;
  tap.ok(cabinet, 'the clinic\'s cabinets are Locations too');
  tap.same(cabinet['partOf'], { reference: 'Location/gp1' });
  await fhir(tap, 'GET', `/fhir/R4/Location/${String(cabinet['id'])}`, { status: 200, resourceType: 'Location' }, { token: partner });
  await fhir(tap, 'GET', '/fhir/R4/Location/gp1', { status: 200, resourceType: 'Location' }, { token: partner });
  const schedules = (await fhir(tap, 'GET', '/fhir/R4/Schedule?actor=Practitioner/gp3-d4', { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.same(entries(schedules).map((r) => r['id']), ['gp3-d4']);
  await fhir(tap, 'GET', '/fhir/R4/Schedule/gp3-d4', { status: 200, resourceType: 'Schedule' }, { token: partner });
  const operatorView = (await fhir(tap, 'GET', '/fhir/R4/Practitioner', { status: 200, resourceType: 'Bundle' }, { token: server.tokens.operators['gp2'] })).body;
  tap.equal(operatorView['total'], 4, 'a clinic operator sees only its clinic\'s doctors');
  await fhir(tap, 'GET', '/fhir/R4/Schedule/gp1-d1', { status: 403, resourceType: 'OperationOutcome' }, { token: server.tokens.operators['gp2'] });
  await fhir(tap, 'GET', '/fhir/R4/Schedule/gp1-d2', { status: 403, resourceType: 'OperationOutcome' }, { token: server.tokens.doctors['gp1-d1'] });
  await fhir(tap, 'GET', '/fhir/R4/Practitioner/nobody', { status: 404, resourceType: 'OperationOutcome' }, { token: partner });
});

t.test('slots: schedule, start prefixes, status, paging with next links', async (tap) => {
  const partner = server.tokens.partner;
  const first = (await fhir(tap, 'GET', '/fhir/R4/Slot?schedule=Schedule/gp1-d1&status=free&_count=5', { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  const total = first['total'] as number;
  tap.ok(total > 5, 'more free slots than one page');
  tap.equal(entries(first).length, 5);
  const next = (first['link'] as Json[]).find((link) => link['relation'] === 'next') as Json;
  tap.ok(next, 'a next link');
  const second = (await fhir(tap, 'GET', String(next['url']), { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.equal(second['total'], total, 'the same total on every page');
  const ids = new Set([...entries(first), ...entries(second)].map((r) => r['id']));
  tap.equal(ids.size, 10, 'the second page continues the first');
  const starts = [...entries(first), ...entries(second)].map((r) => Date.parse(String(r['start'])));
  tap.same(starts, [...starts].sort((a, b) => a - b), 'by start time');
  const day = String((entries(first)[0] as Json)['start']).slice(0, 10);
  const ofDay = (await fhir(tap, 'GET', `/fhir/R4/Slot?schedule=gp1-d1&start=ge${day}&start=le${day}&_count=500`, { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.ok(entries(ofDay).length > 0 && entries(ofDay).every((r) => String(r['start']).startsWith(day)), 'ge/le dates pick the local day');
  const firstStart = String((entries(first)[0] as Json)['start']);
  const after = (await fhir(tap, 'GET', `/fhir/R4/Slot?schedule=gp1-d1&start=${encodeURIComponent(`gt${firstStart}`)}&_count=1`, { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.ok(Date.parse(String((entries(after)[0] as Json)['start'])) > Date.parse(firstStart), 'gt with an offset compares instants');
  await fhir(tap, 'GET', '/fhir/R4/Slot?start=yesterday', { status: 400, resourceType: 'OperationOutcome' }, { token: partner });
  await fhir(tap, 'GET', '/fhir/R4/Slot?status=held', { status: 400, resourceType: 'OperationOutcome' }, { token: partner });
  await fhir(tap, 'GET', `/fhir/R4/Slot/${String((entries(first)[0] as Json)['id'])}`, { status: 200, resourceType: 'Slot' }, { token: partner });
  await fhir(tap, 'GET', `/fhir/R4/Slot/${String((entries(first)[0] as Json)['id'])}`, { status: 403, resourceType: 'OperationOutcome' }, { token: server.tokens.operators['gp3'] });
});

t.test('$find → $hold → $book → search → cancel, through the same holds and bookings', async (tap) => {
  const partner = server.tokens.partner;
  const operator = server.tokens.operators['gp1'];
  const found = (await fhir(tap, 'POST', '/fhir/R4/Appointment/$find', { status: 200, resourceType: 'Bundle' }, {
    token: partner,
    body: parameters({ name: 'specialty', valueCoding: { system: 'urn:clinic-dispatch:specialty', code: 'therapist' } }, { name: 'location', valueReference: { reference: 'Location/gp1' } }, { name: '_count', valueInteger: 3 }),
  })).body;
  const proposals = entries(found);
  tap.equal(proposals.length, 3, '_count proposals');
  tap.ok(proposals.every((a) => a['status'] === 'proposed'), 'all proposed');
  tap.equal(entries(found, 'include').length, 3, 'each with its slot');
  const [one, two, three] = proposals as [Json, Json, Json];
  const slotOf = (appointment: Json): string => String(((appointment['slot'] as Json[])[0] as Json)['reference']);
  await fhir(tap, 'GET', `/fhir/R4/Appointment/${String(one['id'])}`, { status: 200, resourceType: 'Appointment' }, { token: operator });
  const getFind = (await fhir(tap, 'GET', '/fhir/R4/Appointment/$find?practitioner=Practitioner/gp1-d1&_count=1', { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.equal(entries(getFind).length, 1, '$find by GET as well');

  const held = (await fhir(tap, 'POST', '/fhir/R4/Appointment/$hold', { status: 200, resourceType: 'Appointment' }, { token: partner, body: parameters({ name: 'appointment-reference', valueReference: { reference: `Appointment/${String(one['id'])}` } }) })).body;
  tap.equal(held['status'], 'pending');
  tap.ok((held['extension'] as Json[])[0]?.['valueInstant'], 'the hold\'s deadline');
  const heldSlot = (await fhir(tap, 'GET', `/fhir/R4/${slotOf(one)}`, { status: 200, resourceType: 'Slot' }, { token: operator })).body;
  tap.equal(heldSlot['status'], 'busy-tentative', 'held: busy-tentative for everyone');
  await fhir(tap, 'GET', `/fhir/R4/Appointment/${String(one['id'])}`, { status: 404, resourceType: 'OperationOutcome' }, { token: operator });
  const pendingToHolder = (await fhir(tap, 'GET', `/fhir/R4/Appointment/${String(one['id'])}`, { status: 200, resourceType: 'Appointment' }, { token: partner })).body;
  tap.equal(pendingToHolder['status'], 'pending', 'the holder still resolves it, as pending');
  await fhir(tap, 'POST', '/fhir/R4/Appointment/$book', { status: 409, resourceType: 'OperationOutcome' }, {
    token: operator,
    body: parameters({ name: 'appointment-reference', valueReference: { reference: `Appointment/${String(one['id'])}` } }, { name: 'patient-resource', resource: patientResource(1) }),
  });

  const booked = await fhir(tap, 'POST', '/fhir/R4/Appointment/$book', { status: 201, resourceType: 'Appointment' }, {
    token: partner,
    body: parameters({ name: 'appointment-reference', valueReference: { reference: `Appointment/${String(one['id'])}` } }, { name: 'patient-resource', resource: patientResource(1) }),
  });
  const appointment = booked.body;
  tap.equal(appointment['status'], 'booked');
  tap.equal(booked.headers['location'], `/fhir/R4/Appointment/${String(appointment['id'])}`);
  tap.equal(((await fhir(tap, 'GET', `/fhir/R4/${slotOf(one)}`, { status: 200, resourceType: 'Slot' }, { token: partner })).body)['status'], 'busy');
  await fhir(tap, 'GET', `/fhir/R4/Appointment/${String(one['id'])}`, { status: 404, resourceType: 'OperationOutcome' }, { token: partner });
  await fhir(tap, 'POST', '/fhir/R4/Appointment/$book', { status: 409, resourceType: 'OperationOutcome' }, {
    token: partner,
    body: parameters({ name: 'appointment-reference', valueReference: { reference: `Appointment/${String(one['id'])}` } }, { name: 'patient-resource', resource: patientResource(2) }),
  });
  // The same booking through the partner API's own view: one engine, one truth.
  const native = await fetch(`${server.base}/api/v1/appointments/${String(appointment['id'])}`, { headers: { authorization: `Bearer ${partner}` } });
  tap.equal(((await native.json()) as Json)['status'], 'booked', 'the partner API sees the FHIR booking');

  const patientRef = String((((appointment['participant'] as Json[])[0] as Json)['actor'] as Json)['reference']);
  const patients = (await fhir(tap, 'GET', '/fhir/R4/Patient?identifier=urn:clinic-dispatch:identifier:policy|7700000000000001', { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.equal(`Patient/${String((entries(patients)[0] as Json)['id'])}`, patientRef, 'the patient by policy number');
  const byPhone = (await fhir(tap, 'GET', `/fhir/R4/Patient?telecom=${encodeURIComponent('8 (912) 555-1001')}`, { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.equal(byPhone['total'], 1, 'and by phone in another notation');
  await fhir(tap, 'GET', `/fhir/R4/${patientRef}`, { status: 200, resourceType: 'Patient' }, { token: partner });
  await fhir(tap, 'GET', `/fhir/R4/${patientRef}`, { status: 403, resourceType: 'OperationOutcome' }, { token: operator });
  const ofPatient = (await fhir(tap, 'GET', `/fhir/R4/Appointment?patient=${patientRef}`, { status: 200, resourceType: 'Bundle' }, { token: partner })).body;
  tap.same(entries(ofPatient).map((a) => a['id']), [appointment['id']]);
  const day = String(appointment['start']).slice(0, 10);
  const ofDoctor = (await fhir(tap, 'GET', `/fhir/R4/Appointment?practitioner=Practitioner/${String(appointment['id']).split('.')[0] as string}&date=${day}&status=booked`, { status: 200, resourceType: 'Bundle' }, { token: operator })).body;
  tap.ok(entries(ofDoctor).some((a) => a['id'] === appointment['id']), 'by practitioner, date and status');

  const cancelled = (await fhir(tap, 'PATCH', `/fhir/R4/Appointment/${String(appointment['id'])}`, { status: 200, resourceType: 'Appointment' }, { token: partner, contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/status', value: 'cancelled' }] })).body;
  tap.equal(cancelled['status'], 'cancelled', 'PATCH status cancels');
  tap.equal(((await fhir(tap, 'GET', `/fhir/R4/${slotOf(one)}`, { status: 200, resourceType: 'Slot' }, { token: partner })).body)['status'], 'free', 'and frees the slot');
  await fhir(tap, 'GET', `/fhir/R4/Appointment/${String(one['id'])}`, { status: 200, resourceType: 'Appointment' }, { token: partner });
  await fhir(tap, 'PATCH', `/fhir/R4/Appointment/${String(appointment['id'])}`, { status: 409, resourceType: 'OperationOutcome' }, { token: partner, contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/status', value: 'cancelled' }] });

  const second = (await fhir(tap, 'POST', '/fhir/R4/Appointment/$book', { status: 201, resourceType: 'Appointment' }, {
    token: partner,
    body: parameters({ name: 'appointment-resource', resource: { resourceType: 'Appointment', status: 'proposed', slot: [{ reference: slotOf(two) }], participant: [{ actor: { reference: 'Practitioner/gp1-d1' }, status: 'needs-action' }] } }, { name: 'patient-reference', valueReference: { reference: patientRef } }),
  })).body;
  tap.equal(`Patient/${String((((second['participant'] as Json[])[0] as Json)['actor'] as Json)['reference']).split('/')[1] as string}`, patientRef, 'booked for the referenced patient');
  const viaCancel = (await fhir(tap, 'POST', `/fhir/R4/Appointment/${String(second['id'])}/$cancel`, { status: 200, resourceType: 'Appointment' }, { token: partner, body: parameters({ name: 'reason', valueString: 'patient called' }) })).body;
  tap.equal(viaCancel['status'], 'cancelled', '$cancel cancels');
  tap.same(viaCancel['cancelationReason'], { text: 'patient called' });

  const third = (await fhir(tap, 'POST', '/fhir/R4/Appointment/$book', { status: 201, resourceType: 'Appointment' }, {
    token: operator,
    body: parameters({ name: 'appointment-reference', valueReference: { reference: `Appointment/${String(three['id'])}` } }, { name: 'patient-resource', resource: patientResource(3) }),
  })).body;
  await fhir(tap, 'PUT', `/fhir/R4/Appointment/${String(third['id'])}`, { status: 422, resourceType: 'OperationOutcome' }, { token: operator, body: { ...third, status: 'fulfilled' } });
  const viaPut = (await fhir(tap, 'PUT', `/fhir/R4/Appointment/${String(third['id'])}`, { status: 200, resourceType: 'Appointment' }, { token: operator, body: { ...third, status: 'cancelled' } })).body;
  tap.equal(viaPut['status'], 'cancelled', 'PUT status cancelled cancels');

  const reheld = (await fhir(tap, 'POST', '/fhir/R4/Appointment/$hold', { status: 200, resourceType: 'Appointment' }, { token: partner, body: parameters({ name: 'appointment-reference', valueReference: { reference: `Appointment/${String(two['id'])}` } }) })).body;
  const released = (await fhir(tap, 'POST', `/fhir/R4/Appointment/${String(reheld['id'])}/$cancel`, { status: 200, resourceType: 'Appointment' }, { token: partner })).body;
  tap.equal(released['status'], 'cancelled', 'cancelling a pending appointment releases the hold');
  tap.equal(((await fhir(tap, 'GET', `/fhir/R4/${slotOf(two)}`, { status: 200, resourceType: 'Slot' }, { token: operator })).body)['status'], 'free');
});

t.test('errors are OperationOutcomes with the matching status', async (tap) => {
  const partner = server.tokens.partner;
  await fhir(tap, 'GET', '/fhir/R4/Slot', { status: 401, resourceType: 'OperationOutcome' });
  await fhir(tap, 'GET', '/fhir/R4/Slot', { status: 401, resourceType: 'OperationOutcome' }, { token: 'not-a-token' });
  await fhir(tap, 'GET', '/fhir/R4/Slot?_format=xml', { status: 406, resourceType: 'OperationOutcome' }, { token: partner });
  await fhir(tap, 'GET', '/fhir/R4/Slot?_format=json&_count=1', { status: 200, resourceType: 'Bundle' }, { token: partner, accept: 'application/fhir+xml' });
  await fhir(tap, 'GET', '/fhir/R4/Slot', { status: 406, resourceType: 'OperationOutcome' }, { token: partner, accept: 'application/fhir+xml' });
  await fhir(tap, 'GET', '/fhir/R4/Encounter', { status: 404, resourceType: 'OperationOutcome' }, { token: partner });
  await fhir(tap, 'POST', '/fhir/R4/Appointment/$book', { status: 400, resourceType: 'OperationOutcome' }, { token: partner, body: { resourceType: 'Appointment' } });
  await fhir(tap, 'POST', '/fhir/R4/Appointment/$book', { status: 400, resourceType: 'OperationOutcome' }, { token: partner, body: parameters({ name: 'slot', valueString: 'x' }) });
  await fhir(tap, 'POST', '/fhir/R4/Appointment/$hold', { status: 404, resourceType: 'OperationOutcome' }, { token: partner, body: parameters({ name: 'appointment-reference', valueReference: { reference: 'Appointment/proposed-gp1-d1.20000101.0800' } }) });
  const noPhone = patientResource(9);
  delete noPhone['telecom'];
  const proposal = entries((await fhir(tap, 'POST', '/fhir/R4/Appointment/$find', { status: 200, resourceType: 'Bundle' }, { token: partner, body: parameters({ name: '_count', valueInteger: 1 }) })).body)[0] as Json;
  await fhir(tap, 'POST', '/fhir/R4/Appointment/$book', { status: 400, resourceType: 'OperationOutcome' }, { token: partner, body: parameters({ name: 'appointment-reference', valueReference: { reference: `Appointment/${String(proposal['id'])}` } }, { name: 'patient-resource', resource: noPhone }) });
  const raw = await fetch(`${server.base}/fhir/R4/Appointment/$find`, { method: 'POST', headers: { authorization: `Bearer ${partner}`, 'content-type': 'application/fhir+json' }, body: '{not json' });
  tap.equal(raw.status, 400, 'malformed JSON is a 400');
  tap.ok(checkFhirResource(await raw.json()).valid, 'as an OperationOutcome');
  const openapi = (await (await fetch(`${server.base}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
  tap.notOk(Object.keys(openapi.paths).some((path) => path.startsWith('/fhir')), 'the partner OpenAPI document leaves FHIR to its CapabilityStatement');
});
