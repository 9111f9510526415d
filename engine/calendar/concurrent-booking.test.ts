import t from 'tap';
import type { CommandResult } from '../engine.ts';
import { CalendarHarness, patient, slot, therapist, tomorrow } from './calendar-test-kit.ts';

const attempts = 1_000;

/** Every attempt is its own async task, interleaved by the event loop, all entering through `engine.submit`. */
async function race(submit: (index: number) => CommandResult): Promise<CommandResult[]> {
  return Promise.all(
    Array.from({ length: attempts }, async (_, index) => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return submit(index);
    }),
  );
}

t.test(`${attempts} concurrent bookings of one slot: exactly one succeeds`, async (t) => {
  const h = new CalendarHarness();
  const target = slot(therapist, tomorrow, '08:00');
  const results = await race((index) =>
    h.engine.submit(
      { type: 'BookAppointment', booking: { slotId: target, patient: patient(), source: index % 2 === 0 ? 'portal' : 'registry' } },
      { at: h.clock.now(), by: `operator:${index}` },
    ),
  );
  const winners = results.filter((result) => result.ok);
  t.equal(winners.length, 1, 'one booking');
  t.ok(results.every((result) => result.ok || result.rejection.code === 'conflict'), 'every other attempt is a 409');
  const doctor = h.doctor(therapist);
  t.equal(doctor.appointments.onDate(tomorrow).length, 1, 'one appointment in the calendar');
  t.equal(doctor.calendar.slot(target)?.appointmentId, winners[0]?.ok ? winners[0].reply['id'] : undefined, 'and the slot points to it');
});

t.test(`${attempts} concurrent holds and bookings of one slot: one holder, and only it books`, async (t) => {
  const h = new CalendarHarness();
  const target = slot(therapist, tomorrow, '08:15');
  const holds = await race((index) => h.engine.submit({ type: 'HoldSlot', slotId: target }, { at: h.clock.now(), by: `operator:${index}` }));
  const holders = holds.flatMap((result, index) => (result.ok ? [index] : []));
  t.equal(holders.length, 1, 'one hold');
  const bookings = await race((index) =>
    h.engine.submit({ type: 'BookAppointment', booking: { slotId: target, patient: patient(), source: 'registry' } }, { at: h.clock.now(), by: `operator:${index}` }),
  );
  const booked = bookings.flatMap((result, index) => (result.ok ? [index] : []));
  t.same(booked, holders, 'only the holder books the held slot');
});
