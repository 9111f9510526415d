/**
 * The app: the sign-in page until there is a session, then the signed-in shell — the live socket started,
 * the clinic, its doctors and the region's clinics loaded, the header, the screen of the current path and
 * the global keyboard shortcuts.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from './api/http.ts';
import { onSession, session as currentSession, setSession, type Session } from './api/session.ts';
import type { Clinic, Doctor, DistrictView } from './api/types.ts';
import { AppContext, useApp, type AppState } from './app-context.ts';
import { Header, navItems } from './components/header.tsx';
import { toast, Toasts } from './components/toast.tsx';
import { t, useLang } from './i18n/i18n.ts';
import { startLive, stopLive, useClinicTopic } from './live/live-hub.ts';
import { isTypingTarget } from './keys.ts';
import { clearAllDrafts } from './drafts.ts';
import { navigate } from './router.ts';
import { Screen } from './screens/screen.tsx';
import { SignIn } from './screens/sign-in.tsx';

export function App() {
  const [session, setCurrent] = useState<Session | undefined>(currentSession());
  useLang();
  useEffect(() => onSession(setCurrent), []);
  return (
    <>
      {session === undefined ? <SignIn /> : <SignedIn key={`${session.principal.id} ${session.expiresAt}`} session={session} />}
      {session === undefined ? <Toasts /> : null}
    </>
  );
}

function SignedIn({ session }: { readonly session: Session }) {
  const [clinics, setClinics] = useState<readonly Clinic[]>([]);
  const [clinicId, setClinicId] = useState(session.user.clinicId ?? '');
  const [doctors, setDoctors] = useState<readonly Doctor[]>([]);
  const [districts, setDistricts] = useState<ReadonlyMap<string, string>>(new Map());
  const [liveReady, setLiveReady] = useState(false);
  useEffect(() => {
    const live = startLive(() => {
      toast(t('app.sessionEnded'), 'error');
      setSession(undefined);
    });
    // Reachable from the browser console and the e2e tests (cdLive.drop() simulates a lost link).
    (window as unknown as { cdLive?: typeof live }).cdLive = live;
    const offline = (): void => live.drop();
    const online = (): void => live.reconnectNow();
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    setLiveReady(true);
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      stopLive();
    };
  }, []);
  useEffect(() => {
    api<Clinic[]>('GET', '/api/v1/clinics').then((list) => {
      setClinics(list);
      if (clinicId === '' && list[0] !== undefined) setClinicId(list[0].id);
    }).catch((error: Error) => toast(t('app.error', { message: error.message }), 'error'));
  }, []);
  useEffect(() => {
    if (clinicId === '') return;
    api<Doctor[]>('GET', `/api/v1/clinics/${encodeURIComponent(clinicId)}/doctors`).then(setDoctors).catch(() => setDoctors([]));
    api<DistrictView[]>('GET', `/api/v1/clinics/${encodeURIComponent(clinicId)}/districts`)
      .then((list) => setDistricts(new Map(list.map((district) => [district.id, district.name]))))
      .catch(() => setDistricts(new Map()));
  }, [clinicId]);
  const clinic = clinics.find((item) => item.id === clinicId);
  const state = useMemo<AppState | undefined>(
    () => (clinic === undefined ? undefined : { user: session.user, clinic, clinics, doctors, districts, setClinicId }),
    [session.user, clinic, clinics, doctors, districts],
  );
  useShortcuts(session);
  if (state === undefined || !liveReady) return <p class="loading">{t('app.loading')}</p>;
  return (
    <AppContext.Provider value={state}>
      <Shell />
    </AppContext.Provider>
  );
}

function Shell() {
  const [help, setHelp] = useState(false);
  const clinic = useClinicTopic(useApp().clinic.id);
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === '?' && !isTyping(event)) setHelp((shown) => !shown);
      if (event.key === 'Escape') setHelp(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="shell">
      <Header onSignOut={() => void signOut()} alertCount={clinic.view?.alerts.size ?? 0} />
      {help ? <aside class="help" role="note" data-testid="help"><strong>{t('app.shortcuts')}</strong><p>{t('app.shortcutsHelp')}</p></aside> : null}
      <main class="main"><Screen /></main>
      <Toasts docked />
    </div>
  );
}

async function signOut(): Promise<void> {
  try {
    await api('POST', '/api/v1/auth/logout');
  } catch {
    // Already gone on the server: sign out here anyway.
  }
  stopLive();
  // Drafts hold patients' data: they do not outlive the session on a shared desk.
  clearAllDrafts();
  setSession(undefined);
  navigate('/');
}

function isTyping(event: KeyboardEvent): boolean {
  return isTypingTarget(event.target);
}

/** Alt + a letter opens a screen; `/` focuses the current screen's search field. */
function useShortcuts(session: Session): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.altKey && !event.ctrlKey && !event.metaKey) {
        const item = navItems.find((each) => each.code === event.code && each.roles.includes(session.user.role));
        if (item !== undefined) {
          event.preventDefault();
          navigate(item.path);
        }
        return;
      }
      if (event.key === '/' && !isTyping(event)) {
        const search = document.querySelector<HTMLElement>('[data-search]');
        if (search !== null) {
          event.preventDefault();
          search.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);
}
