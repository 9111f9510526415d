/**
 * Path routing for the single-page app (the gateway answers index.html for every app path, so a reload
 * keeps the screen): `navigate` pushes a path, `useRoute` re-renders on changes, back and forward included.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  readonly path: string;
  readonly params: URLSearchParams;
}

const listeners = new Set<(route: Route) => void>();

function current(): Route {
  return { path: location.pathname, params: new URLSearchParams(location.search) };
}

/** Fired when a screen is opened again while it is shown (Alt+N on the new-call form): it may refocus itself. */
export const reopenEvent = 'cd:reopen';

export function navigate(path: string): void {
  if (`${location.pathname}${location.search}` === path) {
    window.dispatchEvent(new CustomEvent(reopenEvent, { detail: path }));
    return;
  }
  history.pushState(null, '', path);
  const route = current();
  for (const listener of listeners) listener(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const onPop = (): void => setRoute(current());
    listeners.add(setRoute);
    window.addEventListener('popstate', onPop);
    return () => {
      listeners.delete(setRoute);
      window.removeEventListener('popstate', onPop);
    };
  }, []);
  return route;
}
