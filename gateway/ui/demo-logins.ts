/**
 * The demo region's sign-in users (listed in demo-tokens.json under `logins`): an admin, one operator per
 * clinic and one doctor. Passwords are random per data directory and written only to that file (mode 0600),
 * the same way as the demo tokens; the user store keeps their scrypt hashes.
 */
import { randomBytes } from 'node:crypto';
import type { EngineHost } from '../../persistence/engine-host.ts';
import { UserStore, type UiRole } from './user-store.ts';

export interface DemoLogin {
  readonly login: string;
  readonly password: string;
  readonly role: UiRole;
  readonly clinicId: string;
  readonly doctorId?: string;
}

export async function seedDemoLogins(host: EngineHost, clinicIds: readonly string[], nowMs: number): Promise<DemoLogin[]> {
  const users = new UserStore(host.environment);
  const firstClinic = clinicIds[0];
  if (firstClinic === undefined) return [];
  const firstDoctor = [...(host.read.clinic(firstClinic)?.roster.keys() ?? [])].sort()[0];
  const logins: DemoLogin[] = [
    { login: 'admin', password: password(), role: 'admin', clinicId: firstClinic },
    ...clinicIds.map((clinicId): DemoLogin => ({ login: `operator-${clinicId}`, password: password(), role: 'operator', clinicId })),
    ...(firstDoctor === undefined ? [] : [{ login: `doctor-${firstDoctor}`, password: password(), role: 'doctor' as const, clinicId: firstClinic, doctorId: firstDoctor }]),
  ];
  for (const login of logins) if (users.get(login.login) === undefined) await users.create(login, nowMs);
  return logins;
}

function password(): string {
  return randomBytes(12).toString('base64url');
}
