/**
 * Issue 13, defect 7 (and issue 14's CSV-injection item): the call-out list as CSV from the API
 * (`GET /callout/tasks?format=csv`) and from the worker export (`GET /callout/tasks/export`) is one writer's
 * output — the same bytes, no byte-order mark, and a patient named `=HYPERLINK("http://x")` neutralised in the
 * CSV and in the XLSX sheet.
 */
import t from 'tap';
import ExcelJS from 'exceljs';
import { request } from 'undici';
import { call, startTestServer } from '../../gateway/test-server.ts';

const hostileSurname = '=HYPERLINK("http://x")';

async function bytesOf(url: string, token: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await request(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.statusCode, bytes: Buffer.from(await response.body.arrayBuffer()) };
}

t.test('one call-out CSV writer: API and worker export agree byte for byte, with the formula guard and no BOM', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const { base, tokens } = server;
  const slots = (await call(base, 'GET', '/api/v1/slots?clinicId=gp1&status=free&limit=1', { token: tokens.partner })).body as Array<Record<string, unknown>>;
  const slot = slots[0];
  if (slot === undefined) throw new Error('the demo region has no free slot');
  const date = String(slot['date']);
  const booked = await call(base, 'POST', '/api/v1/appointments', {
    token: tokens.partner,
    body: { slotId: slot['id'], source: 'portal', patient: { surname: hostileSurname, name: '@SUM(1+1)', birthDate: '1970-01-02', sex: 'F', phone: '+79160000099' } },
  });
  t.equal(booked.status, 201, booked.text);

  const api = await bytesOf(`${base}/api/v1/callout/tasks?clinicId=gp1&date=${date}&format=csv`, tokens.partner);
  const exported = await bytesOf(`${base}/api/v1/callout/tasks/export?clinicId=gp1&date=${date}`, tokens.partner);
  t.equal(api.status, 200);
  t.equal(exported.status, 200);
  t.ok(api.bytes.equals(exported.bytes), 'the API and the worker export write the same bytes');
  t.not(api.bytes[0], 0xef, 'no byte-order mark');
  const text = api.bytes.toString('utf8');
  t.ok(text.startsWith('appointmentId,phone,'), 'the header first');
  const line = text.split('\r\n').find((row) => row.includes('HYPERLINK'));
  t.ok(line, 'the hostile patient is listed');
  t.match(line, /,"'=HYPERLINK\(""http:\/\/x""\) @SUM\(1\+1\)",/, 'the patient cell starts with an apostrophe, quotes doubled');
  t.match(line, /,\+79160000099,/, 'the phone stays as the robot reads it');
  t.notMatch(text, /(^|,)"?[=@]/m, 'no cell starts with = or @');

  const xlsx = await bytesOf(`${base}/api/v1/callout/tasks/export?clinicId=gp1&date=${date}&format=xlsx`, tokens.partner);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
  const cells: unknown[] = [];
  workbook.worksheets[0]?.eachRow((row) => row.eachCell((cell) => cells.push(cell.value)));
  t.ok(cells.some((value) => typeof value === 'string' && value.startsWith(`'${hostileSurname}`)), 'the XLSX cell has the same guard');
  t.notOk(cells.some((value) => typeof value === 'string' && /^[=@]/.test(value)), 'no XLSX text cell starts with = or @');
});
