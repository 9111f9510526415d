/**
 * The demo region for an empty data directory (API.md "Running it for a partner's tests"): three clinics with
 * doctors, districts and weekly hours, plus tokens for an admin, a partner, one operator per clinic and each
 * doctor, and sign-in logins, written to `<data-dir>/demo-tokens.json`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoRegionCommands, demoClinics } from '../engine/demo-region.ts';
import type { EngineHost } from '../persistence/engine-host.ts';
import type { TokenStore } from './auth/token-store.ts';
import { seedDemoLogins } from './ui/demo-logins.ts';

export interface DemoTokens {
  readonly admin: string;
  readonly partner: string;
  readonly operators: Record<string, string>;
  readonly doctors: Record<string, string>;
  readonly logins: Array<{ login: string; password: string; role: string; clinicId: string; doctorId?: string }>;
}

export const demoDoctorsPerClinic = 4;

export async function seedDemo(host: EngineHost, tokens: TokenStore, dataDir: string, nowMs: number): Promise<DemoTokens> {
  for (const command of demoRegionCommands(demoDoctorsPerClinic)) {
    const result = await host.submit(command, 'admin:demo');
    if (!result.ok) throw new Error(`demo region refused: ${JSON.stringify(result)}`);
  }
  const admin = await tokens.issue('admin', { kind: 'region' }, 'demo admin', nowMs);
  const partner = await tokens.issue('partner', { kind: 'region' }, 'demo partner (portal, SMP, call-out robot)', nowMs);
  const operators: Record<string, string> = {};
  const doctors: Record<string, string> = {};
  for (const clinic of demoClinics) {
    operators[clinic.id] = (await tokens.issue('operator', { kind: 'clinics', clinicIds: [clinic.id] }, `demo operator ${clinic.id}`, nowMs)).token;
    for (const doctor of host.read.clinic(clinic.id)?.roster.values() ?? []) {
      doctors[doctor.id] = (await tokens.issue('doctor', { kind: 'doctor', clinicId: clinic.id, doctorId: doctor.id }, `demo doctor ${doctor.id}`, nowMs)).token;
    }
  }
  const logins = await seedDemoLogins(host, demoClinics.map((clinic) => clinic.id), nowMs);
  const demo: DemoTokens = { admin: admin.token, partner: partner.token, operators, doctors, logins };
  writeFileSync(join(dataDir, 'demo-tokens.json'), `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return demo;
}
