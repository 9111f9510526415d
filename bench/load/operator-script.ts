// The standard operator mix (issue 7): what one dispatch operator does next. A fixed cycle of eleven steps —
// intake from the portal, accept it, assign it, complete it; intake at the desk, assign, complete; hold a
// reception slot, book it; intake a call and cancel it — so the mix is 3 intakes, 1 accept, 2 assigns,
// 2 completes, 1 hold, 1 book and 1 cancel in 11 commands. Each step works on what an earlier reply gave
// (a call id, a hold id); when that is not there yet (its reply is still in flight, or it was refused), the
// operator does a desk intake instead and the substitution is counted: under an open model the operator
// never waits, exactly as the arrival schedule demands.
//
// Every intake is a new patient (a unique 16-digit policy), so the one-open-call-per-patient rule never
// refuses it, and carries `externalId = b:<phase>:<intended send epoch µs>:<operator index>`: the other
// operators' sessions recognise their diff by it and time the fan-out from the intended send time.
// Bounds: each queue of calls waiting for a next step holds at most `pipelineCallsMax` (older ones are
// dropped: they stay open on the board, which is what a busy desk looks like).

import { benchStreet, streetsPerClinic } from './bench-region.ts';

export const pipelineCallsMax = 64;
export const externalIdPrefix = 'b';

export type CommandKind = 'RegisterCall' | 'AcceptCall' | 'AssignCall' | 'CompleteCall' | 'HoldSlot' | 'BookAppointment' | 'CancelCall';
export const commandKinds: readonly CommandKind[] = ['RegisterCall', 'AcceptCall', 'AssignCall', 'CompleteCall', 'HoldSlot', 'BookAppointment', 'CancelCall'];

type Step = 'intakePortal' | 'accept' | 'assign' | 'complete' | 'intakeDesk' | 'hold' | 'book' | 'intakeToCancel' | 'cancel';
const cycle: readonly Step[] = ['intakePortal', 'accept', 'assign', 'complete', 'intakeDesk', 'assign', 'complete', 'hold', 'book', 'intakeToCancel', 'cancel'];

export interface PlannedCommand {
  readonly kind: CommandKind;
  readonly command: { readonly type: CommandKind; readonly [field: string]: unknown };
  /** True when this is a desk intake standing in for a step whose input was not there. */
  readonly substituted: boolean;
  /** Called with the reply's `result` when the engine accepted the command. */
  readonly onAccepted: (result: { readonly [field: string]: unknown }) => void;
}

interface CallRef {
  readonly id: string;
  readonly visitDate: string;
}

export interface OperatorIdentity {
  readonly index: number;
  readonly clinicId: string;
  readonly doctorIds: readonly string[];
  /** Free reception slots dealt to this operator (its own, so operators do not fight over them here). */
  readonly slotIds: readonly string[];
}

export function intakeExternalId(phase: string, intendedEpochUs: number, operatorIndex: number): string {
  return `${externalIdPrefix}:${phase}:${Math.round(intendedEpochUs)}:${operatorIndex}`;
}

export interface ParsedExternalId {
  readonly phase: string;
  readonly intendedEpochUs: number;
  readonly operatorIndex: number;
}

export function parseExternalId(value: unknown): ParsedExternalId | undefined {
  if (typeof value !== 'string' || !value.startsWith(`${externalIdPrefix}:`)) return undefined;
  const parts = value.split(':');
  if (parts.length !== 4) return undefined;
  const intendedEpochUs = Number(parts[2]);
  const operatorIndex = Number(parts[3]);
  if (!Number.isFinite(intendedEpochUs) || !Number.isInteger(operatorIndex)) return undefined;
  return { phase: parts[1] ?? '', intendedEpochUs, operatorIndex };
}

function clinicNumber(clinicId: string): number {
  const parsed = Number(clinicId.replace(/^c/, ''));
  return Number.isInteger(parsed) && parsed > 0 ? parsed : 1;
}

function push(queue: CallRef[], call: CallRef): void {
  queue.push(call);
  if (queue.length > pipelineCallsMax) queue.shift();
}

function callRefOf(result: { readonly [field: string]: unknown }): CallRef | undefined {
  const id = result['id'];
  const visitDate = result['visitDate'];
  return typeof id === 'string' && typeof visitDate === 'string' ? { id, visitDate } : undefined;
}

export class OperatorScript {
  readonly identity: OperatorIdentity;
  private position = 0;
  private intakes = 0;
  private doctorTurn = 0;
  private slotTurn = 0;
  private readonly received: CallRef[] = [];
  private readonly fresh: CallRef[] = [];
  private readonly assigned: CallRef[] = [];
  private readonly toCancel: CallRef[] = [];
  private held: { readonly slotId: string; readonly holdId: string } | undefined;
  private readonly clinic: number;

  constructor(identity: OperatorIdentity, startStep = 0) {
    this.identity = identity;
    this.clinic = clinicNumber(identity.clinicId);
    // Operators start at different points of the cycle, so the region's mix is even from the first second.
    this.position = startStep % cycle.length;
  }

  /** The next command, stamped for fan-out timing with the phase and its intended send time. */
  next(phase: string, intendedEpochUs: number): PlannedCommand {
    const step = cycle[this.position] ?? 'intakeDesk';
    this.position = (this.position + 1) % cycle.length;
    const planned = this.plan(step, phase, intendedEpochUs);
    return planned ?? { ...this.intake('intakeDesk', phase, intendedEpochUs), substituted: true };
  }

  private plan(step: Step, phase: string, intendedEpochUs: number): PlannedCommand | undefined {
    switch (step) {
      case 'intakePortal':
      case 'intakeDesk':
      case 'intakeToCancel':
        return this.intake(step, phase, intendedEpochUs);
      case 'accept': {
        const call = this.received.shift();
        if (call === undefined) return undefined;
        return this.command('AcceptCall', { callId: call.id }, () => push(this.fresh, call));
      }
      case 'assign': {
        const call = this.fresh.shift();
        if (call === undefined) return undefined;
        const doctorId = this.identity.doctorIds[this.doctorTurn++ % Math.max(1, this.identity.doctorIds.length)] ?? '';
        return this.command('AssignCall', { callId: call.id, doctorId, visitDate: call.visitDate }, () => push(this.assigned, call));
      }
      case 'complete': {
        const call = this.assigned.shift();
        if (call === undefined) return undefined;
        return this.command('CompleteCall', { callId: call.id, diagnosis: 'J06.9 ОРВИ' }, () => undefined);
      }
      case 'cancel': {
        const call = this.toCancel.shift();
        if (call === undefined) return undefined;
        return this.command('CancelCall', { callId: call.id, reason: 'отменён пациентом' }, () => undefined);
      }
      case 'hold': {
        const slotId = this.identity.slotIds[this.slotTurn];
        if (slotId === undefined) return undefined;
        this.slotTurn += 1;
        return this.command('HoldSlot', { slotId }, (result) => {
          const holdId = result['holdId'];
          if (typeof holdId === 'string') this.held = { slotId, holdId };
        });
      }
      case 'book': {
        const held = this.held;
        if (held === undefined) return undefined;
        this.held = undefined;
        const booking = {
          slotId: held.slotId, holdId: held.holdId, source: 'registry',
          patient: this.patient(), services: ['приём терапевта'],
        };
        return this.command('BookAppointment', { booking }, () => undefined);
      }
      default: {
        const unhandled: never = step;
        throw new Error(`unhandled step ${String(unhandled)}`);
      }
    }
  }

  private command(kind: CommandKind, fields: { readonly [field: string]: unknown }, onAccepted: PlannedCommand['onAccepted']): PlannedCommand {
    return { kind, command: { type: kind, ...fields }, substituted: false, onAccepted };
  }

  private patient(): { readonly [field: string]: unknown } {
    this.intakes += 1;
    const policy = `7${String(this.identity.index).padStart(6, '0')}${String(this.intakes).padStart(9, '0')}`;
    return {
      policy, surname: `Стендов-${this.identity.index}`, name: `Пациент-${this.intakes}`, birthDate: this.intakes % 4 === 0 ? '2015-03-15' : '1971-02-03',
      sex: this.intakes % 2 === 0 ? 'F' : 'M', phone: `+7912${String(this.identity.index % 10_000).padStart(4, '0')}${String(this.intakes % 1_000).padStart(3, '0')}`,
    };
  }

  private intake(step: 'intakePortal' | 'intakeDesk' | 'intakeToCancel', phase: string, intendedEpochUs: number): PlannedCommand {
    const street = benchStreet(this.clinic, (this.identity.index % streetsPerClinic) + 1);
    const call = {
      source: step === 'intakePortal' ? 'portal' : 'call_center',
      kind: 'primary',
      clinicId: this.identity.clinicId,
      externalId: intakeExternalId(phase, intendedEpochUs, this.identity.index),
      patient: this.patient(),
      address: { text: `г. Ярославль, ${street}`, house: String(1 + (this.intakes % 300)), apartment: String(1 + (this.intakes % 90)) },
      complaints: { text: 'температура 38, слабость', tags: ['temperature', 'weakness'] },
    };
    return this.command('RegisterCall', { call }, (result) => {
      const ref = callRefOf(result);
      if (ref === undefined) return;
      if (step === 'intakePortal') push(this.received, ref);
      else if (step === 'intakeDesk') push(this.fresh, ref);
      else push(this.toCancel, ref);
    });
  }
}
