import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/client.js';

/**
 * Server state for the whole portal. The live stream keeps what is shown current (it writes to or
 * invalidates these queries), so nothing refetches on focus or on a timer. A failure is shown at
 * once with its "Try again" button (components/ui QueryState) rather than retried unseen.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: 30_000 },
      mutations: { retry: false },
    },
  });
}

/** The message to show for a failed query or mutation. */
export function errorMessage(err: unknown, fallback: string): string {
  return err instanceof ApiError ? err.message : fallback;
}
