import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { User, UserManager } from 'oidc-client-ts';
import { identityOf, isIt, type Identity } from '../lib/auth.js';
import type { TokenSource } from '../lib/api.js';
import { Link, matchPath, useLocation } from './router.js';
import { ReportPage, clearReportDraft } from '../features/report/components/ReportPage.js';
import { TicketPage } from '../features/tickets/components/TicketPage.js';
import { QueuePage } from '../features/queue/components/QueuePage.js';
import { MyTicketsPage } from '../features/tickets/components/MyTicketsPage.js';
import { PageHeading } from '../components/PageHeading.js';
import { siteLabel } from '../lib/labels.js';
import { PolicyPage } from '../features/policies/components/PolicyPage.js';
import { AuditPage } from '../features/audit/components/AuditPage.js';
import { VendorPage } from '../features/vendor/components/VendorPage.js';
import { ReportsPage } from '../features/reports/components/ReportsPage.js';
import { AssignmentPage } from '../features/assignment/components/AssignmentPage.js';

const ROLE_LABELS: Record<string, string> = {
  clinic_staff: 'Clinic staff',
  it_agent: 'IT agent',
  it_lead: 'IT lead',
  vendor: 'Vendor',
  auditor: 'Auditor',
  admin: 'Administrator',
};

export interface AppProps {
  userManager: UserManager;
  initialUser: User | null;
  initialNotice: string | null;
}

export function App({ userManager, initialUser, initialNotice }: AppProps) {
  const [user, setUser] = useState<User | null>(initialUser);
  const [notice, setNotice] = useState<string | null>(initialNotice);
  const location = useLocation();

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

  /** A current access token: renewed with the refresh token if it has just expired. */
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
    clearReportDraft();
    userManager.signoutRedirect().catch(async () => {
      await userManager.removeUser();
      setUser(null);
    });
  }, [userManager]);

  const identity = useMemo(() => (user ? identityOf(user) : null), [user]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link href="/" className="brand">
            Tierline <span className="brand__sub">Clinic IT help</span>
          </Link>
          {identity && <WhoAmI identity={identity} onSignOut={signOut} />}
        </div>
        {identity && <MainNav identity={identity} path={location.path} />}
      </header>
      <main className="page" id="main" tabIndex={-1}>
        {notice && (
          <div className="notice notice--warning" role="alert">
            <p>{notice}</p>
            <button type="button" className="button button--secondary" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </div>
        )}
        {identity ? <Routes path={location.path} state={location.state} identity={identity} getToken={getToken} onSignIn={signIn} /> : <SignedOut onSignIn={signIn} />}
      </main>
    </>
  );
}

interface RoutesProps {
  path: string;
  state: unknown;
  identity: Identity;
  getToken: TokenSource;
  onSignIn: () => void;
}

const isVendor = (identity: Identity) => identity.roles.includes('vendor') && !isIt(identity);
const isAuditor = (identity: Identity) => identity.roles.includes('auditor');
const canAudit = (identity: Identity) => isAuditor(identity) || identity.roles.includes('it_lead');
const canReadPolicies = (identity: Identity) => isIt(identity) || isAuditor(identity);

function NotForYou({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <p>{children}</p>
    </>
  );
}

function Routes({ path, state, identity, getToken, onSignIn }: RoutesProps) {
  const it = isIt(identity);
  if (path === '/policy') {
    return canReadPolicies(identity) ? <PolicyPage identity={identity} getToken={getToken} /> : <NotForYou title="Escalation policy">The escalation policy is for the IT team and auditors.</NotForYou>;
  }
  if (path === '/assignment') {
    return isIt(identity) ? <AssignmentPage identity={identity} getToken={getToken} /> : <NotForYou title="Assignment and on-call">Assignment rules and rotas are for the IT team.</NotForYou>;
  }
  if (path === '/reports') {
    return canAudit(identity) ? <ReportsPage identity={identity} getToken={getToken} /> : <NotForYou title="Service level">Service level reports are for IT leads and auditors.</NotForYou>;
  }
  if (path === '/audit') {
    return canAudit(identity) ? <AuditPage getToken={getToken} /> : <NotForYou title="Audit log">The audit log is open to IT leads and auditors only.</NotForYou>;
  }
  if (isVendor(identity) && (path === '/' || path === '/tickets')) return <VendorPage identity={identity} getToken={getToken} />;
  if (path === '/') {
    if (it) return <QueuePage identity={identity} getToken={getToken} />;
    if (isAuditor(identity) && !identity.roles.includes('clinic_staff')) return <AuditPage getToken={getToken} />;
    // Vendors, auditors and admins do not report problems here; they start from the tickets they can see.
    if (!identity.roles.includes('clinic_staff')) return <MyTicketsPage identity={identity} getToken={getToken} />;
    return <ReportPage identity={identity} getToken={getToken} onSignIn={onSignIn} />;
  }
  if (path === '/report') return <ReportPage identity={identity} getToken={getToken} onSignIn={onSignIn} />;
  if (path === '/queue') {
    return it ? (
      <QueuePage identity={identity} getToken={getToken} />
    ) : (
      <>
        <PageHeading>Queue</PageHeading>
        <p>The queue is for the IT team. <Link href="/tickets">See your tickets</Link> instead.</p>
      </>
    );
  }
  if (path === '/tickets') return <MyTicketsPage identity={identity} getToken={getToken} />;
  const ticket = matchPath('/tickets/:id', path);
  if (ticket?.['id']) {
    const created = (state as { created?: unknown } | null)?.created === true;
    return <TicketPage key={ticket['id']} id={ticket['id']} identity={identity} justCreated={created} getToken={getToken} onSignIn={onSignIn} />;
  }
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>
        There is nothing at this address. <Link href="/">Go to the start page</Link> instead.
      </p>
    </>
  );
}

/** What each role works with; the current page is marked for screen readers too. */
function navItems(identity: Identity): { href: string; label: string; matches: (p: string) => boolean }[] {
  if (isIt(identity)) {
    return [
      { href: '/queue', label: 'Queue', matches: (p) => p === '/' || p === '/queue' || p.startsWith('/tickets/') },
      { href: '/report', label: 'Report a problem', matches: (p) => p === '/report' },
      ...(identity.roles.includes('it_lead')
        ? [
            { href: '/policy', label: 'Escalation policy', matches: (p: string) => p === '/policy' },
            { href: '/assignment', label: 'Assignment', matches: (p: string) => p === '/assignment' },
            { href: '/reports', label: 'Service level', matches: (p: string) => p === '/reports' },
            { href: '/audit', label: 'Audit log', matches: (p: string) => p === '/audit' },
          ]
        : []),
    ];
  }
  if (isAuditor(identity) && !identity.roles.includes('clinic_staff')) {
    return [
      { href: '/audit', label: 'Audit log', matches: (p) => p === '/' || p === '/audit' },
      { href: '/reports', label: 'Service level', matches: (p) => p === '/reports' },
      { href: '/policy', label: 'Escalation policy', matches: (p) => p === '/policy' },
    ];
  }
  if (identity.roles.includes('clinic_staff')) {
    return [
      { href: '/', label: 'Report a problem', matches: (p) => p === '/' || p === '/report' },
      { href: '/tickets', label: 'My tickets', matches: (p) => p.startsWith('/tickets') },
    ];
  }
  return [{ href: '/tickets', label: 'Tickets', matches: (p) => p === '/' || p.startsWith('/tickets') }];
}

function MainNav({ identity, path }: { identity: Identity; path: string }) {
  return (
    <nav className="main-nav" aria-label="Main">
      <ul className="main-nav__list">
        {navItems(identity).map((item) => (
          <li key={item.href}>
            <Link href={item.href} className="main-nav__link" aria-current={item.matches(path) ? 'page' : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function WhoAmI({ identity, onSignOut }: { identity: Identity; onSignOut: () => void }) {
  const roles = identity.roles.map((r) => ROLE_LABELS[r] ?? r);
  return (
    <div className="whoami">
      <dl className="whoami__facts" aria-label="Signed in as">
        <div>
          <dt className="visually-hidden">Name</dt>
          <dd className="whoami__name">{identity.name || identity.username}</dd>
        </div>
        <div>
          <dt>Roles</dt>
          <dd>{roles.length > 0 ? roles.join(', ') : 'none'}</dd>
        </div>
        <div>
          <dt>Sites</dt>
          <dd>{identity.sites.length > 0 ? identity.sites.map(siteLabel).join(', ') : 'none'}</dd>
        </div>
      </dl>
      <button type="button" className="button button--secondary" onClick={onSignOut}>
        Sign out
      </button>
    </div>
  );
}

function SignedOut({ onSignIn }: { onSignIn: () => void }) {
  return (
    <section className="card card--narrow">
      <PageHeading>Clinic IT help</PageHeading>
      <p>Report a computer, network, phone, printer or clinical-system problem and follow what happens to it.</p>
      <p>Sign in with your clinic account to continue.</p>
      <button type="button" className="button button--primary" onClick={onSignIn}>
        Sign in
      </button>
    </section>
  );
}
