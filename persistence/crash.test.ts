/**
 * Crash test over a real server process: drive commands over HTTP, `kill -9` at a random moment, restart,
 * and check that every acknowledged command's effect is there; 20 cycles. At the end the state recovered from
 * snapshot + log equals a clean replay of the whole log (verify).
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { Prng } from '../engine/simulation/prng.ts';
import { verifyDataDir } from './verify.ts';
import { serverNodeFlags } from '../gateway/node-flags.ts';

const repoDir = fileURLToPath(new URL('../', import.meta.url));
const cycles = Number(process.env['CRASH_CYCLES'] ?? 20);
const seed = Number(process.env['CRASH_SEED'] ?? Date.now() % 100_000);

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
}

function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [...serverNodeFlags, '--import', 'tsx', 'gateway/main.ts', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    cwd: repoDir,
    env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('the server did not start in 30 s')), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /\{"event":"listening","port":(\d+)/.exec(buffer);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
  });
}

function killHard(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.child.once('exit', () => resolve());
    server.child.kill('SIGKILL');
  });
}

async function post(port: number, path: string, token: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  try {
    const response = await request(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  } catch {
    return undefined; // the server died mid-request: not acknowledged
  }
}

t.test(`kill -9 at random moments, ${cycles} cycles (seed ${seed})`, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-crash-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const rng = new Prng(seed);
  const acknowledged = new Map<string, string>();
  let patient = 0;
  let token = '';
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    const server = await startServer(dataDir);
    if (token === '') token = (JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as { partner: string }).partner;
    for (const [callId, status] of acknowledged) {
      const response = await request(`http://127.0.0.1:${server.port}/api/v1/calls/${callId}`, { headers: { authorization: `Bearer ${token}` } });
      const call = (await response.body.json()) as { status?: string };
      if (response.statusCode !== 200 || (status === 'assigned' && call.status !== 'assigned')) {
        t.fail(`cycle ${cycle}: acknowledged ${callId} (${status}) came back as ${response.statusCode} ${call.status}`);
      }
    }
    const killAfterMs = rng.int(20, 400);
    const load = (async () => {
      for (;;) {
        const batch = Array.from({ length: rng.int(1, 8) }, () => {
          patient += 1;
          return post(server.port, '/api/v1/calls', token, {
            source: 'call_center', kind: 'primary',
            patient: { surname: 'Крашев', name: `П${patient}`, birthDate: '1970-01-01', sex: 'M', policy: String(3000000000000000 + patient) },
            address: { text: 'ул. Свободы', house: String(1 + (patient % 100)) },
            complaints: { text: 'температура' },
          });
        });
        const results = await Promise.all(batch);
        if (results.some((r) => r === undefined)) return;
        for (const result of results) {
          if (result?.status === 201) acknowledged.set(String(result.body['id']), 'new');
        }
        const first = results.find((r) => r?.status === 201);
        if (first !== undefined && rng.chance(0.5)) {
          const id = String(first.body['id']);
          const assigned = await post(server.port, `/api/v1/calls/${id}/assign`, token, { doctorId: 'gp1-d1', visitDate: String(first.body['visitDate']) });
          if (assigned === undefined) return;
          if (assigned.status === 200) acknowledged.set(id, 'assigned');
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    await killHard(server);
    await load;
  }
  t.ok(acknowledged.size > cycles, `${acknowledged.size} calls acknowledged across the cycles`);
  const last = await startServer(dataDir);
  const missing: string[] = [];
  for (const callId of acknowledged.keys()) {
    const response = await request(`http://127.0.0.1:${last.port}/api/v1/calls/${callId}`, { headers: { authorization: `Bearer ${token}` } });
    await response.body.dump();
    if (response.statusCode !== 200) missing.push(callId);
  }
  t.same(missing, [], 'every acknowledged call survived every kill');
  const final = await post(last.port, '/api/v1/calls', token, {
    source: 'registry', kind: 'repeat',
    patient: { surname: 'Финалов', name: 'Ф', birthDate: '1990-01-01', sex: 'F' },
    address: { text: 'ул. Кирова', house: '2' },
    complaints: { text: 'повторный' },
  });
  t.equal(final?.status, 201, 'one more call before the clean stop');
  await new Promise<void>((resolve) => {
    last.child.once('exit', () => resolve());
    last.child.kill('SIGTERM');
  });
  const report = verifyDataDir(dataDir);
  t.same(report.problems, [], 'verify finds no problem');
  t.equal(report.recoveryHash, report.replayHash, 'recovered state hash equals a clean replay of the whole log');
  t.ok(report.snapshotsChecked >= 1, 'the clean stop wrote a snapshot that verify checked');
});
