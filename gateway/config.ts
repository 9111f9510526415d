/**
 * The server's configuration, in one place: every setting with its environment name, command-line flag,
 * default, accepted range and effect (`settingDefinitions`), read from, in order of precedence, the command
 * line (`--port 8080`), the environment (`PORT=8080`), an optional JSON config file (`--config <path>` or
 * `CONFIG_FILE`, keys are the environment names: `{"PORT": 8080}`), then the default. The result is typed
 * (`Config`) and validated: every invalid value is reported at once, each naming the setting, where it came
 * from and the accepted range, so a bad deployment fails at start, not at the first request.
 *
 * An empty environment variable counts as unset (systemd EnvironmentFile lines like `DATABASE_URL=` are
 * common). docs/configuration.md is generated from the same definitions (ops/configuration-doc.ts).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WebhookAllowList } from './webhooks/webhook-address-guard.ts';
import { parseSecretsKey } from './webhooks/webhook-secret-box.ts';
import { socketsPerPrincipalMaxDefault, type SecuritySettings } from './security-settings.ts';

/** The largest config file read; a settings file is a few hundred bytes, anything bigger is a mistake. */
export const configFileBytesMax = 64 * 1024;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Where a value came from: shown in error messages so the operator knows which file or variable to fix. */
export type SettingSource = 'command line' | 'environment' | 'config file' | 'default';

/** What the machine looks like, for defaults that depend on it (WORKERS); injected so tests are stable. */
export interface ConfigMachine {
  readonly cores: number;
}

export interface SettingDefinition<T> {
  /** The environment variable and config-file key, e.g. `PORT`. */
  readonly env: string;
  /** The command-line flag without dashes, e.g. `port` for `--port`. */
  readonly flag: string;
  /** The accepted values, in words, for the docs and for error messages. */
  readonly range: string;
  /** The default, in words, for the docs (computed defaults need words). */
  readonly defaultText: string;
  /** What the setting changes, for the docs. */
  readonly effect: string;
  /** Hidden in logs (a URL with a password). */
  readonly secret?: boolean;
  defaultValue(machine: ConfigMachine): T;
  /** The value, or undefined when the raw input is out of range or malformed. */
  parse(raw: string | number | boolean): T | undefined;
}

function flagOf(env: string): string {
  return env.toLowerCase().replaceAll('_', '-');
}

interface Described {
  readonly env: string;
  readonly effect: string;
  readonly secret?: boolean;
}

function integerSetting(spec: Described & { min: number; max: number; default: number | ((machine: ConfigMachine) => number); defaultText?: string; unit?: string }): SettingDefinition<number> {
  const unit = spec.unit === undefined ? '' : ` ${spec.unit}`;
  return {
    env: spec.env, flag: flagOf(spec.env), effect: spec.effect,
    range: `an integer ${spec.min}..${spec.max}${unit}`,
    defaultText: spec.defaultText ?? `${spec.default as number}${unit}`,
    defaultValue: (machine) => (typeof spec.default === 'function' ? spec.default(machine) : spec.default),
    parse: (raw) => {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
      return Number.isSafeInteger(value) && value >= spec.min && value <= spec.max ? value : undefined;
    },
  };
}

function numberSetting(spec: Described & { min: number; max: number; default: number; unit?: string }): SettingDefinition<number> {
  const unit = spec.unit === undefined ? '' : ` ${spec.unit}`;
  return {
    env: spec.env, flag: flagOf(spec.env), effect: spec.effect,
    range: `a number ${spec.min}..${spec.max}${unit}`,
    defaultText: `${spec.default}${unit}`,
    defaultValue: () => spec.default,
    parse: (raw) => {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      return Number.isFinite(value) && value >= spec.min && value <= spec.max ? value : undefined;
    },
  };
}

function stringSetting(spec: Described & { default: string; range: string; valid: (value: string) => boolean; lengthMax: number }): SettingDefinition<string> {
  return {
    env: spec.env, flag: flagOf(spec.env), effect: spec.effect, range: spec.range, defaultText: `\`${spec.default}\``,
    defaultValue: () => spec.default,
    parse: (raw) => (typeof raw === 'string' && raw.length <= spec.lengthMax && spec.valid(raw) ? raw : undefined),
  };
}

/**
 * lmdb-js opens a path whose last part has an extension (`data.v2`) as a single file, not a directory, so such a
 * data directory would not be used as one.
 */
function isDirectoryPathWithoutExtension(value: string): boolean {
  return !value.includes('\0') && extname(resolve(value)) === '';
}

function enumSetting<T extends string>(spec: Described & { values: readonly T[]; default: T }): SettingDefinition<T> {
  return {
    env: spec.env, flag: flagOf(spec.env), effect: spec.effect,
    range: `one of ${spec.values.join(', ')}`,
    defaultText: `\`${spec.default}\``,
    defaultValue: () => spec.default,
    parse: (raw) => spec.values.find((value) => value === raw),
  };
}

const trueWords = new Set(['true', '1', 'yes', 'on']);
const falseWords = new Set(['false', '0', 'no', 'off']);

function booleanSetting(spec: Described & { default: boolean }): SettingDefinition<boolean> {
  return {
    env: spec.env, flag: flagOf(spec.env), effect: spec.effect,
    range: 'true or false (also 1/0, yes/no, on/off)',
    defaultText: String(spec.default),
    defaultValue: () => spec.default,
    parse: (raw) => {
      if (typeof raw === 'boolean') return raw;
      const word = String(raw).trim().toLowerCase();
      return trueWords.has(word) ? true : falseWords.has(word) ? false : undefined;
    },
  };
}

/** A comma-separated list (blanks ignored), each entry checked by `valid`; empty by default. */
function listSetting(spec: Described & { range: string; valid: (entry: string) => boolean; lengthMax: number; defaultText: string }): SettingDefinition<readonly string[]> {
  return {
    env: spec.env, flag: flagOf(spec.env), effect: spec.effect, range: spec.range, defaultText: spec.defaultText,
    defaultValue: () => [],
    parse: (raw) => {
      if (typeof raw !== 'string' || raw.length > spec.lengthMax) return undefined;
      const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
      return entries.every(spec.valid) ? entries : undefined;
    },
  };
}

function isAllowHostEntry(entry: string): boolean {
  try {
    new WebhookAllowList([entry]);
    return true;
  } catch {
    return false;
  }
}

function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry.replace(/\/+$/, '').toLowerCase();
  } catch {
    return false;
  }
}

/** A 32-byte key (64 hex digits or base64), or unset; never logged. */
function secretsKeySetting(spec: Described): SettingDefinition<string | undefined> {
  return {
    env: spec.env, flag: flagOf(spec.env), effect: spec.effect, secret: true,
    range: '32 bytes: 64 hex digits or 44 base64 characters (`openssl rand -hex 32`)',
    defaultText: 'unset',
    defaultValue: () => undefined,
    parse: (raw) => (typeof raw === 'string' && parseSecretsKey(raw) !== undefined ? raw.trim() : undefined),
  };
}

/** A Postgres URL, or unset. */
function postgresUrlSetting(spec: Described): SettingDefinition<string | undefined> {
  return {
    env: spec.env, flag: flagOf(spec.env), effect: spec.effect, secret: true,
    range: 'a postgres:// or postgresql:// URL',
    defaultText: 'unset (LMDB only)',
    defaultValue: () => undefined,
    parse: (raw) => {
      if (typeof raw !== 'string') return undefined;
      try {
        const url = new URL(raw);
        return url.protocol === 'postgres:' || url.protocol === 'postgresql:' ? raw : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** The default pool leaves one core to the engine's thread, and never goes below one worker. */
function workersDefault(machine: ConfigMachine): number {
  return Math.min(workersMax, Math.max(1, machine.cores - 1));
}
const workersMax = 256;

/** Every setting. The key is the `Config` property; the order is the docs' order. */
export const settingDefinitions = {
  port: integerSetting({ env: 'PORT', min: 0, max: 65535, default: 8080, effect: 'TCP port of the partner API, the operator WebSocket and the UI. 0 picks a free port (printed in the `listening` line).' }),
  host: stringSetting({ env: 'HOST', default: '0.0.0.0', range: 'an IP address or host name (no spaces, at most 253 characters)', valid: (value) => /^[A-Za-z0-9.:\-[\]%]+$/.test(value), lengthMax: 253, effect: 'Address the API, the operator WebSocket and the UI listen on: every interface by default. `127.0.0.1` keeps the server local (behind a reverse proxy that terminates TLS, docs/security.md).' }),
  metricsHost: stringSetting({ env: 'METRICS_HOST', default: '127.0.0.1', range: 'an IP address or host name (no spaces, at most 253 characters)', valid: (value) => /^[A-Za-z0-9.:\-[\]%]+$/.test(value), lengthMax: 253, effect: 'Address of the `/metrics` listener. It serves per-clinic figures without authentication, so it stays local by default; set the monitoring network\'s address (not `0.0.0.0` on a public interface) for a remote Prometheus.' }),
  metricsPort: integerSetting({ env: 'METRICS_PORT', min: 0, max: 65535, default: 9464, effect: 'TCP port of the `/metrics` listener (Prometheus text), apart from the API port. 0 picks a free port (printed as `metricsPort` in the `listening` line).' }),
  dataDir: stringSetting({ env: 'DATA_DIR', default: './data', range: 'a directory path whose last part has no extension (created if missing; relative to the working directory)', valid: isDirectoryPathWithoutExtension, lengthMax: 4096, effect: 'Where the LMDB environment (event log, snapshots, tokens, webhook stores) lives. Back it up with `npm run backup`.' }),
  logLevel: enumSetting({ env: 'LOG_LEVEL', values: logLevels, default: 'info', effect: 'pino log level of the JSON log on stdout.' }),
  rateLimitPerSecond: numberSetting({ env: 'RATE_LIMIT_PER_SECOND', min: 0.01, max: 1_000_000, default: 200, unit: 'requests/s', effect: 'Sustained partner API requests per second per token; above it the API answers 429 with Retry-After.' }),
  rateLimitBurst: integerSetting({ env: 'RATE_LIMIT_BURST', min: 1, max: 1_000_000, default: 400, unit: 'requests', effect: 'Requests a token may send at once before the per-second rate applies.' }),
  bodyBytesMax: integerSetting({ env: 'BODY_BYTES_MAX', min: 1024, max: 16 * 1024 * 1024, default: 256 * 1024, unit: 'bytes', effect: 'Largest partner API request body; a larger one is refused with 413 before it is read.' }),
  snapshotEveryEvents: integerSetting({ env: 'SNAPSHOT_EVERY_EVENTS', min: 1, max: 1_000_000_000, default: 200_000, unit: 'events', effect: 'Write a snapshot after this many events. Smaller: faster restarts, more snapshot pauses of the engine thread.' }),
  snapshotEveryMs: integerSetting({ env: 'SNAPSHOT_EVERY_MS', min: 1000, max: 86_400_000, default: 600_000, unit: 'ms', effect: 'Write a snapshot at least this often while events arrive (whichever of the two bounds comes first).' }),
  logWriteOn: enumSetting({ env: 'LOG_WRITE_ON', values: ['engine-thread', 'threadpool'] as const, default: 'engine-thread', effect: 'Where the event log\'s one synced write per tick runs: on the engine thread itself (no thread hand-off; the event loop waits for the disk), or through libuv\'s threadpool (the engine keeps deciding while the disk syncs). docs/bench.md measures the two side by side.' }),
  shutdownTimeoutMs: integerSetting({ env: 'SHUTDOWN_TIMEOUT_MS', min: 100, max: 600_000, default: 30_000, unit: 'ms', effect: 'Bound on a clean stop (SIGTERM/SIGINT): drain, last commit, snapshot, sockets closed. Past it the process logs and exits with code 1 (the log still holds every acknowledged command). Keep systemd `TimeoutStopSec` above it.' }),
  databaseUrl: postgresUrlSetting({ env: 'DATABASE_URL', effect: 'Postgres for the relational projection (reports, SQL integration). Optional: the product runs on LMDB alone, and commands never wait for Postgres.' }),
  databaseSchema: stringSetting({ env: 'DATABASE_SCHEMA', default: 'public', range: 'a lower-case SQL identifier (a-z, 0-9, _; at most 63 characters)', valid: (value) => /^[a-z_][a-z0-9_]{0,62}$/.test(value), lengthMax: 63, effect: 'Schema of the Postgres projection (only with DATABASE_URL).' }),
  demo: booleanSetting({ env: 'DEMO', default: true, effect: 'Seed the demo region (three clinics, tokens in `<DATA_DIR>/demo-tokens.json`) when the data directory is empty. `--no-demo` is the same as `DEMO=false`. Set false in production, and issue the first admin token with `npm run admin -- token issue` (ops/README.md).' }),
  webhookAllowHosts: listSetting({ env: 'WEBHOOK_ALLOW_HOSTS', range: 'comma-separated host names, IP addresses or CIDR ranges (`127.0.0.1,10.20.0.0/16,mis.hospital.lan`)', defaultText: 'empty (none)', valid: isAllowHostEntry, lengthMax: 8192, effect: 'Webhook receivers allowed although they are internal: by default a URL that is (or resolves to) loopback, private, link-local, CGNAT, metadata, multicast or unspecified is refused at subscription and at every delivery (docs/security.md). On-premises receivers, and a partner\'s test harness on one machine (`127.0.0.1`), are listed here.' }),
  webhookSecretsKey: secretsKeySetting({ env: 'WEBHOOK_SECRETS_KEY', effect: 'Key that seals webhook secrets in the data directory (AES-256-GCM), so a copy or backup of it does not hold them. Keep it outside the data directory (an environment file, a systemd credential). Once set, the server does not start without it. Unset: secrets are stored as given, in files only the server\'s user may read.' }),
  wsAllowedOrigins: listSetting({ env: 'WS_ALLOWED_ORIGINS', range: 'comma-separated origins (`https://desk.example.org`)', defaultText: 'empty (the server\'s own origin only)', valid: isOrigin, lengthMax: 8192, effect: 'Browser origins allowed to open the operator WebSocket besides the server\'s own (the Host it was reached by); any other Origin is refused with 403. Set it when the UI is served from another origin or a proxy rewrites Host.' }),
  wsSocketsPerPrincipalMax: integerSetting({ env: 'WS_SOCKETS_PER_PRINCIPAL_MAX', min: 1, max: 100_000, default: socketsPerPrincipalMaxDefault, unit: 'sockets', effect: 'Open operator sockets one token or signed-in user may hold; one more is closed with code 4009 (docs/protocol.md). On top of the server-wide bound of 19,500.' }),
  workers: integerSetting({ env: 'WORKERS', min: 1, max: workersMax, default: workersDefault, defaultText: 'cores − 1 (at least 1)', unit: 'threads', effect: 'Size of the worker pool for reports, route sheets, exports and imports (never the engine thread).' }),
  workerQueueMax: integerSetting({ env: 'WORKER_QUEUE_MAX', min: 0, max: 10_000, default: 16, unit: 'tasks', effect: 'Worker tasks that may wait beyond the running ones; one more is refused at once with 503 `workers_busy` and Retry-After.' }),
  workerTaskTimeoutMs: integerSetting({ env: 'WORKER_TASK_TIMEOUT_MS', min: 1_000, max: 3_600_000, default: 120_000, unit: 'ms', effect: 'Time a worker task may take from admission (queue wait included); past it the task is stopped, its worker replaced, and the request answers 503 `task_timeout`.' }),
  workerHeapMb: integerSetting({ env: 'WORKER_HEAP_MB', min: 64, max: 65_536, default: 2_048, unit: 'MiB', effect: 'V8 old-generation heap per worker thread; a task that needs more kills only its worker (503 `task_failed`).' }),
  workersWarmOnStart: booleanSetting({ env: 'WORKERS_WARM_ON_START', default: false, effect: 'Start every worker and build its read replica at start-up rather than on the first task.' }),
  workerNice: integerSetting({ env: 'WORKER_NICE', min: 0, max: 19, default: 10, effect: 'Nice value of the worker threads on Linux (workers/thread-priority.ts): above the engine thread\'s 0, so an O(history) task yields a contended core to it.' }),
  timeTravelCheckpointEveryEvents: integerSetting({ env: 'TIME_TRAVEL_CHECKPOINT_EVERY_EVENTS', min: 1, max: 100_000_000, default: 50_000, unit: 'events', effect: 'Time travel (`?at=`): a checkpoint of the replayed state every this many durable events, so any instant is at most this many events of replay away (docs/architecture.md "Time travel").' }),
  timeTravelCheckpointsMax: integerSetting({ env: 'TIME_TRAVEL_CHECKPOINTS_MAX', min: 1, max: 1_000_000, default: 1_000, unit: 'checkpoints', effect: 'Time-travel checkpoints kept; an instant older than the oldest one kept is refused with 400.' }),
  timeTravelResolutionMs: integerSetting({ env: 'TIME_TRAVEL_RESOLUTION_MS', min: 1, max: 60_000, default: 100, unit: 'ms', effect: 'At most one point of the instant → log position index per this span.' }),
  timeTravelWorkers: integerSetting({ env: 'TIME_TRAVEL_WORKERS', min: 1, max: 64, default: 1, unit: 'threads', effect: 'Worker threads of the time-travel pool (its own, so a replay never queues behind a report).' }),
  timeTravelTimeoutMs: integerSetting({ env: 'TIME_TRAVEL_TIMEOUT_MS', min: 1_000, max: 3_600_000, default: 30_000, unit: 'ms', effect: 'Time one time-travel answer may take; past it the request answers 503 `task_timeout`.' }),
} as const;

type Definitions = typeof settingDefinitions;
export type SettingKey = keyof Definitions;
type ValueOf<D> = D extends SettingDefinition<infer T> ? T : never;

/** The validated settings. `configFile` is the file that was read, if any. */
export type Config = { readonly [K in SettingKey]: ValueOf<Definitions[K]> } & { readonly configFile: string | undefined };

export const settingKeys = Object.keys(settingDefinitions) as SettingKey[];

/** One or more settings were invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

export interface LoadConfigInput {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly machine?: ConfigMachine;
  /** Reads the config file; injected by tests. */
  readonly readFile?: (path: string) => string;
}

type Raw = string | number | boolean;

/** Reads and validates every setting; throws ConfigError listing every problem. `--help` is handled by the caller. */
export function loadConfig(input: LoadConfigInput): Config {
  const machine = input.machine ?? { cores: availableParallelism() };
  const problems: string[] = [];
  const flags = parseFlags(input.argv, problems);
  const configFlag = flags.get('config');
  const configPath = typeof configFlag === 'string' ? configFlag : nonEmpty(input.env['CONFIG_FILE']);
  const fileValues = configPath === undefined ? new Map<string, Raw>() : readConfigFile(configPath, input.readFile ?? readSmallFile, problems);
  const values: Record<string, unknown> = {};
  for (const key of settingKeys) {
    const definition: SettingDefinition<unknown> = settingDefinitions[key];
    const found = pick(definition, flags, input.env, fileValues);
    if (found === undefined) {
      values[key] = definition.defaultValue(machine);
      continue;
    }
    const parsed = definition.parse(found.raw);
    if (parsed === undefined) {
      const shown = definition.secret === true ? '(hidden)' : JSON.stringify(found.raw);
      problems.push(`${definition.env} must be ${definition.range}; got ${shown} from the ${found.source}`);
    } else {
      values[key] = parsed;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  values['dataDir'] = resolve(values['dataDir'] as string);
  values['configFile'] = configPath === undefined ? undefined : resolve(configPath);
  return values as Config;
}

function pick(definition: SettingDefinition<unknown>, flags: ReadonlyMap<string, Raw>, env: LoadConfigInput['env'], file: ReadonlyMap<string, Raw>): { raw: Raw; source: SettingSource } | undefined {
  const fromFlag = flags.get(definition.flag);
  if (fromFlag !== undefined) return { raw: fromFlag, source: 'command line' };
  const fromEnv = nonEmpty(env[definition.env]);
  if (fromEnv !== undefined) return { raw: fromEnv, source: 'environment' };
  const fromFile = file.get(definition.env);
  if (fromFile !== undefined) return { raw: fromFile, source: 'config file' };
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Flags: `--<setting-flag> <value>` for every setting, `--config <path>`, and `--no-demo` (= `--demo false`). */
function parseFlags(argv: readonly string[], problems: string[]): Map<string, Raw> {
  const options: Record<string, { type: 'string' } | { type: 'boolean' }> = { config: { type: 'string' }, 'no-demo': { type: 'boolean' }, help: { type: 'boolean' } };
  for (const key of settingKeys) options[settingDefinitions[key].flag] = { type: 'string' };
  const flags = new Map<string, Raw>();
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    for (const [name, value] of Object.entries(values)) {
      if (name === 'no-demo') {
        if (value === true) flags.set('demo', false);
      } else if (typeof value === 'string') {
        flags.set(name, value);
      }
    }
  } catch (error) {
    problems.push(`command line: ${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  return flags;
}

function readSmallFile(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (Buffer.byteLength(text) > configFileBytesMax) throw new Error(`larger than ${configFileBytesMax} bytes`);
  return text;
}

/** The config file: one JSON object whose keys are the environment names. Unknown keys are errors (typos). */
function readConfigFile(path: string, readFile: (path: string) => string, problems: string[]): Map<string, Raw> {
  const values = new Map<string, Raw>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (error) {
    problems.push(`config file ${path}: ${error instanceof Error ? error.message : String(error)}`);
    return values;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`config file ${path}: must be a JSON object like {"PORT": 8080}`);
    return values;
  }
  const known = new Set(settingKeys.map((key) => settingDefinitions[key].env));
  for (const [name, value] of Object.entries(parsed)) {
    if (!known.has(name)) problems.push(`config file ${path}: unknown setting ${name}; the settings are ${[...known].join(', ')}`);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values.set(name, value);
    else if (value !== null) problems.push(`config file ${path}: ${name} must be a string, number or boolean`);
  }
  return values;
}

/** The security settings the gateway takes (gateway/security-settings.ts) from a loaded configuration. */
export function securityOf(config: Config): SecuritySettings {
  const key = config.webhookSecretsKey === undefined ? undefined : parseSecretsKey(config.webhookSecretsKey);
  return {
    socketsPerPrincipalMax: config.wsSocketsPerPrincipalMax, allowedOrigins: config.wsAllowedOrigins, webhookAllowHosts: config.webhookAllowHosts,
    ...(key === undefined ? {} : { webhookSecretsKey: key }),
  };
}

/** Every setting at its default (no flags, no environment): for a gateway started without a configuration. */
export function defaultConfig(): Config {
  return loadConfig({ argv: [], env: {} });
}

/** The settings for a log line: secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = { configFile: config.configFile };
  for (const key of settingKeys) {
    const value = config[key];
    shown[key] = settingDefinitions[key].secret === true && value !== undefined ? '(set)' : value;
  }
  return shown;
}

/** `--help`: every flag and variable with its default and range. */
export function configUsage(): string {
  const lines = ['Usage: node --import tsx gateway/main.ts [--config <file.json>] [--<setting> <value> ...] [--no-demo]', '', 'Settings (flag / environment variable: default; accepted):'];
  for (const key of settingKeys) {
    const definition: SettingDefinition<unknown> = settingDefinitions[key];
    lines.push(`  --${definition.flag} / ${definition.env}: ${definition.defaultText.replaceAll('`', '')}; ${definition.range}`);
  }
  lines.push('', 'Precedence: command line, then environment, then the config file (CONFIG_FILE or --config), then the default.');
  return lines.join('\n');
}
