/**
 * The zero-double-booking guarantee through the FHIR facade: 50 clients `$book` the same proposed appointment
 * at once, each for a different patient. The slot's doctor actor decides them one at a time, so exactly one
 * gets 201 and 49 get 409 with an OperationOutcome — every reply valid FHIR — and the engine holds exactly one
 * appointment on that slot.
 */
import t from 'tap';
import { startTestServer } from '../test-server.ts';
import { fhirCall, parameters } from './testing/fhir-client.ts';

type Json = Record<string, unknown>;

export const racersCount = 50;

t.test(`${racersCount} concurrent $book of one slot: one 201, ${racersCount - 1} × 409`, async (tap) => {
  const server = await startTestServer();
  tap.teardown(() => server.stop());
  const find = await fhirCall(server.base, 'POST', '/fhir/R4/Appointment/$find', { token: server.tokens.partner, body: parameters({ name: 'practitioner', valueReference: { reference: 'Practitioner/gp2-d1' } }, { name: '_count', valueInteger: 1 }) });
  const proposal = ((find.body['entry'] as Json[])[0] as Json)['resource'] as Json;
  const slotId = String((((proposal['slot'] as Json[])[0] as Json)['reference'])).slice('Slot/'.length);
  // Partners and the clinic's operator race, each token its own holder: nobody holds the slot beforehand.
  const tokens = [server.tokens.partner, server.tokens.admin, server.tokens.operators['gp2'] as string];
  const replies = await Promise.all(Array.from({ length: racersCount }, (_, n) => fhirCall(server.base, 'POST', '/fhir/R4/Appointment/$book', {
    token: tokens[n % tokens.length] as string,
    body: parameters(
      { name: 'appointment-reference', valueReference: { reference: `Appointment/${String(proposal['id'])}` } },
      { name: 'patient-resource', resource: { resourceType: 'Patient', name: [{ family: 'Гонкина', given: [`Вера${n}`] }], gender: 'female', birthDate: '1990-01-01', telecom: [{ system: 'phone', value: `+7915000${String(1000 + n)}` }] } },
    ),
  })));
  const statuses = replies.map((reply) => reply.status);
  tap.equal(statuses.filter((status) => status === 201).length, 1, 'exactly one booking');
  tap.equal(statuses.filter((status) => status === 409).length, racersCount - 1, 'every other racer is told 409');
  tap.ok(replies.every((reply) => reply.schema.valid), `every reply is valid FHIR: ${replies.flatMap((reply) => reply.schema.errors).slice(0, 3).join('; ')}`);
  tap.ok(replies.filter((reply) => reply.status === 409).every((reply) => reply.body['resourceType'] === 'OperationOutcome' && ((reply.body['issue'] as Json[])[0] as Json)['code'] === 'conflict'), '409s are conflict OperationOutcomes');
  const doctor = server.host.read.doctor('gp2-d1');
  const onSlot = [...(doctor?.appointments.byId.values() ?? [])].filter((appointment) => appointment.slotId === slotId);
  tap.equal(onSlot.length, 1, 'the engine holds one appointment on the slot');
  tap.equal(doctor?.calendar.slot(slotId)?.appointmentId, onSlot[0]?.id, 'and the slot points at it');
});
