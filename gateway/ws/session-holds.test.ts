/**
 * A closed socket's holds end with it: the other operator sees the slot free again at once (a diff within a few
 * seconds, not the hold's five-minute deadline). A hold booked before the close, and a hold of the same user
 * made over another still-open socket, stay as they are.
 */
import t from 'tap';
import { startSocketStack, TestSocket, type Frame, type SocketStack } from './ws-test-kit.ts';

type Json = Record<string, unknown>;

let stack: SocketStack;
t.before(async () => {
  stack = await startSocketStack();
});
t.teardown(async () => {
  await stack.stop();
});

const data = (frame: Frame): Json => frame['data'] as Json;
const doctorTopic = 'doctor/gp1-d2';

function slotStatusIn(frame: Frame, slotId: string): unknown {
  if (frame.type !== 'diff' || frame['topic'] !== doctorTopic) return undefined;
  return ((data(frame)['slots'] as Json[] | undefined) ?? []).find((slot) => slot['id'] === slotId)?.['status'];
}

async function freeSlots(client: TestSocket, count: number): Promise<string[]> {
  const snapshot = await client.subscribe(doctorTopic);
  const days = ((data(snapshot)['calendar'] as Json)['days'] as Json[]).filter((day) => day['blocked'] === false);
  const free = days.flatMap((day) => day['slots'] as Json[]).filter((slot) => slot['status'] === 'free' && Date.parse(String(slot['startAt'])) > Date.now() + 3_600_000);
  if (free.length < count) throw new Error(`only ${free.length} free slots`);
  return free.slice(0, count).map((slot) => String(slot['id']));
}

t.test('closing the socket releases its holds at once; a booked one and another socket of the same user are untouched', async (t) => {
  const { wsUrl, tokens } = stack;
  const operator = tokens.operators['gp1'] as string;
  const second = (await stack.gateway.tokens.issue('operator', { kind: 'clinics', clinicIds: ['gp1'] }, 'watching operator', Date.now())).token;
  const tab = await TestSocket.connect(wsUrl, { token: operator });
  const otherTab = await TestSocket.connect(wsUrl, { token: operator });
  const watcher = await TestSocket.connect(wsUrl, { token: second });
  const [released, booked, keptElsewhere] = await freeSlots(watcher, 3) as [string, string, string];

  const hold = await tab.command('hold-1', { type: 'HoldSlot', slotId: released });
  t.match(hold, { ok: true, result: { holdId: String } }, 'the first tab holds a slot');
  const holdToBook = await tab.command('hold-2', { type: 'HoldSlot', slotId: booked });
  const bookedReply = await tab.command('book', {
    type: 'BookAppointment',
    booking: { slotId: booked, holdId: (holdToBook['result'] as Json)['holdId'], source: 'registry', patient: { surname: 'Держалова', name: 'Анна', birthDate: '1990-01-01', sex: 'F', phone: '+79120001133' } },
  });
  t.match(bookedReply, { ok: true }, 'and books another it held');
  t.match(await otherTab.command('hold-3', { type: 'HoldSlot', slotId: keptElsewhere }), { ok: true }, 'the same user holds a third slot from another tab');
  await watcher.next((frame) => slotStatusIn(frame, keptElsewhere) === 'held');

  const freedSeen = watcher.next((frame) => slotStatusIn(frame, released) === 'free', 5_000);
  const closedAt = Date.now();
  tab.close();
  await freedSeen;
  const lagMs = Date.now() - closedAt;
  t.ok(lagMs < 5_000, `the watcher saw the closed tab's hold freed ${lagMs} ms after the close (the deadline would be 5 min)`);

  const doctor = stack.host.read.doctor('gp1-d2');
  t.equal(doctor?.calendar.slot(booked)?.appointmentId !== undefined, true, 'the booked slot stays booked');
  t.ok(doctor?.calendar.slot(keptElsewhere)?.hold !== undefined, "the other tab's hold is not released by this tab's close");
  t.equal(doctor?.calendar.slot(released)?.hold, undefined, 'the released slot has no hold left');
  otherTab.close();
  watcher.close();
});
