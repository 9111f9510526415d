/**
 * A small harness for tests and the simulation: an engine on a manual clock with the demo region loaded,
 * and helpers that submit commands as a named operator.
 */
import { ManualClock } from './clock.ts';
import { demoRegionCommands } from './demo-region.ts';
import type { CommandResult } from './engine.ts';
import { SequenceIdSource } from './ids.ts';
import { createEngine, ReadModel, type Engine } from './index.ts';
import type { Command, RegisterCallInput } from './messages.ts';

/** Monday 2026-11-23 09:00 Moscow time (06:00 UTC). */
export const mondayNineMs = Date.UTC(2026, 10, 23, 6, 0, 0);

export class Harness {
  readonly clock: ManualClock;
  readonly engine: Engine;
  readonly read: ReadModel;

  constructor(startMs = mondayNineMs, doctorsPerClinic = 4) {
    this.clock = new ManualClock(startMs);
    this.engine = createEngine(new SequenceIdSource('t'));
    this.read = new ReadModel(this.engine);
    for (const command of demoRegionCommands(doctorsPerClinic)) {
      const result = this.submit(command, 'admin:setup');
      if (!result.ok) throw new Error(`demo region failed: ${JSON.stringify(result.rejection)}`);
    }
  }

  submit(command: Command, by = 'operator:test'): CommandResult {
    return this.engine.submit(command, { at: this.clock.now(), by });
  }

  /** Moves the clock and fires due timers, as the driver does. */
  advanceMinutes(minutes: number): void {
    const target = this.clock.advance(minutes * 60_000);
    this.engine.advanceTime(target);
  }
}

let patientCounter = 0;

/** A valid intake on a demo street; each call gets a new patient unless `patient` is given. */
export function sampleCall(overrides: Partial<RegisterCallInput> = {}): RegisterCallInput {
  patientCounter += 1;
  const n = patientCounter;
  return {
    source: 'call_center',
    kind: 'primary',
    patient: {
      policy: String(7700000000000000 + n).padStart(16, '0'),
      surname: 'Сидоров',
      name: `Пациент${n}`,
      patronymic: 'Иванович',
      birthDate: '1960-05-17',
      sex: 'M',
      phone: `+7 (912) ${String(1000000 + n).slice(-7, -4)}-${String(n % 100).padStart(2, '0')}-${String(n % 97).padStart(2, '0')}`,
    },
    address: { text: 'г. Ярославль, ул. Свободы', house: '12', apartment: '5', entrance: '1', floor: 3, intercom: '5К' },
    complaints: { text: 'Температура 38,5, кашель', tags: ['temperature', 'cough'] },
    caller: { type: 'patient', phone: '89123456789' },
    ...overrides,
  };
}

export function replyOf(result: CommandResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.rejection)}`);
  return result.reply as Record<string, unknown>;
}
