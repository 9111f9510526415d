import t from 'tap';
import { runSmoke } from './smoke-kit.ts';

t.test('booking-storm at its small size: ours and the pg peer, no slot booked twice', async (t) => {
  const { figures } = await runSmoke(t, 'booking-storm');
  for (const system of ['ours', 'peer'] as const) {
    const side = figures[system] as { saturation: { attempts: number; booked: number }; clientsDoubleBookingCheck: { doubleBooked: number; won: number } };
    t.ok(side.saturation.attempts > 0, `${system}: clients raced`);
    t.ok(side.clientsDoubleBookingCheck.won > 0, `${system}: some bookings were won`);
    t.equal(side.clientsDoubleBookingCheck.doubleBooked, 0, `${system}: no slot won twice`);
  }
  const ours = figures['ours'] as { serverCheck: { appointmentsMismatched: number; wonButNotBooked: number } };
  t.equal(ours.serverCheck.appointmentsMismatched, 0, 'every won booking is that slot\'s appointment on the server');
  t.equal(ours.serverCheck.wonButNotBooked, 0, 'every won slot shows as booked');
  const peer = figures['peer'] as { serverCheck: { slotsWithTwoOrMoreAppointments: number } };
  t.equal(peer.serverCheck.slotsWithTwoOrMoreAppointments, 0, 'the peer\'s database agrees');
});
