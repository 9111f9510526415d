/** Schemas shared by several routes: ids, dates, times and the problem body. */
import { Type } from '@sinclair/typebox';

export const Id = Type.String({ minLength: 1, maxLength: 120, pattern: '^[A-Za-z0-9._-]+$' });
export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD in the clinic time zone' });
export const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 with offset' });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'For people reading logs; English, and may change: translate by reason or code instead' }),
    code: Type.String({ description: 'The stable name of the problem, as in type (/problems/<code>)' }),
    reason: Type.Optional(Type.String({ description: 'The stable name of an engine rejection, finer than code (patient_has_open_call, slot_held)' })),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, $id: 'Problem' },
);

export const Empty = Type.Object({}, { additionalProperties: false });

/** The standard problem replies every authenticated route can give. */
export const problemReplies = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  413: ProblemSchema,
  422: ProblemSchema,
  429: ProblemSchema,
} as const;
