/**
 * The top bar: the screens (each with its Alt shortcut), the clinic (an admin may switch), the connection
 * badge, the language switch and sign-out.
 */
import { useApp } from '../app-context.ts';
import { setLang, t, useLang, type MessageKey } from '../i18n/i18n.ts';
import { navigate, useRoute } from '../router.ts';
import { ConnectionBadge } from './connection-badge.tsx';

export interface NavItem {
  readonly path: string;
  readonly label: MessageKey;
  /** KeyboardEvent.code of the Alt shortcut: the physical key, so it works in the Russian layout too. */
  readonly code: string;
  readonly roles: ReadonlyArray<'admin' | 'operator' | 'doctor'>;
}

export const navItems: readonly NavItem[] = [
  { path: '/desk', label: 'nav.desk', code: 'KeyD', roles: ['admin', 'operator', 'doctor'] },
  { path: '/calls/new', label: 'nav.newCall', code: 'KeyN', roles: ['admin', 'operator'] },
  { path: '/calendar', label: 'nav.calendar', code: 'KeyC', roles: ['admin', 'operator', 'doctor'] },
  { path: '/queue', label: 'nav.queue', code: 'KeyQ', roles: ['admin', 'operator', 'doctor'] },
  { path: '/route-sheet', label: 'nav.routeSheet', code: 'KeyR', roles: ['admin', 'operator', 'doctor'] },
  { path: '/alerts', label: 'nav.alerts', code: 'KeyA', roles: ['admin', 'operator'] },
  { path: '/sre', label: 'nav.sre', code: 'KeyS', roles: ['admin'] },
  { path: '/users', label: 'nav.users', code: 'KeyU', roles: ['admin'] },
];

export function Header({ onSignOut, alertCount }: { readonly onSignOut: () => void; readonly alertCount: number }) {
  const app = useApp();
  const current = useLang();
  const route = useRoute();
  const items = navItems.filter((item) => item.roles.includes(app.user.role));
  return (
    <header class="topbar">
      <span class="brand">{t('app.title')}</span>
      <nav class="nav" aria-label={t('app.title')}>
        {items.map((item) => (
          <a key={item.path} href={item.path} class={route.path.startsWith(item.path) ? 'active' : ''} aria-current={route.path.startsWith(item.path) ? 'page' : undefined}
            title={`Alt+${item.code.slice(3)}`} onClick={(event) => { event.preventDefault(); navigate(item.path); }}>
            {t(item.label)}
            {item.path === '/alerts' && alertCount > 0 ? <span class="badge">{alertCount}</span> : null}
          </a>
        ))}
      </nav>
      <div class="topbar-right">
      {app.user.role === 'admin' ? (
        <select aria-label={t('app.clinic')} value={app.clinic.id} onChange={(event) => app.setClinicId((event.currentTarget as HTMLSelectElement).value)}>
          {app.clinics.map((clinic) => <option key={clinic.id} value={clinic.id}>{clinic.name}</option>)}
        </select>
      ) : (
        <span class="clinic-name" title={app.clinic.address}>{app.clinic.name}</span>
      )}
      <ConnectionBadge />
      <span class="user" data-testid="user" title={t(`role.${app.user.role}`)}>{app.user.login}</span>
      <button type="button" class="link" onClick={() => setLang(current === 'ru' ? 'en' : 'ru')} title={t('app.language')} lang={current === 'ru' ? 'en' : 'ru'} data-testid="lang">
        {current === 'ru' ? 'EN' : 'RU'}
      </button>
      <button type="button" class="link" onClick={onSignOut} data-testid="sign-out">{t('app.signOut')}</button>
      </div>
    </header>
  );
}
