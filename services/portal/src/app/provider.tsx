import { useEffect, useState, type ReactNode } from 'react';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { User, UserManager } from 'oidc-client-ts';
import { ApiProvider } from '../lib/api/context.js';
import { createQueryClient } from '../lib/query-client.js';
import { SessionProvider, useSession } from '../lib/session.js';

/** The API clients on the session's token; what one person was shown is forgotten when the session changes hands. */
function SessionApi({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  const { getToken, identity } = useSession();
  const who = identity?.id ?? null;
  useEffect(() => () => queryClient.clear(), [queryClient, who]);
  return <ApiProvider getToken={getToken}>{children}</ApiProvider>;
}

/** The session, the API clients on its token, and the server-state cache, for the whole app. */
export function AppProvider({ userManager, initialUser, initialNotice, children }: { userManager: UserManager; initialUser: User | null; initialNotice: string | null; children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <SessionProvider userManager={userManager} initialUser={initialUser} initialNotice={initialNotice}>
      <SessionApi queryClient={queryClient}>
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </SessionApi>
    </SessionProvider>
  );
}
