/**
 * The screen for the current path. A screen the user's role may not open says so and names the role it needs
 * (an operator following a link to /sre is not silently sent elsewhere); an unknown path shows the role's home.
 */
import { useApp } from '../app-context.ts';
import { navItems } from '../components/header.tsx';
import { t, type MessageKey } from '../i18n/i18n.ts';
import { navigate, useRoute } from '../router.ts';
import { Alerts } from './alerts.tsx';
import { CalendarScreen } from './calendar.tsx';
import { CallForm } from './call-form.tsx';
import { Desk } from './desk.tsx';
import { Monitor } from './monitor.tsx';
import { QueueScreen } from './queue.tsx';
import { RouteSheet } from './route-sheet.tsx';
import { Sre } from './sre.tsx';
import { Users } from './users.tsx';

export function Screen() {
  const { user } = useApp();
  const route = useRoute();
  const allowed = (path: string): boolean => navItems.some((item) => item.path === path && item.roles.includes(user.role));
  const home = user.role === 'doctor' ? '/route-sheet' : '/desk';
  const known = navItems.find((item) => item.path === route.path);
  if (known !== undefined && !known.roles.includes(user.role)) {
    const roles = known.roles.map((role) => t(`role.${role}` as MessageKey).toLowerCase()).join(t('app.or'));
    return (
      <section class="panel forbidden" data-testid="forbidden-screen" role="alert">
        <h1>{t(known.label)}</h1>
        <p>{t('app.needsRole', { screen: t(known.label), roles })}</p>
        <p><a href={home} onClick={(event) => { event.preventDefault(); navigate(home); }}>{t('app.toHome')}</a></p>
      </section>
    );
  }
  const path = route.path.startsWith('/monitor') || allowed(route.path) ? route.path : home;
  switch (path) {
    case '/calls/new':
      return <CallForm />;
    case '/calendar':
      return <CalendarScreen />;
    case '/queue':
      return <QueueScreen />;
    case '/monitor':
      return <Monitor />;
    case '/route-sheet':
      return <RouteSheet />;
    case '/alerts':
      return <Alerts />;
    case '/sre':
      return <Sre />;
    case '/users':
      return <Users />;
    default:
      return <Desk />;
  }
}
