/**
 * A clinic's alert board: a negative rating (1 or 2) after a visit raises an alert for the responsible
 * employee; an operator acknowledges it. Part of the ClinicActor's canonical state.
 *
 * Bound: at most `alertsMax` alerts are kept; past it the oldest acknowledged alert goes first, and only when
 * none is acknowledged the oldest open one (the log keeps them all).
 */
export const alertsMax = 1_000;

export interface AlertDraft {
  readonly appointmentId: string;
  readonly doctorId: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly rating: number;
  readonly comment?: string;
  readonly at: number;
}

export interface Alert extends AlertDraft {
  readonly id: string;
  readonly clinicId: string;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
}

export class AlertBoard {
  readonly alerts = new Map<string, Alert>();
  openCount = 0;

  raise(alert: Alert): void {
    this.alerts.set(alert.id, { ...alert });
    if (alert.acknowledgedAt === undefined) this.openCount += 1;
    if (this.alerts.size > alertsMax) this.#dropOne();
  }

  acknowledge(alertId: string, at: number, by: string): void {
    const alert = this.alerts.get(alertId);
    if (alert === undefined || alert.acknowledgedAt !== undefined) return;
    alert.acknowledgedAt = at;
    alert.acknowledgedBy = by;
    this.openCount -= 1;
  }

  #dropOne(): void {
    let victim: Alert | undefined;
    for (const alert of this.alerts.values()) {
      if (alert.acknowledgedAt !== undefined) {
        victim = alert;
        break;
      }
    }
    victim ??= this.alerts.values().next().value;
    if (victim === undefined) return;
    this.alerts.delete(victim.id);
    if (victim.acknowledgedAt === undefined) this.openCount -= 1;
  }

  toSnapshot(): Alert[] {
    return [...this.alerts.values()].map((alert) => ({ ...alert }));
  }

  static fromSnapshot(alerts: readonly Alert[]): AlertBoard {
    const board = new AlertBoard();
    for (const alert of alerts) {
      board.alerts.set(alert.id, { ...alert });
      if (alert.acknowledgedAt === undefined) board.openCount += 1;
    }
    return board;
  }
}
