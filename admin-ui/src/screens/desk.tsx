/**
 * The operator desk: live counters, per-doctor counts, filters and the virtualised call list (overdue first,
 * then by status, red flags first within a status, oldest first), all from the `clinic/<id>` topic, with
 * waiting times and SLA countdowns on the server's clock. Keys: ↑/↓ pick a call (the row takes focus), Enter
 * assigns it (accepts a received one), A accepts, T transfers, Delete cancels; Esc in the name search goes
 * back to the list. A truncated snapshot (over 500 open calls) is completed over HTTP; "served" lists today's
 * completed calls over HTTP too, refreshed whenever the served counter moves. The "as of" control switches to a
 * read-only replay of the desk at a past instant (as-of-desk.tsx); the desk's keys do nothing meanwhile.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import { callKinds, type Call } from '../api/types.ts';
import { districtName, useApp } from '../app-context.ts';
import { toast } from '../components/toast.tsx';
import { VirtualList } from '../components/virtual-list.tsx';
import { isTypingTarget } from '../keys.ts';
import { useServerNow } from '../format/server-clock.ts';
import { clinicNow } from '../format/time.ts';
import { t } from '../i18n/i18n.ts';
import { clinicWithPage, type ClinicView } from '../live/clinic-topic.ts';
import { liveSocket, patchTopic, useClinicTopic } from '../live/live-hub.ts';
import { AsOfControl, AsOfDesk } from './as-of-desk.tsx';
import { AssignDialog } from './assign-dialog.tsx';
import { CallFilters } from './call-filters.tsx';
import { CallRow, callRowHeightPx } from './call-row.tsx';
import { CancelDialog } from './cancel-dialog.tsx';
import { DeskSidebar } from './desk-sidebar.tsx';
import { emptyFilter, filterCalls, type DeskFilter } from './desk-filter.ts';
import { TransferDialog } from './transfer-dialog.tsx';

type DialogState = { readonly kind: 'assign' | 'transfer' | 'cancel'; readonly call: Call } | undefined;

export function Desk() {
  const app = useApp();
  const clinicId = app.clinic.id;
  const topic = useClinicTopic(clinicId);
  const [filter, setFilter] = useState<DeskFilter>(emptyFilter);
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const [dialog, setDialog] = useState<DialogState>(undefined);
  const [asOf, setAsOf] = useState<string | undefined>(undefined);
  const served = useServedCalls(clinicId, filter.status === 'completed', topic.view?.board.counters.completed ?? 0);
  useTruncatedPage(clinicId, topic.view);
  const calls = useMemo(() => filterCalls(filter.status === 'completed' ? served : topic.view?.calls.values() ?? [], filter), [topic.view, filter, served]);
  const openByDoctor = useMemo(() => {
    const counts = new Map<string, number>();
    for (const call of topic.view?.calls.values() ?? []) if (call.doctorId !== undefined) counts.set(call.doctorId, (counts.get(call.doctorId) ?? 0) + 1);
    return counts;
  }, [topic.view]);
  const doctorNames = useMemo(() => new Map(app.doctors.map((doctor) => [doctor.id, doctor.name])), [app.doctors]);
  const selectedIndex = calls.findIndex((call) => call.id === selectedId);
  const selected = calls[selectedIndex];
  const accept = (call: Call): void => {
    liveSocket().command({ type: 'AcceptCall', callId: call.id }).catch((error: Error) => toast(t('app.error', { message: error.message }), 'error'));
  };
  // The handler reads the latest render through a ref: a key pressed right after a click must see that click.
  const latest = useRef({ calls, selectedIndex, selected, dialog, asOf });
  latest.current = { calls, selectedIndex, selected, dialog, asOf };
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const now = latest.current;
      if (now.asOf !== undefined || now.dialog !== undefined || isTypingTarget(event.target) || event.altKey || event.ctrlKey) return;
      // Enter on a focused button is that button's click, not "assign the selected call".
      if (event.key === 'Enter' && (event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement)) return;
      const call = now.selected;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp' || event.key === 'Home' || event.key === 'End') {
        event.preventDefault();
        const last = now.calls.length - 1;
        const next = event.key === 'Home' ? 0 : event.key === 'End' ? last : Math.min(last, Math.max(0, now.selectedIndex + (event.key === 'ArrowDown' ? 1 : -1)));
        setSelectedId(now.calls[next]?.id);
        focusRowSoon(now.calls[next]?.id);
      } else if (call !== undefined && event.key === 'Delete') setDialog({ kind: 'cancel', call });
      else if (call !== undefined && event.key === 'Enter') {
        if (call.status === 'received') accept(call);
        else setDialog({ kind: 'assign', call });
      } else if (call !== undefined && event.code === 'KeyT') setDialog({ kind: 'transfer', call });
      else if (call !== undefined && event.code === 'KeyA' && call.status === 'received') accept(call);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const nowMs = useServerNow();
  const today = clinicNow(app.clinic.timeZone, nowMs).date;
  const clinicNames = useMemo(() => new Map(app.clinics.map((clinic) => [clinic.id, clinic.name])), [app.clinics]);
  // Esc in the name search hands the keyboard back to the list: the selected (or first) row takes focus.
  const toList = (): void => {
    const target = latest.current.selected ?? latest.current.calls[0];
    if (target === undefined) return;
    setSelectedId(target.id);
    focusRowSoon(target.id);
  };
  const asOfControl = <AsOfControl at={asOf} timeZone={app.clinic.timeZone} onChange={setAsOf} />;
  if (asOf !== undefined) {
    return <>{asOfControl}<AsOfDesk clinicId={clinicId} at={asOf} timeZone={app.clinic.timeZone} doctorNames={doctorNames} onLive={() => setAsOf(undefined)} /></>;
  }
  if (topic.error !== undefined) return <p class="error">{topic.error === 'forbidden' ? t('app.forbidden') : t('app.error', { message: topic.error })}</p>;
  if (topic.view === undefined) return <p class="loading">{t('app.loading')}</p>;
  return (
    <>{asOfControl}
    <div class="desk" data-testid="desk">
      <DeskSidebar board={topic.view.board} status={filter.status} doctorId={filter.doctorId} openByDoctor={openByDoctor}
        onStatus={(status) => setFilter({ ...filter, status })} onDoctor={(doctorId) => setFilter({ ...filter, doctorId })} />
      <section class="desk-main">
        <CallFilters filter={filter} onChange={setFilter} count={calls.length} onLeave={toList} />
        {topic.view.truncated ? <p class="notice">{t('desk.truncated')}</p> : null}
        <div class="call-head" role="presentation">
          <span>{t('col.number')}</span><span>{t('col.waiting')}</span><span>{t('col.patient')}</span><span>{t('col.address')}</span>
          <span>{t('col.complaints')}</span><span>{t('col.kindDate')}</span><span>{t('col.statusDoctor')}</span><span class="sr-only">{t('col.actions')}</span>
        </div>
        {calls.length === 0 ? <p class="empty" data-testid="desk-empty">{t('desk.empty')}</p> : (
          <VirtualList items={calls} rowHeight={callRowHeightPx} keyOf={(call) => call.id} selectedIndex={selectedIndex} testId="call-list" label={t('nav.desk')}
            renderRow={(call, index) => (
              <CallRow call={call} index={index} selected={call.id === selectedId} focusable={call.id === selectedId || (selected === undefined && index === 0)}
                timeZone={app.clinic.timeZone} today={today} nowMs={nowMs}
                doctorName={call.doctorId === undefined ? '' : doctorNames.get(call.doctorId) ?? call.doctorId}
                districtName={call.districtId === undefined ? '' : districtName(app, call.districtId)}
                fromClinicName={call.transferredFrom === undefined ? undefined : clinicNames.get(call.transferredFrom.clinicId)}
                onSelect={() => setSelectedId(call.id)} onAccept={() => accept(call)}
                onAssign={() => setDialog({ kind: 'assign', call })} onTransfer={() => setDialog({ kind: 'transfer', call })} onCancel={() => setDialog({ kind: 'cancel', call })} />
            )} />
        )}
      </section>
      {dialog?.kind === 'assign' ? <AssignDialog call={dialog.call} onClose={() => setDialog(undefined)} /> : null}
      {dialog?.kind === 'transfer' ? <TransferDialog call={dialog.call} onClose={() => setDialog(undefined)} /> : null}
      {dialog?.kind === 'cancel' ? <CancelDialog call={dialog.call} onClose={() => setDialog(undefined)} /> : null}
    </div>
    </>
  );
}

function useServedCalls(clinicId: string, shown: boolean, servedCount: number): Call[] {
  const [served, setServed] = useState<Call[]>([]);
  useEffect(() => {
    if (!shown) return;
    api<Call[]>('GET', `/api/v1/clinics/${encodeURIComponent(clinicId)}/calls?status=completed&limit=1000`).then(setServed).catch(() => setServed([]));
  }, [clinicId, shown, servedCount]);
  return served;
}

/**
 * The snapshot holds the first 500 open calls; the rest are paged in over HTTP, one request per status and
 * kind (each answers at most 1,000, the API's bound), so up to 12,000 open calls reach the list.
 */
function useTruncatedPage(clinicId: string, view: ClinicView | undefined): void {
  const truncated = view?.truncated === true;
  useEffect(() => {
    if (!truncated) return;
    const base = `/api/v1/clinics/${encodeURIComponent(clinicId)}/calls`;
    const requests = (['received', 'new', 'assigned'] as const).flatMap((status) => callKinds.map((kind) => api<Call[]>('GET', `${base}?status=${status}&kind=${kind}&limit=1000`).catch(() => [])));
    void Promise.all(requests).then((pages) => patchTopic<ClinicView>(`clinic/${clinicId}`, (current) => clinicWithPage(current, pages.flat())));
  }, [clinicId, truncated]);
}

/** Focuses a call's row once it is rendered (the list may first have to scroll it into view). */
function focusRowSoon(callId: string | undefined): void {
  if (callId === undefined) return;
  requestAnimationFrame(() => {
    const row = document.querySelector<HTMLElement>(`[data-testid=call-row][data-call="${CSS.escape(callId)}"]`);
    if (row !== null && document.activeElement !== row) row.focus({ preventScroll: false });
  });
}
