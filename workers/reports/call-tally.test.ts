import t from 'tap';
import type { ClinicInfo, HomeCall } from '../../engine/index.ts';
import { defaultClinicSettings } from '../../engine/directory.ts';
import { instantOf } from '../../engine/domain/local-time.ts';
import { CallTally } from './call-tally.ts';

const zone = 'Europe/Moscow';
const clinic: ClinicInfo = { id: 'c1', name: 'Поликлиника', address: 'адрес', timeZone: zone, subdivisions: [{ id: 'adult', name: 'Взрослые' }], settings: defaultClinicSettings };
const at = (date: string, hhmm: string): number => instantOf(date, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)), zone);

function homeCall(id: string, fields: Partial<HomeCall>): HomeCall {
  return {
    id: `c1.${id}`, number: 1, clinicId: 'c1', status: 'new', createdAt: at('2026-03-02', '09:00'), visitDate: '2026-03-02', overdue: false, history: [],
    source: 'registry', kind: 'primary', subdivisionId: 'adult', redFlags: [],
    patient: { id: 'p', surname: 'Тестов', name: 'Тест', birthDate: '1970-01-01', sex: 'M', ageYears: 56, ageCategory: 'adult' },
    address: { text: 'ул. Тестовая' }, complaints: { text: 'кашель', tags: [] },
    ...fields,
  } as HomeCall;
}

void t.test('service levels count what could be late, against the clinic limits', (t) => {
  const tally = new CallTally({ from: '2026-03-02', to: '2026-03-03', asOfMs: at('2026-03-02', '12:00'), clinics: new Map([['c1', clinic]]), doctorNames: new Map([['d1', 'Врачова']]) });
  tally.add(homeCall('a', { status: 'completed', doctorId: 'd1', assignedAt: at('2026-03-02', '09:20'), completedAt: at('2026-03-03', '08:20'), closedAt: at('2026-03-03', '08:20') }));
  tally.add(homeCall('b', { status: 'completed', doctorId: 'd1', assignedAt: at('2026-03-02', '10:00'), completedAt: at('2026-03-03', '16:00'), closedAt: at('2026-03-03', '16:00') }));
  tally.add(homeCall('c', { status: 'new' }));
  tally.add(homeCall('d', { status: 'cancelled', closedAt: at('2026-03-02', '09:10') }));
  tally.add(homeCall('e', { createdAt: at('2026-03-01', '09:00') }));
  const calls = tally.calls();
  t.equal(calls.total, 4, 'the call created before the range is not counted');
  t.match(calls.byStatus, { completed: 2, new: 1, cancelled: 1 });
  t.same(calls.byDoctor, [{ doctorId: 'd1', clinicId: 'c1', name: 'Врачова', assigned: 2, completed: 2 }]);
  const levels = tally.serviceLevels();
  t.match(levels, { assignEligible: 3, assignedWithinSla: 1, assignedWithinSlaPercent: 33.3, serveEligible: 2, servedWithinSla: 1, servedWithinSlaPercent: 50 });
  t.match(levels.minutesToAssign, { count: 2, p50: 20, p99: 60, max: 60 });
  t.match(levels.minutesToServe, { count: 2, p50: 1380, p99: 1800 });
  t.match(tally.daily.get('2026-03-02'), { created: 4, assigned: 2, cancelled: 1, assignEligible: 3, assignedWithinSla: 1 });
  t.match(tally.daily.get('2026-03-03'), { completed: 2 });
  t.end();
});
