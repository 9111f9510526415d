// The UI's pure parts, run under Node: topic views from snapshots and diffs, the desk's filter and order,
// and the two message catalogues (same keys, same placeholders, every complaint tag labelled).
import t from 'tap';
import { complaintTags } from '../../engine/domain/complaints.ts';
import type { Call } from '../../admin-ui/src/api/types.ts';
import { clinicFromSnapshot, clinicWithDiff, clinicWithPage } from '../../admin-ui/src/live/clinic-topic.ts';
import { doctorFromSnapshot, doctorWithDiff, visitsOn } from '../../admin-ui/src/live/doctor-topic.ts';
import { emptyFilter, filterCalls } from '../../admin-ui/src/screens/desk-filter.ts';
import { callTiming, formatSpan, redFlagWords } from '../../admin-ui/src/screens/call-timing.ts';
import { accusative } from '../../admin-ui/src/i18n/russian-case.ts';
import { en } from '../../admin-ui/src/i18n/en.ts';
import { ru } from '../../admin-ui/src/i18n/ru.ts';

const board = (fresh: number) => ({ clinicId: 'gp1', date: '2026-11-25', counters: { received: 0, new: fresh, overdue: 0, assigned: 0, completed: 0 }, doctors: [] });
const call = (id: string, patch: Partial<Call> = {}): Call => ({
  id, number: Number(id.slice(1)), clinicId: 'gp1', status: 'new', overdue: false, createdAt: `2026-11-25T10:0${id.slice(1)}:00+03:00`, visitDate: '2026-11-25',
  source: 'registry', kind: 'primary', patient: { surname: `Фамилия${id}`, name: 'Имя', birthDate: '1980-01-01', sex: 'F', ageCategory: 'adult' },
  address: { text: 'ул. Свободы' }, complaints: { text: 'кашель', tags: [] }, emergencyAdvice: false, redFlags: [], ...patch,
});

t.test('clinic topic: snapshot, then whole calls replaced by id; closed calls and acknowledged alerts leave', async (t) => {
  const first = clinicFromSnapshot({ board: board(2), calls: [call('c1'), call('c2')], truncated: true, alerts: [{ id: 'a1', rating: 1 }] });
  t.equal(first.calls.size, 2);
  t.equal(first.truncated, true);
  const next = clinicWithDiff(first, { board: board(2), calls: [call('c1', { status: 'completed' }), call('c3')], alerts: [{ id: 'a1', acknowledgedAt: '2026-11-25T10:00:00+03:00' }] });
  t.same([...next.calls.keys()].sort(), ['c2', 'c3']);
  t.equal(next.alerts.size, 0);
  t.equal(first.calls.size, 2, 'the previous view is untouched (screens compare by identity)');
  const paged = clinicWithPage(next, [call('c2', { status: 'assigned' }), call('c4')]);
  t.equal(paged.calls.get('c2')?.status, 'new', 'a paged-in copy never overwrites what the socket said');
  t.ok(paged.calls.has('c4'));
  t.equal(paged.truncated, false);
});

t.test('desk filter and order: overdue first, then oldest; by name (ё = е), status, doctor', async (t) => {
  const calls = [call('c1'), call('c2', { overdue: true }), call('c3', { doctorId: 'd1', status: 'assigned', patient: { surname: 'Семёнова', name: 'Анна', birthDate: '1990-01-01', sex: 'F' } })];
  t.same(filterCalls(calls, emptyFilter).map((item) => item.id), ['c2', 'c1', 'c3']);
  t.same(filterCalls(calls, { ...emptyFilter, name: 'семенова' }).map((item) => item.id), ['c3']);
  t.same(filterCalls(calls, { ...emptyFilter, status: 'overdue' }).map((item) => item.id), ['c2']);
  t.same(filterCalls(calls, { ...emptyFilter, doctorId: 'd1' }).map((item) => item.id), ['c3']);
});

t.test('doctor topic: slots, visits and appointments change by id; a calendar part replaces the days', async (t) => {
  const slot = (id: string, status: string) => ({ id, date: '2026-11-25', start: id, end: id, startAt: '', cabinet: '101', status });
  const view = doctorFromSnapshot({
    doctor: { id: 'd1' }, routeList: [{ date: '2026-11-25', visits: [{ callId: 'k1', visitDate: '2026-11-25' }] }],
    calendar: { today: '2026-11-25', days: [{ date: '2026-11-25', blocked: false, freeCount: 2, slots: [slot('08:00', 'free'), slot('08:15', 'free')] }] },
    appointments: [], queue: { doctorId: 'd1', date: '2026-11-25', cabinet: { state: 'free' }, waiting: [] },
  });
  const held = doctorWithDiff(view, { slots: [{ ...slot('08:00', 'held'), heldBy: 'tag' }], visits: [{ callId: 'k1', visitDate: '2026-11-25', removed: true }, { callId: 'k2', visitDate: '2026-11-25' }] });
  t.equal(held.days[0]?.slots[0]?.status, 'held');
  t.equal(held.days[0]?.freeCount, 1);
  t.same(visitsOn(held, '2026-11-25').map((visit) => visit.callId), ['k2']);
  const rolled = doctorWithDiff(held, { calendar: { today: '2026-11-26', days: [] }, queue: { doctorId: 'd1', date: '2026-11-26', cabinet: { state: 'busy' }, waiting: [] } });
  t.equal(rolled.today, '2026-11-26');
  t.equal(rolled.days.length, 0);
  t.equal(rolled.queue.cabinet.state, 'busy');
});

t.test('the catalogues: same keys, same placeholders, every complaint tag labelled', async (t) => {
  t.same(Object.keys(en).sort(), Object.keys(ru).sort());
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
  const mismatched = Object.entries(ru).filter(([key, text]) => placeholders(en[key as keyof typeof ru]).join() !== placeholders(text).join()).map(([key]) => key);
  t.same(mismatched, [], 'the same {placeholders} in both languages');
  t.same(complaintTags.filter((tag) => !(`tag.${tag}` in ru)), [], 'every complaint tag of the engine has a label');
});

t.test('desk order: overdue first, then by status, red flags first within a status, then oldest', async (t) => {
  const calls = [
    call('c1'), call('c2', { emergencyAdvice: true, redFlags: ['chest_pain'] }), call('c3', { status: 'received' }),
    call('c4', { status: 'assigned', emergencyAdvice: true, redFlags: ['fainting'] }), call('c5', { status: 'assigned' }), call('c6', { overdue: true, status: 'assigned' }),
  ];
  t.same(filterCalls(calls, emptyFilter).map((item) => item.id), ['c6', 'c3', 'c2', 'c1', 'c4', 'c5']);
  t.same(filterCalls(calls, { ...emptyFilter, status: 'new' }).map((item) => item.id), ['c2', 'c1'], 'the younger red-flag call before the older plain one');
});

t.test('call timing: waiting since the first registration, the SLA countdown and "nearly overdue"', async (t) => {
  const created = Date.parse('2026-11-25T10:00:00+03:00');
  const fresh = call('c1', { createdAt: '2026-11-25T10:00:00+03:00', dueAt: '2026-11-25T10:30:00+03:00' });
  t.match(callTiming(fresh, created + 10 * 60_000), { waitedMs: 600_000, leftMs: 1_200_000, urgency: 'normal' });
  t.equal(callTiming(fresh, created + 23 * 60_000).urgency, 'due-soon', 'the last quarter of 30 minutes (at least 5)');
  t.match(callTiming(fresh, created + 31 * 60_000), { leftMs: -60_000, urgency: 'overdue' }, 'past the deadline before the server marks it');
  const served = call('c2', { status: 'assigned', createdAt: '2026-11-25T10:00:00+03:00', assignedAt: '2026-11-25T10:00:00+03:00', dueAt: '2026-11-26T10:00:00+03:00' });
  t.equal(callTiming(served, created + 17 * 3_600_000).urgency, 'normal');
  t.equal(callTiming(served, created + 19 * 3_600_000).urgency, 'due-soon', 'the last six hours of 24');
  const moved = call('c3', { createdAt: '2026-11-25T11:00:00+03:00', transferredFrom: { clinicId: 'gp1', callId: 'gp1.x', number: 7, createdAt: '2026-11-25T10:00:00+03:00' } });
  t.equal(callTiming(moved, created + 90 * 60_000).waitedMs, 90 * 60_000, 'a transferred call has waited since its first registration');
  t.equal(formatSpan(65_000), '01:05');
  t.equal(formatSpan(-(3 * 3_600_000 + 5 * 60_000)), '3 ч 05 мин');
  t.equal(formatSpan(50 * 3_600_000), '2 д 2 ч');
});

t.test('red-flag reasons in words; clinic names in the accusative for «передан в …»', async (t) => {
  const label = (tag: string): string => (ru as Record<string, string>)[`tag.${tag}`] ?? tag;
  t.same(redFlagWords(['chest_pain', 'shortness_of_breath', 'text:боль в груди'], label), ['боли в груди', 'одышка', '«боль в груди» в жалобе']);
  t.equal(accusative('Городская поликлиника № 1'), 'Городскую поликлинику № 1');
  t.equal(accusative('Поликлиника Заволжского района'), 'Поликлинику Заволжского района');
  t.equal(accusative('Детская городская больница № 3'), 'Детскую городскую больницу № 3');
  t.equal(accusative('Областная станция скорой помощи'), 'Областную станцию скорой помощи');
  t.equal(accusative('Медицинский центр «Здоровье»'), 'Медицинский центр «Здоровье»', 'masculine inanimate: unchanged');
  t.equal(accusative('ГБУЗ ЯО «Клиническая больница № 2»'), 'ГБУЗ ЯО «Клиническая больница № 2»', 'an abbreviation first: left alone');
  t.equal(accusative('Центральная районная больница'), 'Центральную районную больницу');
});
