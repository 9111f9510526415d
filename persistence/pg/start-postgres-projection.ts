/**
 * The one entry the server uses for Postgres, which is optional at run time (DESIGN rule 8): without a
 * DATABASE_URL it returns undefined at once and loads nothing of pg or kysely (both are imported dynamically,
 * only when a URL is given), so the product runs on LMDB alone. With a URL it opens the pool and starts the
 * projector in the background; it does not wait for Postgres, which may well be down at start (the projector
 * migrates and catches up when it can).
 *
 * Only `import type` from the Postgres modules here: a value import would load pg for everyone.
 */
import type { ProjectorLag, ProjectorSource, ProjectorStatus } from './postgres-projector.ts';
import type { SnapshotSource } from './snapshot-archiver.ts';

export interface StartPostgresProjectionOptions {
  /** Usually process.env.DATABASE_URL; undefined or empty: no projection. */
  readonly databaseUrl: string | undefined;
  /** The LMDB event log. */
  readonly source: ProjectorSource;
  /** The LMDB snapshot store, to archive snapshots for restore-from-postgres. */
  readonly snapshots?: SnapshotSource;
  readonly schema?: string;
  readonly applicationName?: string;
  readonly pollIntervalMs?: number;
  readonly retryDelayMsMax?: number;
  /** Told about failed attempts and dropped idle connections (all handled: for logs and metrics). */
  readonly onError?: (error: unknown) => void;
}

/** The running projection, as the server sees it. */
export interface PostgresProjection {
  /** Call after each durable append: wakes an idle projector. Never blocks, never throws. */
  nudge(): void;
  lag(): ProjectorLag;
  status(): ProjectorStatus;
  projectedPosition(): number | undefined;
  /** Stops the projector after its current batch and closes the pool. Idempotent. */
  stop(): Promise<void>;
}

export async function startPostgresProjection(options: StartPostgresProjectionOptions): Promise<PostgresProjection | undefined> {
  if (options.databaseUrl === undefined || options.databaseUrl.trim() === '') return undefined;
  const [{ openPostgresDatabase }, { PostgresProjector }] = await Promise.all([
    import('./postgres-database.ts'),
    import('./postgres-projector.ts'),
  ]);
  const onError = options.onError ?? (() => undefined);
  const postgres = openPostgresDatabase({
    databaseUrl: options.databaseUrl,
    onIdleError: onError,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
  });
  const projector = new PostgresProjector({
    db: postgres.db,
    source: options.source,
    onError,
    ...(options.snapshots === undefined ? {} : { snapshots: options.snapshots }),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.retryDelayMsMax === undefined ? {} : { retryDelayMsMax: options.retryDelayMsMax }),
  });
  projector.start();
  let stopping: Promise<void> | undefined;
  return {
    nudge: () => projector.nudge(),
    lag: () => projector.lag(),
    status: () => projector.status(),
    projectedPosition: () => projector.projectedPosition(),
    stop(): Promise<void> {
      stopping ??= projector.stop().then(() => postgres.close());
      return stopping;
    },
  };
}
