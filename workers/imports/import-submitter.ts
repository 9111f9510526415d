/**
 * The main thread's half of an import: the worker parsed and checked the file and planned the commands; here
 * they are submitted through the host, in file order, as the caller, and every line gets its outcome.
 *
 * Bound: at most `importCommandsPerTurnMax` commands are decided per event-loop turn; the next chunk waits for
 * the previous one to be durable, so a large import never holds the engine's thread for long and operators'
 * commands interleave with it. A command outside the caller's scope is not submitted; its line
 * reads exactly like one whose entity does not exist.
 */
import type { EngineHost } from '../../persistence/engine-host.ts';
import type { ImportPlan, LineOutcome, PlannedCommand } from './directory-plan.ts';

export const importCommandsPerTurnMax = 200;

export interface LineResult {
  readonly line: number;
  readonly outcome: 'applied' | 'unchanged' | 'rejected' | 'invalid' | 'conflict';
  readonly entity?: string;
  readonly field?: string;
  readonly message?: string;
}

export interface ImportReport {
  readonly rowsRead: number;
  readonly counts: Readonly<Record<LineResult['outcome'], number>>;
  readonly lines: readonly LineResult[];
}

export interface SubmitOptions {
  /** The `by` written into histories (role and principal id). */
  readonly by: string;
  readonly canSeeClinic: (clinicId: string) => boolean;
  /** What an out-of-scope line says: the same words as "not found", so tenants learn nothing of each other. */
  readonly notVisible: (planned: PlannedCommand) => string;
}

export async function submitImportPlan(host: EngineHost, plan: ImportPlan, options: SubmitOptions): Promise<ImportReport> {
  const results: LineResult[] = plan.lines.map((line: LineOutcome) => ({ ...line }));
  for (let start = 0; start < plan.commands.length; start += importCommandsPerTurnMax) {
    const chunk = plan.commands.slice(start, start + importCommandsPerTurnMax);
    const outcomes = await Promise.all(chunk.map((planned) => submitOne(host, planned, options)));
    chunk.forEach((planned, index) => {
      for (const line of planned.lines) results.push({ line, entity: planned.entity, ...(outcomes[index] as Omit<LineResult, 'line' | 'entity'>) });
    });
  }
  results.sort((a, b) => a.line - b.line);
  const counts = { applied: 0, unchanged: 0, rejected: 0, invalid: 0, conflict: 0 };
  for (const result of results) counts[result.outcome] += 1;
  return { rowsRead: plan.rowsRead, counts, lines: results };
}

async function submitOne(host: EngineHost, planned: PlannedCommand, options: SubmitOptions): Promise<Omit<LineResult, 'line' | 'entity'>> {
  if (planned.clinicId !== undefined && !options.canSeeClinic(planned.clinicId)) {
    return { outcome: 'rejected', message: options.notVisible(planned) };
  }
  const outcome = await host.submit(planned.command, options.by);
  if (outcome.ok) return { outcome: outcome.reply['changed'] === false ? 'unchanged' : 'applied' };
  if ('idempotencyMismatch' in outcome) return { outcome: 'rejected', message: 'idempotency mismatch' };
  const rejection = outcome.rejection;
  return { outcome: 'rejected', message: rejection.message, ...(rejection.field === undefined ? {} : { field: rejection.field }) };
}
