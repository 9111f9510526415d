/**
 * One TypeBox schema per client message and per command the socket accepts (DESIGN.md rule 6). The field
 * names are the engine command's own; the bodies reuse the partner API's schemas (gateway/schemas), calendar
 * ones included, so a call registered or an appointment booked over the socket is checked exactly as over HTTP.
 *
 * The socket takes the operator desk's commands. Directory and schedule set-up, calendar settings, the
 * outbox and the call-out robot's and patients' inputs stay on the partner API. A client never names a slot
 * `holder`: the engine holds for the command's `by` (the session's principal), so one client cannot claim
 * another's hold by naming it.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Command } from '../../engine/index.ts';
import { idempotencyKeyCharsMax } from '../../persistence/idempotency-ledger.ts';
import { fieldErrorsMax } from '../http/validation.ts';
import type { FieldError } from '../http/problem.ts';
import { BookBody, CancelAppointmentBody, RescheduleBody } from '../schemas/calendar-schemas.ts';
import { AssignBody, CancelBody, CompleteBody, RegisterCallBody, TransferBody } from '../schemas/call-schemas.ts';
import { Id } from '../schemas/common.ts';
import { topicCharsMax } from './topics.ts';

const closed = { additionalProperties: false } as const;
const RequestId = Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })]);
const Topic = Type.String({ minLength: 1, maxLength: topicCharsMax });
const topicMessage = <T extends string>(type: T) => Type.Object({ type: Type.Literal(type), topic: Topic, requestId: Type.Optional(RequestId) }, closed);

export const clientMessageSchemas = {
  subscribe: topicMessage('subscribe'),
  unsubscribe: topicMessage('unsubscribe'),
  resync: topicMessage('resync'),
  ping: Type.Object({ type: Type.Literal('ping'), requestId: Type.Optional(RequestId) }, closed),
  command: Type.Object(
    {
      type: Type.Literal('command'),
      requestId: RequestId,
      idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: idempotencyKeyCharsMax, pattern: '^[\\x21-\\x7e]+$' })),
      // Checked against the command's own schema next, so its errors carry precise paths.
      command: Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: true }),
    },
    closed,
  ),
} as const;

export type ClientMessageType = keyof typeof clientMessageSchemas;

const command = <T extends string, P extends Record<string, TSchema>>(type: T, properties: P) =>
  Type.Object({ type: Type.Literal(type), ...properties }, closed);

/** Keys are engine command types (`satisfies` fails the build if the engine renames one). */
export const commandSchemas = {
  RegisterCall: command('RegisterCall', { call: Type.Object(RegisterCallBody.properties, closed) }),
  AcceptCall: command('AcceptCall', { callId: Id }),
  AssignCall: command('AssignCall', { callId: Id, ...AssignBody.properties }),
  CancelCall: command('CancelCall', { callId: Id, ...CancelBody.properties }),
  CompleteCall: command('CompleteCall', { callId: Id, ...CompleteBody.properties }),
  TransferCall: command('TransferCall', { callId: Id, toClinicId: Id, reason: TransferBody.properties.reason }),
  HoldSlot: command('HoldSlot', { slotId: Id }),
  ReleaseHold: command('ReleaseHold', { slotId: Id, holdId: Type.Optional(Id) }),
  BookAppointment: command('BookAppointment', { booking: Type.Object(BookBody.properties, closed) }),
  ConfirmAppointment: command('ConfirmAppointment', { appointmentId: Id }),
  CancelAppointment: command('CancelAppointment', { appointmentId: Id, ...CancelAppointmentBody.properties }),
  RescheduleAppointment: command('RescheduleAppointment', { appointmentId: Id, ...RescheduleBody.properties }),
  CheckInAppointment: command('CheckInAppointment', { appointmentId: Id }),
  CallNextPatient: command('CallNextPatient', { doctorId: Id }),
  CompleteAppointment: command('CompleteAppointment', { appointmentId: Id }),
  MarkNoShow: command('MarkNoShow', { appointmentId: Id }),
  AcknowledgeAlert: command('AcknowledgeAlert', { alertId: Id }),
} satisfies Partial<Record<Command['type'], TSchema>>;

export type SocketCommandType = keyof typeof commandSchemas;

export function isSocketCommandType(type: string): type is SocketCommandType {
  return Object.hasOwn(commandSchemas, type);
}

export function isClientMessageType(type: string): type is ClientMessageType {
  return Object.hasOwn(clientMessageSchemas, type);
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Every wrong field (up to `fieldErrorsMax`) with its JSON-pointer path under `prefix`; empty when valid. */
export function fieldErrors(schema: TSchema, value: unknown, prefix = ''): FieldError[] {
  let checker = compiled.get(schema);
  if (checker === undefined) {
    checker = TypeCompiler.Compile(schema);
    compiled.set(schema, checker);
  }
  if (checker.Check(value)) return [];
  const errors: FieldError[] = [];
  for (const error of checker.Errors(value)) {
    errors.push({ path: `${prefix}${error.path}` || '/', message: error.message });
    if (errors.length >= fieldErrorsMax) break;
  }
  return errors.length > 0 ? errors : [{ path: prefix || '/', message: 'invalid' }];
}
