import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { createApi, type Api, type TokenSource } from './client.js';

interface ApiContextValue {
  api: Api;
  getToken: TokenSource;
}

const ApiContext = createContext<ApiContextValue | null>(null);

/** The signed-in person's API clients (and their token source, for the live stream). */
export function ApiProvider({ getToken, children }: { getToken: TokenSource; children: ReactNode }) {
  const value = useMemo(() => ({ api: createApi(getToken), getToken }), [getToken]);
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi is used outside ApiProvider');
  return value;
}

export const useApi = (): Api => useApiContext().api;
export const useTokenSource = (): TokenSource => useApiContext().getToken;
