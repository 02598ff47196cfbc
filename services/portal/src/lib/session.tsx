import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { User, UserManager } from 'oidc-client-ts';
import { identityOf, type Identity } from './auth.js';
import type { TokenSource } from './api/client.js';

/** The report form keeps its draft in sessionStorage; signing out forgets it. */
export const REPORT_DRAFT_KEY = 'tierline:report-draft';

export interface Session {
  /** null: nobody is signed in. */
  identity: Identity | null;
  /** A current access token: renewed with the refresh token if it has just expired. */
  getToken: TokenSource;
  signIn: () => void;
  signOut: () => void;
  /** A message about the session (sign-in failed, renewal failed), until dismissed. */
  notice: string | null;
  dismissNotice: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ userManager, initialUser, initialNotice, children }: { userManager: UserManager; initialUser: User | null; initialNotice: string | null; children: ReactNode }) {
  const [user, setUser] = useState<User | null>(initialUser);
  const [notice, setNotice] = useState<string | null>(initialNotice);

  useEffect(() => {
    const events = userManager.events;
    const loaded = (u: User) => setUser(u);
    const unloaded = () => setUser(null);
    const renewFailed = () => setNotice('Your session could not be renewed. Please sign in again before you continue.');
    events.addUserLoaded(loaded);
    events.addUserUnloaded(unloaded);
    events.addSilentRenewError(renewFailed);
    return () => {
      events.removeUserLoaded(loaded);
      events.removeUserUnloaded(unloaded);
      events.removeSilentRenewError(renewFailed);
    };
  }, [userManager]);

  const getToken: TokenSource = useCallback(async () => {
    let current = await userManager.getUser();
    if (current?.expired) current = await userManager.signinSilent().catch(() => null);
    return current?.access_token ?? null;
  }, [userManager]);

  const signIn = useCallback(() => {
    const returnTo = window.location.pathname + window.location.search;
    userManager.signinRedirect({ state: { returnTo } }).catch(() => setNotice('The sign-in page could not be reached. Please try again.'));
  }, [userManager]);

  const signOut = useCallback(() => {
    try {
      window.sessionStorage.removeItem(REPORT_DRAFT_KEY);
    } catch {
      // storage disabled: there is no draft to forget
    }
    userManager.signoutRedirect().catch(async () => {
      await userManager.removeUser();
      setUser(null);
    });
  }, [userManager]);

  const identity = useMemo(() => (user ? identityOf(user) : null), [user]);
  const dismissNotice = useCallback(() => setNotice(null), []);
  const value = useMemo(() => ({ identity, getToken, signIn, signOut, notice, dismissNotice }), [identity, getToken, signIn, signOut, notice, dismissNotice]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession is used outside SessionProvider');
  return session;
}

/** The signed-in person; only for pages behind the layout, which shows no page to nobody. */
export function useIdentity(): Identity {
  const { identity } = useSession();
  if (!identity) throw new Error('useIdentity needs a signed-in person');
  return identity;
}
