/**
 * The operator UI as a gateway extension: the user and session stores in the host's LMDB environment, the
 * sessions accepted as bearer tokens (API and WebSocket alike), the sign-in, user-admin and stats routes, and
 * the built UI served at `/`. `uiExtension` serves admin-ui/dist; tests build the UI elsewhere and pass
 * `distDir` to `createUiExtension`.
 */
import { fileURLToPath } from 'node:url';
import type { GatewayContext } from '../server.ts';
import type { Route } from '../http/route.ts';
import { adminStatsRoute } from './admin-stats.ts';
import { authRoutes } from './auth-routes.ts';
import { HashBudget, LoginLimiter } from './login-limiter.ts';
import { expirySweepIntervalMs, SessionStore, sessionTtlMsDefault } from './session-store.ts';
import { mountStaticSite, StaticSite } from './static-files.ts';
import { UserStore } from './user-store.ts';
import { userRoutes } from './user-routes.ts';

export const defaultDistDir = fileURLToPath(new URL('../../admin-ui/dist', import.meta.url));

export interface UiExtensionOptions {
  readonly distDir?: string;
  readonly sessionTtlMs?: number;
}

export function createUiExtension(options: UiExtensionOptions = {}): (context: GatewayContext) => Route[] {
  return (context) => {
    const now = () => context.clock.now();
    const users = new UserStore(context.host.environment);
    const sessions = new SessionStore(context.host.environment, now(), options.sessionTtlMs ?? sessionTtlMsDefault);
    context.tokens.acceptAlso((token) => sessions.verify(token, now()));
    // Open sockets and webhooks hear when a session ends or a user is disabled (docs/security.md).
    sessions.onEnded((credentialIds) => {
      for (const credentialId of credentialIds) context.tokens.announce({ kind: 'credential-revoked', credentialId });
    });
    context.tokens.knowPrincipals((principalId) => {
      if (!principalId.startsWith('u.')) return undefined;
      const user = users.get(principalId.slice(2));
      return user !== undefined && !user.disabled;
    });
    const limiter = new LoginLimiter();
    mountStaticSite(context.app, new StaticSite(options.distDir ?? defaultDistDir));
    const stats = adminStatsRoute(context.metrics, now);
    context.onClose(() => stats.stop());
    // An expired session's open sockets close too, within a sweep interval (sessions.onEnded above).
    const sweep = setInterval(() => {
      sessions.sweepExpired(now()).catch((error: unknown) => context.logger.error({ err: error }, 'sweeping expired sessions failed'));
    }, expirySweepIntervalMs);
    sweep.unref();
    context.onClose(() => clearInterval(sweep));
    return [
      ...authRoutes({ users, sessions, limiter, hashBudget: new HashBudget(), now }),
      ...userRoutes({ users, sessions, read: () => context.host.read, now, announce: (change) => context.tokens.announce(change), unlock: (login) => limiter.logins.clear(login) }),
      stats.route,
    ];
  };
}

export const uiExtension = createUiExtension();
