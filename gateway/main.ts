/**
 * `npm start`: the server on its embedded default — LMDB only, a demo region when the data directory is
 * empty, the partner API, the operator WebSocket and the UI on one port. Settings: PORT / --port (8080),
 * DATA_DIR / --data-dir (./data), HOST / --host (0.0.0.0), LOG_LEVEL (info), RATE_LIMIT_PER_SECOND (200) and
 * RATE_LIMIT_BURST (400) per token. SIGTERM and SIGINT stop it
 * cleanly: no new work, the tick in flight finished, a snapshot written, sockets closed.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { EngineHost } from '../persistence/engine-host.ts';
import { startGateway } from './server.ts';
import { seedDemo } from './demo-seed.ts';
import { gatewayExtensions } from './extensions.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    host: { type: 'string' },
    'no-demo': { type: 'boolean', default: false },
  },
});

const port = Number(values.port ?? process.env['PORT'] ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number 0..65535, got ${values.port ?? process.env['PORT']}`);
  process.exit(2);
}
const dataDir = resolve(values['data-dir'] ?? process.env['DATA_DIR'] ?? './data');
const listenHost = values.host ?? process.env['HOST'] ?? '0.0.0.0';
const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info' });
const clock = { now: () => Date.now() };
/** Ids: a per-process random prefix and a counter, so ids never repeat across restarts. */
const idPrefix = randomBytes(4).toString('hex');
let idCounter = 0;
const ids = { next: () => `${idPrefix}${(idCounter += 1).toString(36)}` };

mkdirSync(dataDir, { recursive: true });
const host = await EngineHost.open({ dataDir, clock, ids });
logger.info({ dataDir, recovery: host.recovery }, 'engine recovered');
const requestsPerSecond = Number(process.env['RATE_LIMIT_PER_SECOND'] ?? 200);
const burst = Number(process.env['RATE_LIMIT_BURST'] ?? 400);
if (!(requestsPerSecond > 0) || !(burst >= 1)) {
  console.error('RATE_LIMIT_PER_SECOND must be > 0 and RATE_LIMIT_BURST >= 1');
  process.exit(2);
}
const gateway = await startGateway({ host, clock, logger, port, listenHost, requestsPerSecond, burst, extensions: gatewayExtensions });
if (host.durablePosition === 0 && values['no-demo'] !== true) {
  await seedDemo(host, gateway.tokens, dataDir, clock.now());
  logger.info({ tokens: resolve(dataDir, 'demo-tokens.json') }, 'demo region created');
}
console.log(JSON.stringify({ event: 'listening', port: gateway.port, dataDir }));

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: no new work, finishing the tick in flight, writing a snapshot');
  await gateway.close();
  await host.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
