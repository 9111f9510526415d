/**
 * Starts the Postgres projection beside the gateway when DATABASE_URL is set (DESIGN rule 8: optional; with
 * no URL nothing of pg or kysely is loaded; DATABASE_SCHEMA picks the schema). Both come from the validated
 * configuration (`context.config`), never from process.env again. It reads the host's log and snapshot store,
 * is nudged after each durable batch, reports its lag as a metric, and stops before the host closes its
 * storage. It never runs on the command path: Postgres being down delays only it.
 */
import type { GatewayContext } from './server.ts';
import type { Route } from './http/route.ts';
import { startPostgresProjection } from '../persistence/pg/start-postgres-projection.ts';

export function postgresExtension(context: GatewayContext): Route[] {
  const { databaseUrl, databaseSchema } = context.config;
  if (databaseUrl === undefined) return [];
  // The host's own handles: a second log handle would not see the writer's lastPosition() move.
  const projection = startPostgresProjection({
    databaseUrl,
    source: context.host.log,
    snapshots: context.host.snapshots,
    applicationName: 'clinic-dispatch-projector',
    schema: databaseSchema,
    onError: (error) => context.logger.warn({ err: error }, 'postgres projection: attempt failed; it retries and catches up'),
  });
  context.host.onDurable(() => {
    void projection.then((running) => {
      running?.nudge();
      if (running !== undefined) context.metrics.projectorLagEntries.set(running.lag().entries);
    });
  });
  context.onClose(async () => {
    await (await projection)?.stop();
  });
  return [];
}
