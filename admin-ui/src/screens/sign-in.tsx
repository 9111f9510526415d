/** Sign-in: login and password → a session (POST /api/v1/auth/login); the password is never stored here. */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/http.ts';
import { setSession, type Session } from '../api/session.ts';
import { setLang, t, useLang } from '../i18n/i18n.ts';

export function SignIn() {
  const current = useLang();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      // cookie: the token comes as an HttpOnly cookie only, never into this page's scripts.
      setSession(await api<Session>('POST', '/api/v1/auth/login', { login, password, cookie: true }));
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 429) {
        // The wait is in Retry-After's words in the server's detail (the message is translated, without it).
        const seconds = /(\d+) s/.exec(String(failure.problem.detail ?? ''))?.[1] ?? '60';
        setError(t('signIn.locked', { seconds }));
      } else setError(failure instanceof ApiError && failure.status === 401 ? t('signIn.bad') : t('app.error', { message: String(failure) }));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form class="signin-box" onSubmit={(event) => void submit(event)} data-testid="sign-in">
        <h1>{t('app.title')}</h1>
        <h2>{t('signIn.title')}</h2>
        <label>{t('signIn.login')}
          <input name="login" autoComplete="username" value={login} required autoFocus onInput={(event) => setLogin(event.currentTarget.value)} />
        </label>
        <label>{t('signIn.password')}
          <input name="password" type="password" autoComplete="current-password" value={password} required onInput={(event) => setPassword(event.currentTarget.value)} />
        </label>
        {error === '' ? null : <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{t('signIn.submit')}</button>
        <button type="button" class="link" onClick={() => setLang(current === 'ru' ? 'en' : 'ru')}>{current === 'ru' ? 'English' : 'Русский'}</button>
      </form>
    </main>
  );
}
