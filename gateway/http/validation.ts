/**
 * Compiled TypeBox validators. A failed check becomes a 400 problem naming every wrong field (up to
 * `fieldErrorsMax`), with JSON-pointer paths, so a partner sees at once what to fix.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Problem, type FieldError } from './problem.ts';

export const fieldErrorsMax = 20;

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerOf(schema: TSchema): TypeCheck<TSchema> {
  let checker = compiled.get(schema);
  if (checker === undefined) {
    checker = TypeCompiler.Compile(schema);
    compiled.set(schema, checker);
  }
  return checker;
}

export function validate(schema: TSchema, value: unknown, where: 'body' | 'query'): void {
  const checker = checkerOf(schema);
  if (checker.Check(value)) return;
  const errors: FieldError[] = [];
  for (const error of checker.Errors(value)) {
    errors.push({ path: error.path === '' ? '/' : error.path, message: error.message });
    if (errors.length >= fieldErrorsMax) break;
  }
  const first = errors[0];
  const detail = value === undefined && where === 'body' ? 'a body is required' : `the ${where} is invalid${first === undefined ? '' : `: ${first.path} ${first.message}`}`;
  throw new Problem(400, 'validation_failed', detail, { errors });
}

/** Query strings become an object of strings; a repeated parameter keeps its last value. */
export function parseQuery(query: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(query)) result[key] = value;
  return result;
}
