/**
 * Commands over the socket: `{type: 'command', requestId, idempotencyKey?, command}`. In order: the token is
 * re-verified (a disabled token closes the socket with 4001), the command is validated against its schema
 * (errors name `/command/...` paths), the in-flight bound is checked, the scope is checked, and only then is
 * it submitted as the session's principal. Anything refused before the engine gets an `error` frame and
 * nothing is submitted; anything the engine decided gets exactly one `reply`, sent only after the log entry
 * holding its events is durable (host.submit resolves then — rule 3).
 *
 * Bound: `commandsInFlightMax` commands of one connection wait for durability at once.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ownerOf, type ReadModel, type Rejection } from '../../engine/index.ts';
import type { EngineHost } from '../../persistence/engine-host.ts';
import type { TokenStore } from '../auth/token-store.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { Problem, problemFromRejection } from '../http/problem.ts';
import { callWire } from '../views.ts';
import { closeCodes, type CloseCode } from './close-codes.ts';
import { scopeCommand, type SocketCommand } from './command-scope.ts';
import { withHoldId } from '../auth/hold-ids.ts';
import { disclosedRejection } from '../auth/rejection-disclosure.ts';
import { commandSchemas, fieldErrors, isSocketCommandType } from './message-schemas.ts';
import type { OperatorSession } from './operator-session.ts';
import type { ErrorFrame, RequestId } from './socket-frames.ts';
import type { OperatorSocketSettings } from './socket-settings.ts';
import { withIsoInstants } from './wire-instants.ts';

export interface SocketCommandDeps {
  readonly host: EngineHost;
  readonly tokens: TokenStore;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly settings: OperatorSocketSettings;
  readonly sendError: (session: OperatorSession, error: ErrorFrame) => void;
  readonly close: (session: OperatorSession, code: CloseCode) => void;
}

export interface CommandMessage {
  readonly requestId: RequestId;
  readonly idempotencyKey?: string;
  readonly command: { readonly type: string } & Readonly<Record<string, unknown>>;
}

const callCommandTypes: ReadonlySet<string> = new Set(['RegisterCall', 'AcceptCall', 'AssignCall', 'CancelCall', 'CompleteCall', 'TransferCall']);

export async function runCommand(deps: SocketCommandDeps, session: OperatorSession, message: CommandMessage): Promise<void> {
  const started = performance.now();
  const { requestId } = message;
  const type = message.command.type;
  const label = isSocketCommandType(type) ? type : 'unknown';
  const refuse = (error: Omit<ErrorFrame, 'requestId'>, outcome: string): void => {
    deps.sendError(session, { ...error, requestId });
    deps.metrics.wsCommands.inc({ command: label, outcome });
  };
  if (deps.tokens.verify(session.token) === undefined) {
    deps.close(session, closeCodes.unauthorized);
    return;
  }
  if (!isSocketCommandType(type)) {
    const known = Object.keys(commandSchemas).join(', ');
    return refuse({ code: 'unknown_command', message: `the socket does not take ${type.slice(0, 64)}; it takes ${known}`, errors: [{ path: '/command/type', message: 'unknown command' }] }, 'invalid');
  }
  const errors = fieldErrors(commandSchemas[type], message.command, '/command');
  const first = errors[0];
  if (first !== undefined) return refuse({ code: 'validation_failed', message: `${first.path} ${first.message}`, errors }, 'invalid');
  if (session.commandsInFlight >= deps.settings.commandsInFlightMax) {
    return refuse({ code: 'too_many_in_flight', message: `at most ${deps.settings.commandsInFlightMax} commands may wait for their replies at once` }, 'refused');
  }
  // The schema has checked the shape; the engine checks the domain rules again.
  const scoped = scopeCommand(session.principal, message.command as unknown as SocketCommand, deps.host.read);
  if (!scoped.ok) return refuse(scoped.error, scoped.error.code === 'forbidden' ? 'forbidden' : 'invalid');
  session.commandsInFlight += 1;
  let reply: Record<string, unknown>;
  let outcome: string;
  try {
    const submitted = await deps.host.submit(withHoldId(scoped.command), session.actor, idempotencyOf(session, message));
    if (submitted.ok) {
      session.holds.afterAccepted(scoped.command, submitted.reply);
      reply = { type: 'reply', requestId, ok: true, result: resultOf(scoped.command, submitted.reply, deps.host.read) };
      outcome = 'ok';
    } else if ('idempotencyMismatch' in submitted) {
      reply = { type: 'reply', requestId, ok: false, problem: new Problem(422, 'idempotency_key_reused', 'this idempotencyKey was used with a different command').body() };
      outcome = 'rejected';
    } else {
      reply = { type: 'reply', requestId, ok: false, problem: rejectionProblem(disclosedRejection(session.principal, submitted.rejection, deps.host.read)) };
      outcome = 'rejected';
    }
  } catch (error) {
    deps.logger.error({ err: error, session: session.id, requestId, command: type }, 'socket command failed');
    reply = { type: 'reply', requestId, ok: false, problem: new Problem(500, 'internal', `an internal error occurred; quote session ${session.id}`).body() };
    outcome = 'error';
  } finally {
    session.commandsInFlight -= 1;
  }
  deps.metrics.wsCommands.inc({ command: type, outcome });
  deps.metrics.wsLatency.observe({ command: type }, (performance.now() - started) / 1000);
  session.send(reply);
}

/**
 * A rejection as problem+json. The rejection's details (ids the caller may act on) go under `details`: spread
 * into the body as the partner API does, a detail named `status` (a slot's) would overwrite the HTTP status.
 */
function rejectionProblem(rejection: Rejection): Record<string, unknown> {
  const problem = problemFromRejection(rejection);
  return { ...problem.body(), status: problem.status, ...(rejection.details === undefined ? {} : { details: rejection.details }) };
}

/** The socket's keys live beside the partner API's in the ledger, in their own namespace per principal. */
function idempotencyOf(session: OperatorSession, message: CommandMessage): { idempotency?: { key: string; requestHash: string } } {
  if (message.idempotencyKey === undefined) return {};
  const requestHash = createHash('sha256').update('ws\0').update(JSON.stringify(message.command)).digest('hex');
  return { idempotency: { key: `${session.principal.id}:ws:${message.idempotencyKey}`, requestHash } };
}

/** A call command answers with the call as the partner API shows it; calendar commands with their reply. */
function resultOf(command: SocketCommand, reply: Readonly<Record<string, unknown>>, read: ReadModel): unknown {
  if (callCommandTypes.has(command.type)) {
    const call = read.call(String(reply['id']));
    if (call !== undefined) return callWire(call, read.clinic(call.clinicId)?.info?.timeZone ?? 'UTC');
  }
  return withIsoInstants(reply, timeZoneOf(command, read));
}

function timeZoneOf(command: SocketCommand, read: ReadModel): string {
  const ownedId =
    command.type === 'BookAppointment' ? command.booking.slotId
    : 'appointmentId' in command ? command.appointmentId
    : 'slotId' in command ? command.slotId
    : 'doctorId' in command ? command.doctorId
    : undefined;
  if (ownedId !== undefined) {
    const doctorId = command.type === 'CallNextPatient' ? command.doctorId : ownerOf(ownedId);
    const doctor = doctorId === undefined ? undefined : read.doctor(doctorId);
    if (doctor !== undefined) return doctor.timeZone;
  }
  const clinicId = command.type === 'AcknowledgeAlert' ? ownerOf(command.alertId) : undefined;
  return (clinicId === undefined ? undefined : read.clinic(clinicId)?.info?.timeZone) ?? 'UTC';
}
