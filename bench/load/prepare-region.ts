// Prepares a fresh data directory before the server under test starts on it: the bench region's directory
// commands decided by the real engine host (so the log holds what the product would write), and one bearer
// token per operator (role operator, scoped to its clinic: a distinct principal each, so holds by different
// operators conflict as they would in a clinic), plus a region admin and a partner token. The host is closed
// with a snapshot, so the server starts without replaying anything. The tokens go to
// `<dataDir>/bench-tokens.json` and are returned.
//
// Operator n (0-based) works for clinic (n mod clinics) + 1. Bounds: `operatorsMax` tokens; issued
// `tokensIssuedConcurrentlyMax` at a time (each an awaited LMDB put, batched by lmdb-js per turn).

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineHost } from '../../persistence/engine-host.ts';
import { LmdbEnvironment } from '../../persistence/lmdb-environment.ts';
import { TokenStore } from '../../gateway/auth/token-store.ts';
import { benchClinicId, benchRegionCommands } from './bench-region.ts';
import type { BenchRegionShape } from './bench-region.ts';

export const operatorsMax = 25_000;
export const tokensIssuedConcurrentlyMax = 1_000;

export interface BenchOperatorToken {
  readonly index: number;
  readonly clinicId: string;
  readonly token: string;
}

export interface BenchTokens {
  readonly admin: string;
  readonly partner: string;
  readonly operators: readonly BenchOperatorToken[];
}

export interface PreparedRegion extends BenchRegionShape {
  readonly tokens: BenchTokens;
  readonly preparedInMs: number;
}

export function clinicOfOperator(index: number, clinics: number): string {
  return benchClinicId((index % clinics) + 1);
}

export async function prepareRegion(dataDir: string, shape: BenchRegionShape & { readonly operators: number }): Promise<PreparedRegion> {
  if (!Number.isInteger(shape.operators) || shape.operators < 0 || shape.operators > operatorsMax) {
    throw new RangeError(`prepare region: operators in [0, ${operatorsMax}], got ${shape.operators}`);
  }
  const started = performance.now();
  const prefix = randomBytes(4).toString('hex');
  let counter = 0;
  const host = await EngineHost.open({
    dataDir, clock: { now: () => Date.now() }, ids: { next: () => `${prefix}${(counter += 1).toString(36)}` },
  });
  try {
    for (const command of benchRegionCommands(shape)) {
      const result = await host.submit(command, 'admin:bench');
      if (!result.ok) throw new Error(`bench region refused ${command.type}: ${JSON.stringify(result)}`);
    }
    const store = new TokenStore(host.environment);
    const now = Date.now();
    const admin = (await store.issue('admin', { kind: 'region' }, 'bench admin', now)).token;
    const partner = (await store.issue('partner', { kind: 'region' }, 'bench partner', now)).token;
    const operators: BenchOperatorToken[] = [];
    for (let start = 0; start < shape.operators; start += tokensIssuedConcurrentlyMax) {
      const end = Math.min(shape.operators, start + tokensIssuedConcurrentlyMax);
      const issued = await Promise.all(Array.from({ length: end - start }, (_, offset) => {
        const index = start + offset;
        const clinicId = clinicOfOperator(index, shape.clinics);
        return store.issue('operator', { kind: 'clinics', clinicIds: [clinicId] }, `bench operator ${index}`, now)
          .then(({ token }) => ({ index, clinicId, token }));
      }));
      operators.push(...issued);
    }
    const tokens: BenchTokens = { admin, partner, operators };
    writeFileSync(join(dataDir, 'bench-tokens.json'), `${JSON.stringify(tokens)}\n`, { mode: 0o600 });
    return { clinics: shape.clinics, doctorsPerClinic: shape.doctorsPerClinic, tokens, preparedInMs: Math.round(performance.now() - started) };
  } finally {
    await host.close({ snapshot: true });
  }
}

/** Issues an admin token into an existing data directory (e.g. a generated history, which has none). */
export async function issueAdminToken(dataDir: string): Promise<string> {
  // Only the token store: opening the engine host would recover the whole history in this process.
  const environment = LmdbEnvironment.open({ path: dataDir });
  try {
    return (await new TokenStore(environment).issue('admin', { kind: 'region' }, 'bench admin', Date.now())).token;
  } finally {
    await environment.close();
  }
}
