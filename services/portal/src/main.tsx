import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { User } from 'oidc-client-ts';
import { CALLBACK_PATH, createUserManager, loadConfig } from './lib/auth.js';
import { AppProvider } from './app/provider.js';
import { AppRouter } from './app/router.js';
import './styles.css';

/** Only same-origin paths may be returned to after sign-in. */
function safeReturnTo(state: unknown): string {
  const to = (state as { returnTo?: unknown } | undefined)?.returnTo;
  return typeof to === 'string' && to.startsWith('/') && !to.startsWith('//') && !to.startsWith(CALLBACK_PATH) ? to : '/';
}

// Sign-in callbacks and session restore happen once, before React renders (StrictMode would
// otherwise redeem the one-time authorization code twice).
async function bootstrap(root: ReturnType<typeof createRoot>): Promise<void> {
  const config = await loadConfig();
  const userManager = createUserManager(config);
  let user: User | null = null;
  let notice: string | null = null;
  if (window.location.pathname === CALLBACK_PATH) {
    try {
      user = await userManager.signinRedirectCallback();
      window.history.replaceState(null, '', safeReturnTo(user.state));
    } catch {
      notice = 'Sign-in did not complete. Please try again.';
      window.history.replaceState(null, '', '/');
    }
  } else {
    user = await userManager.getUser();
    if (user?.expired) {
      user = await userManager.signinSilent().catch(async () => {
        await userManager.removeUser();
        return null;
      });
    }
  }
  root.render(
    <StrictMode>
      <AppProvider userManager={userManager} initialUser={user} initialNotice={notice}>
        <AppRouter />
      </AppProvider>
    </StrictMode>,
  );
}

const container = document.getElementById('root');
if (container) {
  const root = createRoot(container);
  root.render(
    <p className="loading" role="status">
      Loading Tierline…
    </p>,
  );
  bootstrap(root).catch((err: unknown) => {
    console.error(err);
    root.render(
      <main className="page" id="main">
        <h1>Tierline is not available right now</h1>
        <p>The page could not start. Please reload in a minute. If your problem is urgent, phone the IT help desk.</p>
      </main>,
    );
  });
}
