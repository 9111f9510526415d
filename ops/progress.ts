/**
 * Progress for long work (data generation, import, replay/verify, backup, restore): on a terminal, a
 * cli-progress bar with done/total, rate and time left; elsewhere (systemd journal, CI, a pipe) one plain line
 * at most every `plainLineIntervalMs` and a last line at `stop()`, since a redrawn bar in a log file is noise.
 * Output goes to stderr so stdout stays machine-readable (reports as JSON).
 *
 * Updates are cheap (a bar redraws at most `redrawsPerSecondMax` times), so a synchronous loop may call
 * `update` on every item; cli-progress redraws from inside `update` when the loop never yields.
 *
 * Usage:
 *   const progress = startProgress({ label: 'replay', total: lastPosition, unit: 'entries' });
 *   for (...) progress.update(position);
 *   progress.stop();
 */
import cliProgress from 'cli-progress';

export const plainLineIntervalMs = 5_000;
export const redrawsPerSecondMax = 10;

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  /** `bytes` shows KiB/MiB/GiB; anything else is a count with that word (`entries`, `calls`). */
  readonly unit: string;
  /** Default process.stderr. */
  readonly stream?: NodeJS.WriteStream;
  /** Print nothing (tests, `--quiet`). */
  readonly quiet?: boolean;
}

export interface Progress {
  update(value: number): void;
  increment(step?: number): void;
  setTotal(total: number): void;
  /** Draws the final state and ends the line. Idempotent. */
  stop(): void;
}

export function startProgress(options: ProgressOptions): Progress {
  if (options.quiet === true) return quietProgress;
  const stream = options.stream ?? process.stderr;
  return stream.isTTY === true ? new BarProgress(options, stream) : new LineProgress(options, stream);
}

const quietProgress: Progress = { update: () => undefined, increment: () => undefined, setTotal: () => undefined, stop: () => undefined };

export function formatAmount(value: number, unit: string): string {
  if (unit !== 'bytes') return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let index = 0;
  while (scaled >= 1024 && index < units.length - 1) {
    scaled /= 1024;
    index += 1;
  }
  return `${scaled.toFixed(index === 0 ? 0 : 1)} ${units[index] ?? 'B'}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return hours > 0 ? `${hours}h${String(minutes).padStart(2, '0')}m` : minutes > 0 ? `${minutes}m${String(rest).padStart(2, '0')}s` : `${rest}s`;
}

/** Shared by both renderers: value, total, rate since start and time left. */
class Meter {
  value = 0;
  total: number;
  readonly startedMs = performance.now();
  readonly unit: string;

  constructor(total: number, unit: string) {
    this.total = total;
    this.unit = unit;
  }

  ratePerSecond(): number {
    const seconds = (performance.now() - this.startedMs) / 1000;
    return seconds > 0 ? this.value / seconds : 0;
  }

  secondsLeft(): number {
    const rate = this.ratePerSecond();
    return rate > 0 ? Math.max(0, this.total - this.value) / rate : Number.POSITIVE_INFINITY;
  }

  payload(): Record<string, string> {
    return {
      done: formatAmount(this.value, this.unit),
      all: formatAmount(this.total, this.unit),
      rate: `${formatAmount(this.ratePerSecond(), this.unit)}/s`,
      left: formatDuration(this.secondsLeft()),
    };
  }
}

class BarProgress implements Progress {
  readonly #bar: cliProgress.SingleBar;
  readonly #meter: Meter;
  #stopped = false;

  constructor(options: ProgressOptions, stream: NodeJS.WriteStream) {
    this.#meter = new Meter(options.total, options.unit);
    this.#bar = new cliProgress.SingleBar({
      format: `${options.label} [{bar}] {percentage}% | {done} / {all} | {rate} | {left} left`,
      stream,
      fps: redrawsPerSecondMax,
      // cli-progress's own SIGINT/SIGTERM handlers would keep a process alive after Ctrl-C.
      gracefulExit: false,
      hideCursor: null,
      barsize: 30,
    }, cliProgress.Presets.shades_classic);
    this.#bar.start(Math.max(1, options.total), 0, this.#meter.payload());
  }

  update(value: number): void {
    this.#meter.value = value;
    this.#bar.update(value, this.#meter.payload());
  }

  increment(step = 1): void {
    this.update(this.#meter.value + step);
  }

  setTotal(total: number): void {
    this.#meter.total = total;
    this.#bar.setTotal(Math.max(1, total));
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#bar.update(this.#meter.value, this.#meter.payload());
    this.#bar.stop();
  }
}

class LineProgress implements Progress {
  readonly #label: string;
  readonly #stream: NodeJS.WriteStream;
  readonly #meter: Meter;
  #lastLineMs = performance.now();
  #stopped = false;

  constructor(options: ProgressOptions, stream: NodeJS.WriteStream) {
    this.#label = options.label;
    this.#stream = stream;
    this.#meter = new Meter(options.total, options.unit);
  }

  update(value: number): void {
    this.#meter.value = value;
    if (performance.now() - this.#lastLineMs >= plainLineIntervalMs) this.#line();
  }

  increment(step = 1): void {
    this.update(this.#meter.value + step);
  }

  setTotal(total: number): void {
    this.#meter.total = total;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#line();
  }

  #line(): void {
    this.#lastLineMs = performance.now();
    const p = this.#meter.payload();
    const percent = this.#meter.total > 0 ? Math.min(100, Math.floor((this.#meter.value / this.#meter.total) * 100)) : 100;
    this.#stream.write(`${this.#label}: ${percent}% ${p['done']} / ${p['all']}, ${p['rate']}, ${p['left']} left\n`);
  }
}
