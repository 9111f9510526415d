/**
 * Opens the projection's Postgres connection pool and the typed kysely handle over it. One place for the pool's
 * settings, so the projector, the restore and the tests talk to Postgres the same way.
 *
 * - Type parsers: `bigint` → number (positions and counts are safe integers; a larger value is a bug and throws),
 *   `date` → the `YYYY-MM-DD` text (pg would build a Date at local midnight and shift it by the zone).
 * - `schema` sets the search_path through the startup `options`, so every connection, including ones the pool
 *   opens after Postgres killed the old ones, lands in the same schema.
 * - Connection errors are handled, idle or checked out: when Postgres terminates a connection, pg emits `error`,
 *   and an unhandled `error` event would kill the process, which rule 8 forbids (Postgres going away must not
 *   stop commands).
 *
 * Bounds: `poolConnectionsMax` connections, `connectTimeoutMs` to connect, `statementTimeoutMs` per statement
 * (a hung statement becomes an error the projector retries, instead of a projector stuck forever).
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

/** The projector uses one connection at a time; the second serves lag checks and the snapshot archiver. */
export const poolConnectionsMax = 2;
export const connectTimeoutMs = 5_000;
export const statementTimeoutMs = 60_000;
export const idleConnectionTimeoutMs = 30_000;
/** What pg_stat_activity shows for our connections (operators can find and kill them by it). */
export const applicationNameDefault = 'clinic-dispatch-projector';

const bigintOid = 20;
const dateOid = 1082;

export interface PostgresDatabaseOptions {
  readonly databaseUrl: string;
  /** A schema to put first on the search_path; absent: the server's default (usually `public`). */
  readonly schema?: string;
  readonly applicationName?: string;
  readonly poolConnectionsMax?: number;
  /**
   * Extra server settings for every session, sent as startup options (`-c name=value`), e.g.
   * `{ synchronous_commit: 'off' }` in tests, where the disk's fsync would otherwise set the pace.
   */
  readonly sessionSettings?: Readonly<Record<string, string>>;
  /** Called with errors of dropped connections (already handled: the pool discards them). */
  readonly onIdleError?: (error: Error) => void;
}

export interface PostgresDatabase {
  readonly db: Kysely<Database>;
  readonly pool: pg.Pool;
  /** Ends the pool once; later calls return the same promise. */
  close(): Promise<void>;
}

const schemaNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;
/** Startup options are split on spaces: settings stay plain words. */
const settingPattern = /^[A-Za-z0-9_.]{1,63}$/;

/** Rejects anything but a plain lower-case identifier: the name is spliced into the startup options. */
export function assertSchemaName(schema: string): string {
  if (!schemaNamePattern.test(schema)) {
    throw new TypeError(`Postgres schema "${schema}" must be a lower-case SQL identifier (${schemaNamePattern.source})`);
  }
  return schema;
}

function parseBigint(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} is beyond Number.MAX_SAFE_INTEGER`);
  return value;
}

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format !== 'binary') {
      if (oid === bigintOid) return parseBigint;
      if (oid === dateOid) return (text: string) => text;
    }
    return pg.types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export function openPostgresDatabase(options: PostgresDatabaseOptions): PostgresDatabase {
  const startupOptions = [`-c statement_timeout=${statementTimeoutMs}`];
  if (options.schema !== undefined) startupOptions.push(`-c search_path=${assertSchemaName(options.schema)}`);
  for (const [name, value] of Object.entries(options.sessionSettings ?? {})) {
    if (!settingPattern.test(name) || !settingPattern.test(value)) {
      throw new TypeError(`Postgres session setting ${name}=${value}: names and values must match ${settingPattern.source}`);
    }
    startupOptions.push(`-c ${name}=${value}`);
  }
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    application_name: options.applicationName ?? applicationNameDefault,
    max: options.poolConnectionsMax ?? poolConnectionsMax,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: idleConnectionTimeoutMs,
    options: startupOptions.join(' '),
    types: typeParsers,
  });
  const onError = (error: Error): void => options.onIdleError?.(error);
  pool.on('error', onError);
  // A checked-out client whose backend dies between two queries emits `error` itself, and the pool listens only
  // on idle clients: without this listener that error is uncaught. The next query on the client then fails (and
  // the batch is retried); on release the pool sees it is no longer queryable and drops it.
  pool.on('connect', (client) => client.on('error', onError));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    close(): Promise<void> {
      // kysely's destroy ends the pool it was given.
      closing ??= db.destroy();
      return closing;
    },
  };
}
