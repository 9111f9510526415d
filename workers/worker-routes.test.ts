import t from 'tap';
import ExcelJS from 'exceljs';
import { request } from 'undici';
import { addDays, localDate, weekdayOf } from '../engine/domain/local-time.ts';
import { call, startTestServer, type TestServer } from '../gateway/test-server.ts';
import { pdfText } from './testing/pdf-text.ts';

type Json = Record<string, unknown>;
let server: TestServer;
let visitDate: string;
const callIds: string[] = [];

/** The next Monday–Friday after today: every demo therapist works then. */
function nextWeekday(today: string): string {
  let date = addDays(today, 1);
  while (weekdayOf(date) > 5) date = addDays(date, 1);
  return date;
}

async function bytesOf(path: string, token: string): Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer }> {
  const response = await request(`${server.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.statusCode, headers: response.headers, bytes: Buffer.from(await response.body.arrayBuffer()) };
}


async function xlsxCells(bytes: Buffer): Promise<Map<string, string[]>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheets = new Map<string, string[]>();
  workbook.eachSheet((sheet) => {
    const cells: string[] = [];
    sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value))));
    sheets.set(sheet.name, cells);
  });
  return sheets;
}

t.before(async () => {
  server = await startTestServer();
  visitDate = nextWeekday(localDate(Date.now(), 'Europe/Moscow'));
  const patients = [
    { surname: 'Кузнецова', name: 'Анна', patronymic: 'Петровна', birthDate: '1950-03-08', sex: 'F', policy: '5000000000000011', phone: '+79161110011', cardNumber: 'К-11' },
    { surname: 'Щукин', name: 'Ёжик', birthDate: '2016-07-01', sex: 'M', policy: '5000000000000012', phone: '+79161110012' },
  ];
  for (const [index, patient] of patients.entries()) {
    const created = await call(server.base, 'POST', '/api/v1/calls', {
      token: server.tokens.operators['gp1'] as string,
      body: {
        source: 'registry', kind: index === 0 ? 'primary' : 'urgent', clinicId: 'gp1', patient,
        address: { text: 'г. Ярославль, ул. Свободы', house: '12', apartment: '5', floor: 3, entrance: '2', intercom: '5К' },
        complaints: { text: 'температура 38,7, кашель' },
      },
    });
    if (created.status !== 201) throw new Error(`call refused: ${created.text}`);
    const id = String((created.body as Json)['id']);
    callIds.push(id);
    const assigned = await call(server.base, 'POST', `/api/v1/calls/${id}/assign`, { token: server.tokens.operators['gp1'] as string, body: { doctorId: index === 0 ? 'gp1-d1' : 'gp1-d2', visitDate } });
    if (assigned.status !== 200) throw new Error(`assign refused: ${assigned.text}`);
  }
  await call(server.base, 'POST', `/api/v1/calls/${callIds[0] as string}/complete`, { token: server.tokens.operators['gp1'] as string, body: { diagnosis: 'J06.9' } });
});
t.teardown(() => server.stop());

void t.test('route sheet: JSON with the rows, a PDF whose text has the Cyrillic form, printable HTML', async (t) => {
  const token = server.tokens.operators['gp1'] as string;
  const json = await call(server.base, 'GET', `/api/v1/doctors/gp1-d1/route-sheet?date=${visitDate}`, { token });
  t.equal(json.status, 200, json.text);
  const sheet = json.body as { rows: Json[]; doctor: Json; date: string };
  t.equal(sheet.date, visitDate);
  t.equal(sheet.rows.length, 1);
  t.match(sheet.rows[0], { callId: callIds[0], patient: 'Кузнецова Анна Петровна', status: 'completed', ageCategory: 'adult', cardNumber: 'К-11' });
  t.ok(sheet.rows[0]?.['visitedAt'], 'a served call has its visit time');

  const pdf = await bytesOf(`/api/v1/doctors/gp1-d1/route-sheet?date=${visitDate}&format=pdf`, token);
  t.equal(pdf.status, 200);
  t.equal(pdf.headers['content-type'], 'application/pdf');
  t.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  // Cells wrap within their columns, so compare without whitespace.
  const text = (await pdfText(pdf.bytes)).replace(/\s+/g, '');
  for (const expected of ['Маршрутный лист', 'Неотложная помощь (вызов на дом)', 'по состоянию на', 'Иванова А. И.', 'gp1-d1', 'Кузнецова', 'Обслужен', 'Первичный', 'Код домофона', 'Время посещения', '5К']) {
    t.ok(text.includes(expected.replace(/\s+/g, '')), `the PDF text contains "${expected}"`);
  }

  const html = await bytesOf(`/api/v1/doctors/gp1-d2/route-sheet?date=${visitDate}&format=html`, token);
  t.equal(html.status, 200);
  const page = html.bytes.toString('utf8');
  t.equal((page.match(/<th>/g) ?? []).length, 14, 'the 14 columns of the print form');
  t.ok(page.includes('Щукин Ёжик') && page.includes('Неотложный') && page.includes('дети'), 'the child, the kind and the age group');
});

void t.test('route sheet scope: 403 outside it (whether or not the doctor exists), 404 only for the region', async (t) => {
  const { tokens, base } = server;
  t.equal((await call(base, 'GET', '/api/v1/doctors/gp1-d1/route-sheet', { token: tokens.operators['gp2'] as string })).status, 403);
  t.equal((await call(base, 'GET', '/api/v1/doctors/gp1-d1/route-sheet', { token: tokens.doctors['gp1-d2'] as string })).status, 403);
  t.equal((await call(base, 'GET', '/api/v1/doctors/gp1-d1/route-sheet', { token: tokens.doctors['gp1-d1'] as string })).status, 200, 'a doctor sees their own');
  t.equal((await call(base, 'GET', '/api/v1/doctors/nobody/route-sheet', { token: tokens.operators['gp1'] as string })).status, 403);
  t.equal((await call(base, 'GET', '/api/v1/doctors/nobody/route-sheet', { token: tokens.admin })).status, 404);
  t.equal((await call(base, 'GET', '/api/v1/doctors/gp1-d1/route-sheet?date=2026-02-30', { token: tokens.admin })).status, 400);
});

void t.test('operations report: JSON for a clinic, XLSX and CSV with Russian labels; the region only for region tokens', async (t) => {
  const { tokens, base } = server;
  const today = localDate(Date.now(), 'Europe/Moscow');
  const range = `from=${addDays(today, -1)}&to=${addDays(today, 1)}`;
  const json = await call(base, 'GET', `/api/v1/reports/operations?clinicId=gp1&${range}`, { token: tokens.operators['gp1'] as string });
  t.equal(json.status, 200, json.text);
  const report = json.body as { calls: { total: number; byStatus: Json; byDoctor: Json[] }; serviceLevels: Json; daily: Json[]; appointments: Json };
  t.equal(report.calls.total, 2);
  t.match(report.calls.byStatus, { completed: 1, assigned: 1 });
  t.equal(report.daily.length, 3, 'one row per day of the range');
  t.match(report.serviceLevels, { assignEligible: 2, assignedWithinSla: 2, assignedWithinSlaPercent: 100 });
  t.equal((await call(base, 'GET', `/api/v1/reports/operations?${range}`, { token: tokens.operators['gp1'] as string })).status, 403, 'a clinic token cannot see the region');
  t.equal((await call(base, 'GET', `/api/v1/reports/operations?clinicId=gp1&${range}`, { token: tokens.operators['gp2'] as string })).status, 403);
  t.equal((await call(base, 'GET', `/api/v1/reports/operations?clinicId=gp1&from=${today}&to=${addDays(today, -3)}`, { token: tokens.admin })).status, 400, 'a backwards range');
  const region = await call(base, 'GET', `/api/v1/reports/operations?${range}`, { token: tokens.admin });
  t.equal((region.body as { calls: { byClinic: Json[] } }).calls.byClinic.length, 1, 'the region report lists clinics with calls');

  const xlsx = await bytesOf(`/api/v1/reports/operations?clinicId=gp1&${range}&format=xlsx`, tokens.admin);
  t.equal(xlsx.status, 200);
  const sheets = await xlsxCells(xlsx.bytes);
  t.ok(sheets.get('Итоги')?.includes('Вызовов всего'), 'the summary sheet, in Russian');
  t.ok(sheets.get('По дням')?.includes(today), 'the per-day sheet has today');
  t.ok(sheets.get('Вызовы по врачам')?.includes('Иванова А. И.'), 'the per-doctor sheet');
  const csv = await bytesOf(`/api/v1/reports/operations?clinicId=gp1&${range}&format=csv`, tokens.admin);
  const text = csv.bytes.toString('utf8');
  t.ok(text.startsWith('Раздел,Ключ,Показатель,Дата,Значение\r\n'), 'the header first: no byte-order mark (workers/csv/csv-writer.ts)');
  t.ok(text.includes('Итоги,calls.total,Вызовов всего,,2'), 'the total row');
});

void t.test('call-out export as CSV and XLSX; the results import by CSV, idempotent per attempt', async (t) => {
  const { tokens, base, host } = server;
  const doctor = host.read.doctor('gp1-d1');
  const day = [...(doctor?.calendar.days.values() ?? [])].find((d) => d.slots.some((slot) => slot.appointmentId === undefined && slot.startAt > Date.now() + 86_400_000));
  const slot = day?.slots.find((s) => s.appointmentId === undefined && s.startAt > Date.now() + 86_400_000);
  if (day === undefined || slot === undefined) throw new Error('no free slot a day ahead');
  const booked = await call(base, 'POST', '/api/v1/appointments', { token: tokens.partner, body: { slotId: slot.id, source: 'portal', patient: { surname: 'Обзвонова', name: 'Вера', birthDate: '1970-01-02', sex: 'F', phone: '+79160000077' }, services: ['Приём терапевта'] } });
  t.equal(booked.status, 201, booked.text);
  const appointmentId = String((booked.body as Json)['id']);

  const csv = await bytesOf(`/api/v1/callout/tasks/export?clinicId=gp1&date=${day.date}`, tokens.partner);
  t.equal(csv.status, 200);
  const lines = csv.bytes.toString('utf8').split('\r\n');
  t.equal(lines[0], 'appointmentId,phone,attempts,lastResult,message,patient,date,time,doctor,specialty,services,clinic,address,clinicPhone');
  t.ok(lines.some((line) => line.startsWith(`${appointmentId},+79160000077,0,`) && line.includes('Обзвонова Вера')), 'the appointment is a task');
  const xlsx = await bytesOf(`/api/v1/callout/tasks/export?clinicId=gp1&date=${day.date}&format=xlsx`, tokens.partner);
  t.ok((await xlsxCells(xlsx.bytes)).get('Обзвон')?.includes('Обзвонова Вера'), 'the XLSX sheet');
  t.equal((await call(base, 'GET', `/api/v1/callout/tasks/export?clinicId=gp1`, { token: tokens.operators['gp2'] as string })).status, 403);

  const results = `appointment_id,result,attempt,talk_seconds,at\r\n${appointmentId},confirmed,1,35,2026-11-21T10:00:00+03:00\r\n${appointmentId},maybe,2,,\r\nnobody.x1,busy,1,,\r\n`;
  const first = await call(base, 'POST', '/api/v1/imports/callout-results', { token: tokens.partner, raw: results, contentType: 'text/csv' });
  t.equal(first.status, 200, first.text);
  t.match(first.body, { rowsRead: 3, counts: { applied: 1, invalid: 1, rejected: 1 }, lines: [{ line: 2, outcome: 'applied' }, { line: 3, outcome: 'invalid', field: 'result' }, { line: 4, outcome: 'rejected' }] });
  const again = await call(base, 'POST', '/api/v1/imports/callout-results', { token: tokens.partner, raw: results, contentType: 'text/csv' });
  t.match(again.body, { counts: { applied: 0, unchanged: 1 } }, 'the same attempt again changes nothing');
  t.equal(host.read.doctor('gp1-d1')?.appointments.get(appointmentId)?.status, 'confirmed');
  const foreign = await call(base, 'POST', '/api/v1/imports/callout-results', { token: tokens.operators['gp2'] as string, raw: results, contentType: 'text/csv' });
  t.match(foreign.body, { counts: { rejected: 2 } }, "another clinic's appointment reads like a missing one");
});

void t.test('directory import: rows checked by line, good ones applied, the same file again changes nothing', async (t) => {
  const { tokens, base, host } = server;
  const csv = [
    'kind,id,clinic_id,name,address,time_zone,age_category,subdivision_id,rules,specialty,district_ids,home_visit_minutes,doctor_id,weekday,start,end,assign_sla_minutes',
    'clinic,gp9,,"Поликлиника № 9, филиал","г. Ярославль, ул. Новая, 1",Europe/Moscow,,,,,,,,,,,20',
    'subdivision,adult,gp9,Взрослое отделение,,,adult,,,,,,,,,,',
    'district,gp9-a1,gp9,Участок 1,,,,adult,ул. Новая:1-99/odd;ул. Тихая,,,,,,,,',
    'doctor,gp9-d1,gp9,Сидорова Е. В.,,,,adult,,therapist,gp9-a1,30,,,,,',
    'hours,,,,,,,,,,,,gp9-d1,1,08:00,16:00,',
    'hours,,,,,,,,,,,,gp9-d1,3,08:00,16:00,',
    'hours,,,,,,,,,,,,gp9-d1,9,08:00,16:00,',
    'doctor,gp9-d2,gp9,,,,,adult,,therapist,,,,,,,',
  ].join('\r\n');
  const first = await call(base, 'POST', '/api/v1/imports/directory', { token: tokens.admin, raw: csv, contentType: 'text/csv; charset=utf-8' });
  t.equal(first.status, 200, first.text);
  t.match(first.body, { rowsRead: 8, counts: { applied: 6, invalid: 2 } });
  const lines = (first.body as { lines: Json[] }).lines;
  t.match(lines.find((l) => l['line'] === 8), { outcome: 'invalid', field: 'weekday' });
  t.match(lines.find((l) => l['line'] === 9), { outcome: 'invalid', field: 'name' });
  t.equal(host.read.region().clinics.get('gp9')?.settings.assignSlaMinutes, 20);
  t.same(host.read.region().doctors.get('gp9-d1')?.weeklyShifts.map((s) => s.weekday), [1, 3]);
  const again = await call(base, 'POST', '/api/v1/imports/directory', { token: tokens.admin, raw: csv, contentType: 'text/csv' });
  t.match(again.body, { counts: { applied: 0, unchanged: 6, invalid: 2 } }, 'idempotent');
  const changed = csv.replace('Сидорова Е. В.', 'Сидорова Е. Б.');
  t.match((await call(base, 'POST', '/api/v1/imports/directory', { token: tokens.admin, raw: changed, contentType: 'text/csv' })).body, { counts: { conflict: 3 } }, 'a changed doctor is a conflict, not a half-change');
  t.equal((await call(base, 'POST', '/api/v1/imports/directory', { token: tokens.operators['gp1'] as string, raw: csv, contentType: 'text/csv' })).status, 403);
  t.equal((await call(base, 'POST', '/api/v1/imports/directory', { token: tokens.admin, body: { csv } })).status, 415);
  t.equal((await call(base, 'POST', '/api/v1/imports/directory', { raw: csv, contentType: 'text/csv' })).status, 401);
});
