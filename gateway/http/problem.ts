/**
 * Errors as `application/problem+json` (RFC 9457): `{type, title, status, detail, code, reason?, errors?}`.
 * `type` is `/problems/<code>` and `code` the same stable name on its own (`validation_failed`, `rule_broken`,
 * `task_failed`); an engine rejection adds `reason`, the stable name of that particular refusal
 * (`patient_has_open_call`). Clients translate by `reason`, else `code`; `detail` is English for people
 * reading logs, and may change. Handlers throw a `Problem`; the router writes it. A rejection from the engine
 * maps to its status here, in one table.
 */
import type { Rejection, RejectionCode } from '../../engine/index.ts';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The stable name in `type`, on its own. */
  readonly code: string;
  /** An engine rejection's finer stable name, when it has one. */
  readonly reason?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

const noExtensions: Readonly<Record<string, unknown>> = Object.freeze({});

export class Problem extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: readonly FieldError[] | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    detail: string,
    options: { errors?: readonly FieldError[]; extensions?: Readonly<Record<string, unknown>>; headers?: Readonly<Record<string, string>> } = {},
  ) {
    // A problem is an expected answer (a lost race, a bad field), not a fault: capturing a stack trace for it
    // cost ~10% of the server's CPU in the booking storm (thousands of 409s a second), and it is never shown.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = stackTraceLimit;
    this.status = status;
    this.code = code;
    this.errors = options.errors;
    this.extensions = options.extensions ?? noExtensions;
    this.headers = options.headers ?? {};
  }

  body(): ProblemBody {
    // Extensions first: a detail named like a standard member (`status`, `type`) must not overwrite it.
    const body: Record<string, unknown> = {
      ...(this.extensions === noExtensions ? undefined : this.extensions),
      type: `/problems/${this.code}`,
      title: titles[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      code: this.code,
    };
    if (this.errors !== undefined) body['errors'] = this.errors;
    return body as unknown as ProblemBody;
  }
}

const titles: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const rejectionStatus: Readonly<Record<RejectionCode, number>> = {
  not_found: 404,
  invalid: 400,
  illegal_transition: 409,
  rule_broken: 409,
  conflict: 409,
};

export function problemFromRejection(rejection: Rejection): Problem {
  const errors = rejection.field === undefined ? undefined : [{ path: rejection.field, message: rejection.message }];
  return new Problem(rejectionStatus[rejection.code], rejection.code, rejection.message, {
    ...(errors === undefined ? {} : { errors }),
    ...(rejection.details === undefined && rejection.reason === undefined ? {} : { extensions: { ...rejection.details, ...(rejection.reason === undefined ? {} : { reason: rejection.reason }) } }),
  });
}
