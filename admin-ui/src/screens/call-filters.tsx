/** The desk's filter bar: patient name (focused by `/`), doctor, kind of call, age category, subdivision. */
import { callKinds, type AgeCategory, type CallKind } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { t, tv } from '../i18n/i18n.ts';
import type { DeskFilter } from './desk-filter.ts';

interface CallFiltersProps {
  readonly filter: DeskFilter;
  readonly count: number;
  readonly onChange: (filter: DeskFilter) => void;
  /** Esc in the name field: back to the list. */
  readonly onLeave: () => void;
}

const value = (event: Event): string => (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;

export function CallFilters({ filter, count, onChange, onLeave }: CallFiltersProps) {
  const app = useApp();
  return (
    <div class="filters" role="search" aria-label={t('desk.filters')}>
      <label>{t('desk.filterName')}
        <input type="search" data-search value={filter.name} placeholder={t('desk.searchHint')} onInput={(event) => onChange({ ...filter, name: value(event) })} data-testid="filter-name"
          onKeyDown={(event) => { if (event.key === 'Escape') { event.preventDefault(); onLeave(); } }} />
      </label>
      <label>{t('desk.filterDoctor')}
        <select value={filter.doctorId} onChange={(event) => onChange({ ...filter, doctorId: value(event) })}>
          <option value="">{t('desk.any')}</option>
          {app.doctors.map((doctor) => <option key={doctor.id} value={doctor.id}>{doctor.name}</option>)}
        </select>
      </label>
      <label>{t('desk.filterKind')}
        <select value={filter.kind} onChange={(event) => onChange({ ...filter, kind: value(event) as CallKind | '' })}>
          <option value="">{t('desk.any')}</option>
          {callKinds.map((kind) => <option key={kind} value={kind}>{tv('kind', kind)}</option>)}
        </select>
      </label>
      <label>{t('desk.filterAge')}
        <select value={filter.age} onChange={(event) => onChange({ ...filter, age: value(event) as AgeCategory | '' })}>
          <option value="">{t('desk.any')}</option>
          <option value="adult">{t('age.adult')}</option>
          <option value="child">{t('age.child')}</option>
        </select>
      </label>
      <label>{t('desk.filterSubdivision')}
        <select value={filter.subdivisionId} onChange={(event) => onChange({ ...filter, subdivisionId: value(event) })}>
          <option value="">{t('desk.any')}</option>
          {(app.clinic.subdivisions ?? []).map((subdivision) => <option key={subdivision.id} value={subdivision.id}>{subdivision.name}</option>)}
        </select>
      </label>
      <span class="count" data-testid="call-count">{t('desk.calls', { count })}</span>
    </div>
  );
}
