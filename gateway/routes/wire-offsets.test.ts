/**
 * Issue 13, defect 8: one rule for every instant on the wire (API.md: ISO 8601 with the clinic's offset). The
 * reception queue gave `startAt` in UTC and the hold its `expiresAt` too; every other instant had the offset.
 * Walks the JSON of a call, a slot list, a hold, an appointment, a checked-in queue, the call-out tasks and the
 * board, on a clock set to a working Wednesday morning in Moscow so the queue has a patient whatever the day.
 */
import t from 'tap';
import { offsetToNextWednesday } from '../ui/ui-test-stack.ts';
import { call, startTestServer } from '../test-server.ts';

type Json = Record<string, unknown>;
const instantLike = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function instantsOf(value: unknown, path: string, found: Array<[string, string]>): Array<[string, string]> {
  if (typeof value === 'string' && instantLike.test(value)) found.push([path, value]);
  else if (Array.isArray(value)) value.forEach((item, index) => instantsOf(item, `${path}/${index}`, found));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) instantsOf(item, `${path}/${key}`, found);
  return found;
}

t.test("every instant on the wire carries the clinic's offset (+03:00 for the demo's Moscow clinics)", async (t) => {
  const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
  clock.offsetMs = offsetToNextWednesday(Date.now(), 9, 0);
  const server = await startTestServer({ clock });
  t.teardown(() => server.stop());
  const { base, tokens } = server;
  const operator = tokens.operators['gp1'] as string;
  const today = new Date(clock.now() + 3 * 3_600_000).toISOString().slice(0, 10);
  const replies: Array<[string, unknown]> = [];
  const created = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: { source: 'portal', kind: 'primary', patient: { surname: 'Часов', name: 'Пётр', birthDate: '1970-07-07', sex: 'M' }, address: { text: 'ул. Свободы', house: '3' }, complaints: { text: 'кашель' } } });
  replies.push(['call', created.body]);
  const slots = (await call(base, 'GET', `/api/v1/slots?clinicId=gp1&status=free&from=${today}&to=${today}`, { token: tokens.partner })).body as Json[];
  replies.push(['slots', slots]);
  // The earliest slot still ahead, so a check-in window of any sensible width admits it.
  const first = slots.find((slot) => Date.parse(String(slot['start'])) > clock.now() + 60_000);
  if (first === undefined) throw new Error('no free slot ahead on a Wednesday morning');
  const hold = await call(base, 'POST', `/api/v1/slots/${String(first['id'])}/hold`, { token: operator });
  t.equal(hold.status, 201, hold.text);
  replies.push(['hold', hold.body]);
  const booked = await call(base, 'POST', '/api/v1/appointments', { token: operator, body: { slotId: first['id'], holdId: (hold.body as Json)['holdId'], source: 'registry', patient: { surname: 'Очередин', name: 'Иван', birthDate: '1980-01-01', sex: 'M', phone: '+79160000002' } } });
  t.equal(booked.status, 201, booked.text);
  replies.push(['appointment', booked.body]);
  const checkedIn = await call(base, 'POST', `/api/v1/appointments/${String((booked.body as Json)['id'])}/check-in`, { token: operator });
  t.equal(checkedIn.status, 200, checkedIn.text);
  replies.push(['check-in', checkedIn.body]);
  const queue = await call(base, 'GET', `/api/v1/doctors/${String(first['doctorId'])}/queue`, { token: operator });
  t.equal(((queue.body as Json)['waiting'] as Json[] | undefined)?.length, 1, `the queue: ${queue.text.slice(0, 200)}`);
  replies.push(['queue', queue.body]);
  replies.push(['callout tasks', (await call(base, 'GET', `/api/v1/callout/tasks?clinicId=gp1&date=${today}`, { token: tokens.partner })).body]);
  replies.push(['board', (await call(base, 'GET', '/api/v1/clinics/gp1/board', { token: operator })).body]);
  let checked = 0;
  for (const [name, body] of replies) {
    for (const [path, value] of instantsOf(body, name, [])) {
      checked += 1;
      if (!value.endsWith('+03:00')) t.fail(`${path} = ${value} lacks the clinic's offset`);
    }
  }
  t.ok(instantsOf(queue.body, 'queue', []).length > 0, 'the queue entry has its instant');
  t.ok(checked > 10, `${checked} instants checked`);
});
