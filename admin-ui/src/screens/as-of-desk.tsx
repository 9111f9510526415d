/**
 * The desk "as of" an instant, for incident review: a date-time field (and a slider over the last 24 hours) puts
 * the desk in a read-only mode that shows the board and the open-call list as they were then, replayed by the
 * server (`?at=` on the board and call routes). The mode is marked by a banner that names the instant and offers
 * the way back to live; nothing in it can act (no buttons on calls, the desk's keys are off).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api/http.ts';
import type { Board, Call } from '../api/types.ts';
import { formatDateTime } from '../format/time.ts';
import { instantInZone, localInZone } from '../format/zone-instant.ts';
import { t, tv } from '../i18n/i18n.ts';

/** How far back the slider reaches, in its steps; the field reaches any instant the server keeps. */
export const sliderHoursBack = 24;
export const sliderStepMinutes = 5;

interface ControlProps {
  /** The instant shown (ISO), or undefined when live. */
  readonly at: string | undefined;
  readonly timeZone: string;
  onChange(at: string | undefined): void;
}

/** The field, the slider, and the way back to live. */
export function AsOfControl({ at, timeZone, onChange }: ControlProps) {
  const nowMs = Date.now();
  const shownMs = at === undefined ? nowMs : Date.parse(at);
  const stepsBack = Math.min(sliderHoursBack * 60 / sliderStepMinutes, Math.max(0, Math.round((nowMs - shownMs) / (sliderStepMinutes * 60_000))));
  const pick = (ms: number | undefined): void => {
    if (ms === undefined || !Number.isFinite(ms)) return;
    // The server judges the instant (a future one, or one before the first event, is answered with an error shown here).
    onChange(new Date(ms).toISOString());
  };
  return (
    <div class={`as-of-control${at === undefined ? '' : ' as-of-active'}`} data-testid="as-of-control">
      <label>
        {t('asOf.label')}{' '}
        <input type="datetime-local" data-testid="as-of-field" value={localInZone(shownMs, timeZone)}
          onChange={(event) => pick(instantInZone((event.target as HTMLInputElement).value, timeZone))} />
      </label>
      <input type="range" data-testid="as-of-slider" aria-label={t('asOf.slider')} min={0} max={sliderHoursBack * 60 / sliderStepMinutes} step={1}
        value={sliderHoursBack * 60 / sliderStepMinutes - stepsBack}
        onChange={(event) => pick(nowMs - (sliderHoursBack * 60 / sliderStepMinutes - Number((event.target as HTMLInputElement).value)) * sliderStepMinutes * 60_000)} />
      {at === undefined ? null : <button type="button" data-testid="as-of-live" onClick={() => onChange(undefined)}>{t('asOf.backToLive')}</button>}
    </div>
  );
}

interface DeskProps {
  readonly clinicId: string;
  readonly at: string;
  readonly timeZone: string;
  readonly doctorNames: ReadonlyMap<string, string>;
  onLive(): void;
}

type Loaded = { readonly board: Board; readonly calls: readonly Call[] } | { readonly error: string } | undefined;

/** The read-only desk as of `at`. */
export function AsOfDesk({ clinicId, at, timeZone, doctorNames, onLive }: DeskProps) {
  const [loaded, setLoaded] = useState<Loaded>(undefined);
  useEffect(() => {
    let current = true;
    setLoaded(undefined);
    const base = `/api/v1/clinics/${encodeURIComponent(clinicId)}`;
    const query = `at=${encodeURIComponent(at)}`;
    Promise.all([api<Board>('GET', `${base}/board?${query}`), api<Call[]>('GET', `${base}/calls?${query}&limit=1000`)])
      .then(([board, calls]) => { if (current) setLoaded({ board, calls }); })
      .catch((error: unknown) => { if (current) setLoaded({ error: error instanceof ApiError ? error.message : String(error) }); });
    return () => { current = false; };
  }, [clinicId, at]);
  return (
    <div class="as-of-desk" data-testid="as-of-desk">
      <p class="notice as-of-banner" role="status" data-testid="as-of-banner">
        {t('asOf.banner', { at: formatDateTime(at, timeZone) })}{' '}
        <button type="button" class="link" onClick={onLive}>{t('asOf.backToLive')}</button>
      </p>
      {loaded === undefined ? <p class="loading">{t('app.loading')}</p> : 'error' in loaded ? <p class="error" data-testid="as-of-error">{loaded.error}</p> : (
        <div class="desk">
          <aside class="desk-side">
            <table class="counters">
              <tbody>
                {(['received', 'new', 'overdue', 'assigned', 'completed'] as const).map((counter) => (
                  <tr key={counter}><th>{t(`counter.${counter}`)}</th><td data-testid={`as-of-counter-${counter}`}>{loaded.board.counters[counter]}</td></tr>
                ))}
              </tbody>
            </table>
            <h3>{t('desk.doctors')}</h3>
            <table class="doctor-counts">
              <thead><tr><th>{t('col.doctor')}</th><th>{t('desk.doctorActive')}</th><th>✓</th></tr></thead>
              <tbody>
                {loaded.board.doctors.map((doctor) => <tr key={doctor.doctorId}><td>{doctor.name}</td><td>{doctor.assigned}</td><td>{doctor.completed}</td></tr>)}
              </tbody>
            </table>
          </aside>
          <section class="desk-main">
            <table class="as-of-calls" data-testid="as-of-calls">
              <thead><tr><th>{t('col.number')}</th><th>{t('col.created')}</th><th>{t('col.patient')}</th><th>{t('col.status')}</th><th>{t('col.doctor')}</th></tr></thead>
              <tbody>
                {loaded.calls.length === 0 ? <tr><td colSpan={5}>{t('desk.empty')}</td></tr> : loaded.calls.map((call) => (
                  <tr key={call.id} class={call.overdue ? 'overdue' : ''}>
                    <td>{call.number}</td>
                    <td>{formatDateTime(call.createdAt, timeZone)}</td>
                    <td>{[call.patient.surname, call.patient.name].join(' ')}</td>
                    <td>{tv('status', call.status)}{call.overdue ? ` · ${t('desk.overdue')}` : ''}</td>
                    <td>{call.doctorId === undefined ? '' : doctorNames.get(call.doctorId) ?? call.doctorId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      )}
    </div>
  );
}
