/**
 * The operator UI's session as a cookie (docs/security.md): `cd_session=<session token>; HttpOnly; SameSite=Strict;
 * Path=/` (and `Secure` unless the page came from a loopback host, where browsers may lack HTTPS), so a script in
 * the page — an injected one included — never holds the token. API clients keep sending `Authorization: Bearer`.
 *
 * CSRF: SameSite=Strict keeps other sites' requests cookie-less; on top of that, a cookie-authenticated write must
 * carry `X-Requested-With: clinic-dispatch`, a header a cross-site form cannot set (and a cross-site script cannot
 * without a CORS preflight the server never answers). The operator socket takes the cookie too; its Origin check
 * (upgrade-auth.ts) is what keeps another site's page from using it.
 */
export const sessionCookieName = 'cd_session';
export const csrfHeaderName = 'x-requested-with';
export const csrfHeaderValue = 'clinic-dispatch';

const cookiePattern = new RegExp(`(?:^|;\\s*)${sessionCookieName}=([^;\\s]+)`);

/** The session token in a Cookie header, or undefined. */
export function sessionTokenOfCookie(cookieHeader: string): string | undefined {
  if (cookieHeader === '') return undefined;
  return cookiePattern.exec(cookieHeader)?.[1];
}

function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/:\d+$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '[::1]';
}

function attributes(host: string): string {
  return `Path=/; HttpOnly; SameSite=Strict${isLoopbackHost(host) ? '' : '; Secure'}`;
}

export function sessionCookie(token: string, maxAgeSeconds: number, host: string): string {
  return `${sessionCookieName}=${token}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; ${attributes(host)}`;
}

export function clearedSessionCookie(host: string): string {
  return `${sessionCookieName}=; Max-Age=0; ${attributes(host)}`;
}
