/**
 * What the partner API routes share: the host they talk to, scope checks that answer 403 without looking
 * the resource up, and the conversion of a submit outcome into a reply or a problem.
 */
import type { Command, ReadModel } from '../../engine/index.ts';
import { ownerOf } from '../../engine/index.ts';
import type { EngineHost, SubmitOutcome } from '../../persistence/engine-host.ts';
import { actorOf, canSeeClinic, type Principal } from '../auth/principal.ts';
import { Problem, problemFromRejection } from '../http/problem.ts';
import type { RouteContext } from '../http/route.ts';
import type { AsOfSlot } from './as-of.ts';

export interface RouteDeps {
  readonly host: EngineHost;
  readonly now: () => number;
  /** `?at=` reads (time travel), installed by the time-travel extension. */
  readonly asOf: AsOfSlot;
}

export function forbidden(): Problem {
  return new Problem(403, 'forbidden', 'this resource is outside your scope');
}

/** The clinic of an owned id (a call id), checked against the scope before anything is looked up. */
export function clinicOfId(principal: Principal, entityId: string): string {
  const clinicId = ownerOf(entityId);
  if (clinicId === undefined) throw new Problem(404, 'not_found', `${entityId} not found`);
  if (!canSeeClinic(principal, clinicId)) throw forbidden();
  return clinicId;
}

export function requireClinic(principal: Principal, clinicId: string): void {
  if (!canSeeClinic(principal, clinicId)) throw forbidden();
}

/** Submits a command as the caller, with the request's idempotency key; throws the problem of a rejection. */
export async function submit(deps: RouteDeps, context: RouteContext<unknown, unknown>, command: Command): Promise<Readonly<Record<string, unknown>>> {
  const outcome: SubmitOutcome = await deps.host.submit(
    command,
    actorOf(context.principal),
    context.idempotency === undefined ? {} : { idempotency: context.idempotency },
  );
  if (outcome.ok) return outcome.reply;
  if ('idempotencyMismatch' in outcome) throw new Problem(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
  throw problemFromRejection(outcome.rejection);
}

/** Reads see only what is durable: a query waits for the tick in flight. */
export async function readModel(deps: RouteDeps): Promise<ReadModel> {
  await deps.host.whenDurable();
  return deps.host.read;
}

export function timeZoneOf(read: ReadModel, clinicId: string): string {
  return read.region().clinics.get(clinicId)?.timeZone ?? 'UTC';
}
