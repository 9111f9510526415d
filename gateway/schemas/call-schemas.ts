/** Home-visit call requests and replies (API.md "Home-visit calls"). Unknown fields are refused. */
import { Type } from '@sinclair/typebox';
import { callKinds, callSources, callStatuses, complaintTags } from '../../engine/index.ts';
import { Id, IsoDate, IsoTime } from './common.ts';

const closed = { additionalProperties: false } as const;
const text = (maxLength: number) => Type.String({ maxLength });
const union = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

export const PatientInput = Type.Object(
  {
    policy: Type.Optional(Type.String({ pattern: '^[0-9 -]{16,24}$', description: 'unified OMS policy number, 16 digits' })),
    surname: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    patronymic: Type.Optional(text(100)),
    birthDate: IsoDate,
    sex: union(['M', 'F'] as const),
    phone: Type.Optional(Type.String({ maxLength: 32 })),
    cardNumber: Type.Optional(text(50)),
  },
  closed,
);

export const AddressInput = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 300 }),
    house: Type.Optional(text(50)),
    building: Type.Optional(text(50)),
    structure: Type.Optional(text(50)),
    apartment: Type.Optional(text(50)),
    entrance: Type.Optional(text(50)),
    floor: Type.Optional(Type.Integer({ minimum: -5, maximum: 200 })),
    intercom: Type.Optional(text(50)),
    landmarks: Type.Optional(text(300)),
    privateSector: Type.Optional(Type.Boolean()),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  },
  closed,
);

export const RegisterCallBody = Type.Object(
  {
    source: union(callSources),
    kind: union(callKinds),
    clinicId: Type.Optional(Id),
    patient: PatientInput,
    address: AddressInput,
    complaints: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }), tags: Type.Optional(Type.Array(union(complaintTags), { maxItems: 40 })) }, closed),
    caller: Type.Optional(Type.Object({ type: Type.String({ minLength: 1, maxLength: 50 }), phone: Type.Optional(Type.String({ maxLength: 32 })), name: Type.Optional(text(100)) }, closed)),
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { ...closed, $id: 'RegisterCall' },
);

export const AssignBody = Type.Object({ doctorId: Id, visitDate: IsoDate }, closed);
export const TransferBody = Type.Object({ clinicId: Id, reason: Type.String({ minLength: 1, maxLength: 500 }) }, closed);
export const CancelBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, closed);
export const CompleteBody = Type.Object({ diagnosis: Type.Optional(text(500)), note: Type.Optional(text(2000)) }, closed);

/** An RFC 3339 instant with an offset; checked exactly by gateway/routes/as-of.ts. */
const AsOfInstant = Type.String({ minLength: 20, maxLength: 40 });

export const CallSearchQuery = Type.Object(
  { policy: Type.Optional(Type.String({ maxLength: 32 })), phone: Type.Optional(Type.String({ maxLength: 32 })), status: Type.Optional(union(callStatuses)) },
  closed,
);

export const ClinicCallsQuery = Type.Object(
  {
    status: Type.Optional(union(callStatuses)),
    doctorId: Type.Optional(Id),
    kind: Type.Optional(union(callKinds)),
    ageCategory: Type.Optional(union(['child', 'adult'] as const)),
    subdivisionId: Type.Optional(Id),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    overdue: Type.Optional(union(['true', 'false'] as const)),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
    at: Type.Optional(AsOfInstant),
  },
  closed,
);

/** `?at=`: the state as it was at that instant (time travel). */
export const AsOfQuery = Type.Object({ at: Type.Optional(AsOfInstant) }, closed);

export const SuggestQuery = Type.Object({ visitDate: Type.Optional(IsoDate) }, closed);

export const CallView = Type.Object(
  {
    id: Type.String(),
    number: Type.Integer(),
    clinicId: Type.String(),
    status: union(callStatuses),
    overdue: Type.Boolean(),
    createdAt: IsoTime,
    visitDate: IsoDate,
    source: union(callSources),
    kind: union(callKinds),
    emergencyAdvice: Type.Boolean(),
    redFlags: Type.Array(Type.String()),
    history: Type.Array(Type.Object({ at: IsoTime, status: union(callStatuses), by: Type.String() }, { additionalProperties: true })),
  },
  { additionalProperties: true, $id: 'Call' },
);

export const BoardView = Type.Object(
  {
    clinicId: Type.String(),
    date: IsoDate,
    counters: Type.Object({ received: Type.Integer(), new: Type.Integer(), overdue: Type.Integer(), assigned: Type.Integer(), completed: Type.Integer() }),
    doctors: Type.Array(Type.Object({ doctorId: Type.String(), name: Type.String(), assigned: Type.Integer(), completed: Type.Integer() }, { additionalProperties: true })),
  },
  { additionalProperties: true, $id: 'Board' },
);
