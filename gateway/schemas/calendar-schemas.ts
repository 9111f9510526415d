/** Slots, appointments, reception queue and call-out requests (API.md "Slots and appointments", "Call-out"). */
import { Type } from '@sinclair/typebox';
import { appointmentSources, calloutResults } from '../../engine/calendar/appointment.ts';
import { Id, IsoDate } from './common.ts';
import { DateOrInstant } from './date-or-instant.ts';
import { PatientInput } from './call-schemas.ts';

const closed = { additionalProperties: false } as const;
const union = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

export const SlotsQuery = Type.Object(
  {
    clinicId: Type.Optional(Id),
    doctorId: Type.Optional(Id),
    specialty: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(DateOrInstant),
    to: Type.Optional(DateOrInstant),
    status: Type.Optional(union(['free', 'held', 'booked', 'blocked'] as const)),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  closed,
);

export const NearestQuery = Type.Object(
  { clinicId: Id, doctorId: Type.Optional(Id), specialty: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), date: Type.Optional(IsoDate) },
  closed,
);

export const BookBody = Type.Object(
  {
    slotId: Id,
    holdId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    patient: PatientInput,
    source: union(appointmentSources),
    services: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
  },
  { ...closed, $id: 'BookAppointment' },
);

export const RescheduleBody = Type.Object({ slotId: Id, holdId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, closed);
export const CancelAppointmentBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, closed);
export const FeedbackBody = Type.Object({ rating: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Type.String({ maxLength: 2000 })) }, closed);
export const ExceptionBody = Type.Object(
  { kind: union(['vacation', 'sick_day', 'stop'] as const), from: IsoDate, to: IsoDate, reason: Type.Optional(Type.String({ maxLength: 500 })) },
  closed,
);

export const CalloutTasksQuery = Type.Object({ date: Type.Optional(IsoDate), clinicId: Type.Optional(Id), format: Type.Optional(union(['json', 'csv'] as const)) }, closed);

export const CalloutResultItem = Type.Object(
  {
    appointmentId: Id,
    result: union(calloutResults),
    attempt: Type.Integer({ minimum: 1, maximum: 100 }),
    talkSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 36_000 })),
    at: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$', maxLength: 40, description: 'ISO 8601 with offset' }),
  },
  closed,
);
export const CalloutResultsBody = Type.Array(CalloutResultItem, { minItems: 1, maxItems: 1000 });

export const SlotView = Type.Object(
  { id: Type.String(), doctorId: Type.String(), start: Type.String(), end: Type.String(), status: union(['free', 'held', 'booked', 'blocked'] as const) },
  { additionalProperties: true, $id: 'Slot' },
);
export const AppointmentView = Type.Object(
  { id: Type.String(), slotId: Type.String(), status: Type.String(), patientId: Type.String(), history: Type.Array(Type.Object({}, { additionalProperties: true })) },
  { additionalProperties: true, $id: 'Appointment' },
);
