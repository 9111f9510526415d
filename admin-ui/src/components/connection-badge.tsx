/**
 * The offline indicator: online, connecting, reconnecting (with the seconds to the next try), catching up
 * after a slow-reader cut-off, or offline when the browser reports no network.
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/i18n.ts';
import { useConnection } from '../live/live-hub.ts';

export function ConnectionBadge() {
  const connection = useConnection();
  const [browserOnline, setBrowserOnline] = useState(navigator.onLine);
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = (): void => setBrowserOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    const timer = setInterval(() => setTick((tick) => tick + 1), 1000);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
      clearInterval(timer);
    };
  }, []);
  let kind: string = connection.status;
  let text: string;
  if (!browserOnline) {
    kind = 'offline';
    text = t('net.offline');
  } else if (connection.status === 'online') text = t('net.online');
  else if (connection.status === 'stale') text = t('net.stale');
  else if (connection.status === 'reconnecting' && connection.retryAt !== undefined) {
    text = t('net.reconnecting', { seconds: Math.max(0, Math.ceil((connection.retryAt - Date.now()) / 1000)) });
  } else text = t('net.connecting');
  return <span class={`net net-${kind}`} role="status" data-testid="connection" data-status={kind}>{text}</span>;
}
