/**
 * What the partner API routes share: the host they talk to, scope checks that answer 403 without looking
 * the resource up, and the conversion of a submit outcome into a reply or a problem.
 */
import type { Command, ReadModel } from '../../engine/index.ts';
import { ownerOf } from '../../engine/index.ts';
import type { EngineHost, SubmitOutcome } from '../../persistence/engine-host.ts';
import { actorOf, canSeeClinic, type Principal } from '../auth/principal.ts';
import { scopeCommand, type ScopeRefusal } from '../auth/command-scope.ts';
import { withHoldId } from '../auth/hold-ids.ts';
import { disclosedRejection } from '../auth/rejection-disclosure.ts';
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

/**
 * Submits a command as the caller, with the request's idempotency key; throws the problem of a rejection. Every
 * command passes the one scope check (gateway/auth/command-scope.ts) on each object it names first, whatever
 * the route checked before.
 */
export async function submit(deps: RouteDeps, context: RouteContext<unknown, unknown>, command: Command): Promise<Readonly<Record<string, unknown>>> {
  const scoped = scopeCommand(context.principal, command, deps.host.read);
  if (!scoped.ok) throw problemOfRefusal(scoped.refusal);
  const outcome: SubmitOutcome = await deps.host.submit(
    withHoldId(scoped.command),
    actorOf(context.principal),
    context.idempotency === undefined ? {} : { idempotency: context.idempotency },
  );
  if (outcome.ok) return outcome.reply;
  if ('idempotencyMismatch' in outcome) throw new Problem(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
  throw problemFromRejection(disclosedRejection(context.principal, outcome.rejection, deps.host.read));
}

export function problemOfRefusal(refusal: ScopeRefusal): Problem {
  const status = refusal.code === 'forbidden' ? 403 : refusal.code === 'not_found' ? 404 : 400;
  return new Problem(status, refusal.code, refusal.message, refusal.errors === undefined ? {} : { errors: refusal.errors.map((error) => ({ ...error })) });
}

/** Reads see only what is durable: a query waits for the tick in flight. */
export async function readModel(deps: RouteDeps): Promise<ReadModel> {
  await deps.host.whenDurable();
  return deps.host.read;
}

export function timeZoneOf(read: ReadModel, clinicId: string): string {
  return read.region().clinics.get(clinicId)?.timeZone ?? 'UTC';
}
