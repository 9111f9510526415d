/**
 * Actor addresses. An address is all a sender needs to reach an actor, so an actor can later live in
 * another process. Entity ids owned by an actor carry the owner's id before the first `.`
 * (`<clinicId>.<local>` for a home call), so any request can be routed from the id alone.
 */
export type Address = 'region' | `clinic/${string}` | `doctor/${string}`;

export const regionAddress: Address = 'region';

export function clinicAddress(clinicId: string): Address {
  return `clinic/${clinicId}`;
}

export function doctorAddress(doctorId: string): Address {
  return `doctor/${doctorId}`;
}

export type ActorKindName = 'region' | 'clinic' | 'doctor';

export function kindOf(address: Address): ActorKindName {
  if (address === 'region') return 'region';
  return address.startsWith('clinic/') ? 'clinic' : 'doctor';
}

export function idOf(address: Address): string {
  const slash = address.indexOf('/');
  return slash < 0 ? address : address.slice(slash + 1);
}

/** Owner ids are short slugs so they can be embedded in entity ids and topics. */
export const ownerIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function isOwnerId(value: string): boolean {
  return ownerIdPattern.test(value);
}

/** The owner id embedded in an entity id (`c1.k9` → `c1`), or undefined when the id has no owner part. */
export function ownerOf(entityId: string): string | undefined {
  const dot = entityId.indexOf('.');
  if (dot <= 0) return undefined;
  const owner = entityId.slice(0, dot);
  return isOwnerId(owner) ? owner : undefined;
}
