/**
 * Registers a resolve hook that makes importing pg or kysely (or anything under them) throw: a process started
 * with `--import tsx --import ./persistence/pg/test-fixtures/forbid-postgres-modules.ts` proves that a code path
 * loads nothing Postgres-related.
 */
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  if (/^(pg|pg-[a-z-]+|kysely)(\\/|$)/.test(specifier)) {
    throw new Error('forbidden Postgres module imported: ' + specifier);
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
