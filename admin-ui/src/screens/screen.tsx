/** The screen for the current path; a path the user's role may not open falls back to the role's home. */
import { useApp } from '../app-context.ts';
import { navItems } from '../components/header.tsx';
import { useRoute } from '../router.ts';
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
