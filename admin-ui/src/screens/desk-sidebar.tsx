/**
 * The desk's left column: the status counters (each a quick filter) and the per-doctor counts, as in the
 * source's operator desktop. Counters change live with every clinic diff.
 */
import type { Board } from '../api/types.ts';
import { t, type MessageKey } from '../i18n/i18n.ts';
import type { StatusFilter } from './desk-filter.ts';

const counters: ReadonlyArray<{ readonly status: Exclude<StatusFilter, 'all'>; readonly label: MessageKey }> = [
  { status: 'received', label: 'counter.received' },
  { status: 'new', label: 'counter.new' },
  { status: 'overdue', label: 'counter.overdue' },
  { status: 'assigned', label: 'counter.assigned' },
  { status: 'completed', label: 'counter.completed' },
];

interface SidebarProps {
  readonly board: Board;
  readonly status: StatusFilter;
  readonly doctorId: string;
  readonly openByDoctor: ReadonlyMap<string, number>;
  readonly onStatus: (status: StatusFilter) => void;
  readonly onDoctor: (doctorId: string) => void;
}

export function DeskSidebar({ board, status, doctorId, openByDoctor, onStatus, onDoctor }: SidebarProps) {
  const total = board.counters.received + board.counters.new + board.counters.assigned;
  return (
    <aside class="desk-side">
      <table class="counters">
        <tbody>
          <tr class={status === 'all' ? 'picked' : ''}>
            <th><button type="button" class="link" onClick={() => onStatus('all')}>{t('counter.all')}</button></th>
            <td data-testid="counter-all">{total}</td>
          </tr>
          {counters.map((counter) => (
            <tr key={counter.status} class={`${status === counter.status ? 'picked' : ''} counter-${counter.status}`}>
              <th><button type="button" class="link" onClick={() => onStatus(counter.status)} aria-pressed={status === counter.status}>{t(counter.label)}</button></th>
              <td data-testid={`counter-${counter.status}`}>{board.counters[counter.status]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('desk.doctors')}</h3>
      <table class="doctor-counts">
        <thead><tr><th>{t('col.doctor')}</th><th title={t('desk.doctorActive')}><abbr title={t('desk.doctorActive')}>{t('desk.doctorActiveShort')}</abbr></th><th title={t('desk.doctorServed')}>✓</th></tr></thead>
        <tbody>
          {board.doctors.map((doctor) => (
            <tr key={doctor.doctorId} class={doctorId === doctor.doctorId ? 'picked' : ''}>
              <td>
                <button type="button" class="link" onClick={() => onDoctor(doctorId === doctor.doctorId ? '' : doctor.doctorId)} aria-pressed={doctorId === doctor.doctorId}>{doctor.name}</button>
                <div class="muted small">{doctor.phone ?? t('desk.noPhone')}</div>
              </td>
              <td data-testid={`doctor-open-${doctor.doctorId}`}>{openByDoctor.get(doctor.doctorId) ?? 0}</td>
              <td>{doctor.completed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
