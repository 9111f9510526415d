/**
 * Who is calling: a role and a scope. Scope checks live here in one place; a resource outside the scope is
 * answered 403 whether or not it exists, so tenants learn nothing about each other.
 */
export const roles = ['admin', 'operator', 'doctor', 'partner'] as const;
export type Role = (typeof roles)[number];

export type Scope =
  | { readonly kind: 'region' }
  | { readonly kind: 'clinics'; readonly clinicIds: readonly string[] }
  | { readonly kind: 'doctor'; readonly clinicId: string; readonly doctorId: string };

export interface Principal {
  readonly id: string;
  readonly role: Role;
  readonly scope: Scope;
  readonly label: string;
}

export function canSeeClinic(principal: Principal, clinicId: string): boolean {
  switch (principal.scope.kind) {
    case 'region':
      return true;
    case 'clinics':
      return principal.scope.clinicIds.includes(clinicId);
    case 'doctor':
      return principal.scope.clinicId === clinicId;
  }
}

export function canSeeDoctor(principal: Principal, clinicId: string, doctorId: string): boolean {
  if (principal.scope.kind === 'doctor') return principal.scope.doctorId === doctorId;
  return canSeeClinic(principal, clinicId);
}

/** The `by` written into histories: role and principal id, never a name or a secret. */
export function actorOf(principal: Principal): string {
  return `${principal.role}:${principal.id}`;
}
