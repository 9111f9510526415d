import t from 'tap';
import type { AddressedEvent, ReadModel } from '../../engine/index.ts';
import type { Appointment } from '../../engine/calendar/appointment.ts';
import { mondayNineMs } from '../../engine/test-harness.ts';
import { retryAfterMsOf } from './webhook-sender.ts';
import { deliveryOptionsOf, retryDelayMs } from './webhook-delivery-options.ts';
import { webhookEventNames, webhookEventOf } from './webhook-events.ts';
import { encodePayload, signatureOf, verifySignature } from './webhook-payload.ts';

/** Only the directory is read by the mapping: clinic time zones and doctor → clinic. */
const read = {
  region: () => ({
    clinics: new Map([['gp1', { timeZone: 'Europe/Moscow' }]]),
    doctors: new Map([['gp1-d1', { clinicId: 'gp1' }]]),
  }),
} as unknown as ReadModel;

const appointment: Appointment = {
  id: 'gp1-d1.a1', doctorId: 'gp1-d1', clinicId: 'gp1', slotId: 'gp1-d1.s1', date: '2026-11-23', startAt: mondayNineMs, endAt: mondayNineMs + 15 * 60_000,
  cabinet: '101', patient: { id: 'p1', name: 'Иванов И. И.', phone: '+79120000000', birthDate: '1960-05-17' }, source: 'portal', services: [],
  createdAt: mondayNineMs - 60_000, status: 'booked', callout: [], reschedules: 0, history: [{ at: mondayNineMs - 60_000, status: 'booked', by: 'partner:x' }],
};

t.test('appointment events map to appointment.* names in the clinic of their doctor', async (t) => {
  const cases: Array<[AddressedEvent, string, Record<string, unknown>]> = [
    [{ address: 'doctor/gp1-d1', event: { type: 'AppointmentBooked', appointment } }, 'appointment.booked', { id: appointment.id, status: 'booked', start: '2026-11-23T09:00:00+03:00', patientId: 'p1' }],
    [{ address: 'doctor/gp1-d1', event: { type: 'AppointmentStatusChanged', appointmentId: appointment.id, status: 'confirmed', at: mondayNineMs, by: 'robot' } }, 'appointment.confirmed', { status: 'confirmed', at: '2026-11-23T09:00:00+03:00' }],
    [{ address: 'doctor/gp1-d1', event: { type: 'AppointmentCheckedIn', appointmentId: appointment.id, queueNumber: 7, at: mondayNineMs, by: 'kiosk' } }, 'appointment.checked_in', { status: 'checked_in', queueNumber: 7 }],
    [{ address: 'doctor/gp1-d1', event: { type: 'AppointmentRescheduled', appointmentId: appointment.id, toSlotId: 'gp1-d1.s2', at: mondayNineMs, by: 'x' } }, 'appointment.rescheduled', { toSlotId: 'gp1-d1.s2' }],
    [{ address: 'doctor/gp1-d1', event: { type: 'AppointmentMovedOut', appointmentId: appointment.id, toAppointmentId: 'gp1-d2.a9', toSlotId: 'gp1-d2.s2', at: mondayNineMs, by: 'x' } }, 'appointment.rescheduled', { toAppointmentId: 'gp1-d2.a9' }],
  ];
  for (const [record, type, data] of cases) {
    const event = webhookEventOf(record, read);
    t.match(event, { type, clinicId: 'gp1', subject: { appointmentId: appointment.id }, data }, type);
    t.ok(webhookEventNames.includes(type), `${type} is a documented name`);
  }
  t.equal(webhookEventOf({ address: 'doctor/gp1-d1', event: { type: 'SlotHeld', slotId: 's', hold: { id: 'h', holder: 'x', expiresAt: 0 } } } as unknown as AddressedEvent, read), undefined, 'internal events are not published');
  t.equal(webhookEventOf({ address: 'clinic/gp1', event: { type: 'CallBecameOverdue', callId: 'gp1.k1', at: mondayNineMs } }, read)?.type, 'call.overdue');
});

t.test('the payload is stable and its signature verifies only with the right secret and bytes', async (t) => {
  const event = webhookEventOf({ address: 'clinic/gp1', event: { type: 'CallCancelled', callId: 'gp1.k1', reason: 'well', at: mondayNineMs, by: 'operator:1' } }, read);
  if (event === undefined) throw new Error('not mapped');
  const payload = encodePayload(event, 42, 3);
  t.same(encodePayload(event, 42, 3).body, payload.body, 'the same event encodes to the same bytes');
  t.same(JSON.parse(payload.body.toString('utf8')), {
    id: '42-3', type: 'call.cancelled', occurredAt: '2026-11-23T09:00:00+03:00', clinicId: 'gp1', callId: 'gp1.k1',
    data: { callId: 'gp1.k1', status: 'cancelled', reason: 'well', at: '2026-11-23T09:00:00+03:00', by: 'operator:1' },
  });
  const signature = signatureOf(payload.body, 'a-secret-of-16-chars');
  t.match(signature, /^sha256=[0-9a-f]{64}$/);
  t.ok(verifySignature(payload.body, signature, 'a-secret-of-16-chars'));
  t.notOk(verifySignature(payload.body, signature, 'another-secret-16chars'));
  t.notOk(verifySignature(Buffer.concat([payload.body, Buffer.from(' ')]), signature, 'a-secret-of-16-chars'));
  t.notOk(verifySignature(payload.body, undefined, 'a-secret-of-16-chars'));
});

t.test('back-off doubles with jitter inside its bounds and honours Retry-After up to the maximum', async (t) => {
  const low = deliveryOptionsOf({ retryDelayMsMin: 100, retryDelayMsMax: 1_000, random: () => 0 });
  const high = deliveryOptionsOf({ retryDelayMsMin: 100, retryDelayMsMax: 1_000, random: () => 0.999 });
  t.same([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, undefined, low)), [100, 100, 200, 400, 500, 500]);
  t.same([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, undefined, high)), [100, 200, 400, 800, 1_000, 1_000]);
  t.equal(retryDelayMs(1_000, undefined, high), 1_000, 'a huge attempt count stays at the maximum');
  t.equal(retryDelayMs(1, 700, low), 700, 'Retry-After asks for longer');
  t.equal(retryDelayMs(1, 60_000, low), 1_000, 'but never past the maximum');
  t.equal(retryAfterMsOf('3', 0), 3_000);
  t.equal(retryAfterMsOf(new Date(10_000).toUTCString(), 4_000), 6_000);
  t.equal(retryAfterMsOf('soon', 0), undefined);
  t.throws(() => deliveryOptionsOf({ retryDelayMsMin: 0 }), RangeError);
  t.throws(() => deliveryOptionsOf({ retryDelayMsMin: 10, retryDelayMsMax: 5 }), RangeError);
});
