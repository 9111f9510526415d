/**
 * The product as people run it (issue 13): the real `npm start` — the package.json script with its prestart
 * UI step, its Node flags and its defaults — on a scratch data directory and a free port, waited for exactly
 * as a partner would (poll /healthz until 200, then read demo-tokens.json at once), then one request of every
 * route family: calls, directory, slots (both range forms), holds and appointments, queue, call-out JSON and
 * CSV, call-out results, route sheet JSON/HTML/PDF (the PDF's text has the doctor's Cyrillic surname),
 * report JSON/CSV/XLSX, both imports, webhooks, the operator WebSocket, the UI's index, /metrics; then a
 * SIGTERM and a clean exit.
 *
 * In-process stacks cannot see what this sees: flags given to the server process (`--single-threaded-gc`
 * broke every worker route), the order of start-up steps (/healthz before the demo existed), the prestart.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import ExcelJS from 'exceljs';
import { WebSocket } from 'ws';
import { repoDir } from './server-process.ts';
import { freePort } from '../gateway/test-server.ts';
import { pdfText } from '../workers/testing/pdf-text.ts';
import type { DemoTokens } from '../gateway/demo-seed.ts';

/** The prestart may build the UI on a clean clone (tens of seconds on a small host); a start past this fails. */
const readyTimeoutMs = 180_000;
const healthPollMs = 10;
const stopTimeoutMs = 40_000;

type Json = Record<string, unknown>;


/** The environment a person's shell would have: this test runner's loaders and TAP variables removed. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name === 'NODE_OPTIONS' || name.startsWith('TAP') || name.startsWith('_TAP') || name.startsWith('npm_')) continue;
    env[name] = value;
  }
  return env;
}

interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bytes: Buffer;
  readonly text: string;
  readonly json: unknown;
}

async function http(base: string, method: string, path: string, options: { token?: string; body?: unknown; raw?: string; contentType?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await request(`${base}${path}`, { method: method as 'GET', headers, ...(body === undefined ? {} : { body }) });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  const text = bytes.toString('utf8');
  const type = String(response.headers['content-type'] ?? '');
  return { status: response.statusCode, headers: response.headers, bytes, text, json: type.includes('json') && text !== '' ? JSON.parse(text) : undefined };
}


function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

t.test('npm start, as a partner runs it: ready means ready, and every route family answers', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-smoke-'));
  const port = await freePort();
  const metricsPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Its own process group, so the stop reaches npm, its shell and the server together.
  const child = spawn('npm', ['start', '--', '--port', String(port), '--metrics-port', String(metricsPort), '--host', '127.0.0.1', '--data-dir', dataDir], {
    cwd: repoDir, env: userEnvironment(), detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = exitOf(child);
  t.teardown(async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  // As API.md tells a partner's harness: poll /healthz until 200, then read the tokens file at once.
  const started = Date.now();
  let sawStarting = false;
  for (;;) {
    if (child.exitCode !== null) t.fail(`npm start exited with ${child.exitCode} before it was ready:\n${output}`);
    if (Date.now() - started > readyTimeoutMs) t.fail(`not ready within ${readyTimeoutMs} ms:\n${output}`);
    if (child.exitCode !== null || Date.now() - started > readyTimeoutMs) return;
    const health = await request(`${base}/healthz`).then(async (r) => { await r.body.dump(); return r.statusCode; }, () => 0);
    if (health === 200) break;
    if (health === 503) sawStarting = true;
    await new Promise((resolve) => setTimeout(resolve, healthPollMs));
  }
  const tokensPath = join(dataDir, 'demo-tokens.json');
  t.ok(existsSync(tokensPath), 'demo-tokens.json exists the moment /healthz first answers 200');
  const tokens = JSON.parse(readFileSync(tokensPath, 'utf8')) as DemoTokens;
  t.comment(`ready after ${Date.now() - started} ms${sawStarting ? ' (answered 503 starting before)' : ''}`);
  t.equal((await http(base, 'GET', '/readyz')).status, 200, '/readyz agrees');
  const { admin, partner } = tokens;
  const operator = tokens.operators['gp1'] as string;

  // Calls.
  const created = await http(base, 'POST', '/api/v1/calls', {
    token: partner,
    body: { source: 'portal', kind: 'primary', patient: { surname: 'Дымов', name: 'Пётр', birthDate: '1970-07-07', sex: 'M' }, address: { text: 'ул. Свободы', house: '3' }, complaints: { text: 'кашель' } },
  });
  t.equal(created.status, 201, `POST /calls: ${created.text.slice(0, 300)}`);
  const callId = String((created.json as Json)['id']);
  t.equal((await http(base, 'GET', `/api/v1/calls/${callId}`, { token: partner })).status, 200, 'GET /calls/:id');

  // Directory.
  const clinics = await http(base, 'GET', '/api/v1/clinics', { token: partner });
  t.equal(clinics.status, 200, 'GET /clinics');
  t.equal((await http(base, 'GET', '/api/v1/clinics/gp1/doctors', { token: partner })).status, 200, 'GET /clinics/:id/doctors');

  // Slots, both range forms.
  const slots = await http(base, 'GET', '/api/v1/slots?clinicId=gp1&status=free&limit=50', { token: partner });
  t.equal(slots.status, 200, 'GET /slots');
  const slot = (slots.json as Json[])[0] as Json;
  const date = String(slot['date']);
  const byDate = await http(base, 'GET', `/api/v1/slots?clinicId=gp1&from=${date}&to=${date}`, { token: partner });
  t.equal(byDate.status, 200, 'slots by dates');
  const dayStart = new Date(Date.parse(`${date}T00:00:00+03:00`)).toISOString();
  const dayEnd = new Date(Date.parse(`${date}T00:00:00+03:00`) + 86_400_000).toISOString();
  const byInstant = await http(base, 'GET', `/api/v1/slots?clinicId=gp1&from=${dayStart}&to=${dayEnd}`, { token: partner });
  t.equal(byInstant.status, 200, `slots by RFC 3339 instants: ${byInstant.text.slice(0, 200)}`);
  t.same((byInstant.json as Json[]).map((s) => s['id']), (byDate.json as Json[]).map((s) => s['id']), 'both forms give the same day');

  // Holds and appointments.
  const hold = await http(base, 'POST', `/api/v1/slots/${String(slot['id'])}/hold`, { token: operator, body: {} });
  t.equal(hold.status, 201, `hold: ${hold.text.slice(0, 200)}`);
  const booked = await http(base, 'POST', '/api/v1/appointments', {
    token: operator,
    body: { slotId: slot['id'], holdId: (hold.json as Json)['holdId'], source: 'registry', patient: { surname: 'Смоков', name: 'Иван', birthDate: '1980-01-01', sex: 'M', phone: '+79160000001' } },
  });
  t.equal(booked.status, 201, `book: ${booked.text.slice(0, 200)}`);
  const appointmentId = String((booked.json as Json)['id']);
  t.equal((await http(base, 'GET', `/api/v1/appointments/${appointmentId}`, { token: operator })).status, 200, 'GET /appointments/:id');

  // Queue.
  const queue = await http(base, 'GET', `/api/v1/doctors/${String(slot['doctorId'])}/queue`, { token: operator });
  t.equal(queue.status, 200, 'GET /doctors/:id/queue');

  // Call-out: tasks as JSON and CSV, results.
  const tasks = await http(base, 'GET', '/api/v1/callout/tasks?clinicId=gp1', { token: partner });
  t.equal(tasks.status, 200, 'GET /callout/tasks');
  const tasksCsv = await http(base, 'GET', '/api/v1/callout/tasks?clinicId=gp1&format=csv', { token: partner });
  t.equal(tasksCsv.status, 200, 'GET /callout/tasks?format=csv');
  t.match(String(tasksCsv.headers['content-type']), /text\/csv/);
  const results = await http(base, 'POST', '/api/v1/callout/results', { token: partner, body: [{ appointmentId, result: 'confirmed', attempt: 1, talkSeconds: 10, at: new Date().toISOString() }] });
  t.equal(results.status, 200, `POST /callout/results: ${results.text.slice(0, 200)}`);

  // Worker routes: route sheet, report, export — every one answered 500 under npm start before.
  const doctorId = 'gp1-d1';
  const sheet = await http(base, 'GET', `/api/v1/doctors/${doctorId}/route-sheet`, { token: admin });
  t.equal(sheet.status, 200, `route sheet JSON: ${sheet.text.slice(0, 300)}`);
  const html = await http(base, 'GET', `/api/v1/doctors/${doctorId}/route-sheet?format=html`, { token: admin });
  t.equal(html.status, 200, 'route sheet HTML');
  t.match(html.text, /Иванова/, 'the HTML names the doctor');
  const pdf = await http(base, 'GET', `/api/v1/doctors/${doctorId}/route-sheet?format=pdf`, { token: admin });
  t.equal(pdf.status, 200, 'route sheet PDF');
  t.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  t.match(await pdfText(pdf.bytes), /Иванова/, "the PDF's text has the doctor's Cyrillic surname");
  const range = `clinicId=gp1&from=${date}&to=${date}`;
  const report = await http(base, 'GET', `/api/v1/reports/operations?${range}`, { token: admin });
  t.equal(report.status, 200, `report JSON: ${report.text.slice(0, 300)}`);
  const reportCsv = await http(base, 'GET', `/api/v1/reports/operations?${range}&format=csv`, { token: admin });
  t.equal(reportCsv.status, 200, 'report CSV');
  t.match(String(reportCsv.headers['content-type']), /text\/csv/);
  const reportXlsx = await http(base, 'GET', `/api/v1/reports/operations?${range}&format=xlsx`, { token: admin });
  t.equal(reportXlsx.status, 200, 'report XLSX');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(reportXlsx.bytes as unknown as ArrayBuffer);
  t.ok(workbook.worksheets.length > 0, 'the XLSX opens');
  const exported = await http(base, 'GET', `/api/v1/callout/tasks/export?clinicId=gp1&date=${date}`, { token: partner });
  t.equal(exported.status, 200, 'call-out export CSV');

  // Both imports (raw CSV bodies through the one pipeline).
  const resultsCsv = `appointment_id,result,attempt,talk_seconds,at\r\n${appointmentId},busy,2,,\r\n`;
  const importedResults = await http(base, 'POST', '/api/v1/imports/callout-results', { token: partner, raw: resultsCsv, contentType: 'text/csv' });
  t.equal(importedResults.status, 200, `callout-results import: ${importedResults.text.slice(0, 300)}`);
  t.match(importedResults.json, { counts: { applied: 1 } });
  const directoryCsv = [
    'kind,id,clinic_id,name,address,time_zone,age_category,subdivision_id,rules,specialty,district_ids,home_visit_minutes,doctor_id,weekday,start,end,assign_sla_minutes',
    'clinic,gp9,,Поликлиника № 9,"г. Ярославль, ул. Новая, 1",Europe/Moscow,,,,,,,,,,,20',
    'subdivision,adult,gp9,Взрослое отделение,,,adult,,,,,,,,,,',
  ].join('\r\n');
  const importedDirectory = await http(base, 'POST', '/api/v1/imports/directory', { token: admin, raw: directoryCsv, contentType: 'text/csv' });
  t.equal(importedDirectory.status, 200, `directory import: ${importedDirectory.text.slice(0, 300)}`);
  t.match(importedDirectory.json, { counts: { applied: 2, invalid: 0 } });

  // Webhooks.
  const hooks = await http(base, 'GET', '/api/v1/webhooks', { token: partner });
  t.equal(hooks.status, 200, 'GET /webhooks');

  // The operator WebSocket: a snapshot of the clinic's board.
  const frame = await new Promise<Json>((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['clinic-dispatch.json'], { headers: { authorization: `Bearer ${operator}` } });
    const timer = setTimeout(() => { socket.terminate(); reject(new Error('no snapshot within 10 s')); }, 10_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'subscribe', topic: 'clinic/gp1' })));
    socket.on('message', (data: Buffer) => {
      const parsed = JSON.parse(data.toString()) as Json;
      if (parsed['type'] === 'snapshot' || parsed['type'] === 'error') {
        clearTimeout(timer);
        socket.close();
        resolve(parsed);
      }
    });
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
  });
  t.equal(frame['type'], 'snapshot', 'the operator socket sends the board');

  // The operator UI and the metrics.
  const index = await http(base, 'GET', '/');
  t.equal(index.status, 200, 'the UI index');
  t.match(index.text, /<html/i);
  t.equal((await http(base, 'GET', '/metrics')).status, 404, '/metrics is not served on the API port');
  const metrics = await http(`http://127.0.0.1:${metricsPort}`, 'GET', '/metrics');
  t.equal(metrics.status, 200, '/metrics on its own listener');
  t.match(metrics.text, /cd_worker_tasks_total\{outcome="completed"\} [1-9]/, 'the worker tasks were counted');

  t.match(output, /\{"event":"listening","port":\d+/, 'the listening line was printed');
  t.notMatch(output, /"level":50/, 'no error was logged');

  // A clean stop: SIGTERM to the server process (its pid is in every log line), as a supervisor sends it;
  // npm then exits with the server's code.
  const serverPid = Number(/"pid":(\d+)/.exec(output)?.[1]);
  t.ok(Number.isInteger(serverPid) && serverPid !== child.pid, 'the server logged its pid');
  process.kill(serverPid, 'SIGTERM');
  const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), stopTimeoutMs))]);
  t.equal(code, 0, 'npm start exits 0 after SIGTERM');
});
