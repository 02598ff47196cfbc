import { Link, Outlet, useLocation } from 'react-router';
import { PageHeading } from '../components/PageHeading.js';
import type { Identity } from '../lib/auth.js';
import { siteLabel } from '../lib/labels.js';
import { useSession } from '../lib/session.js';
import { navItems } from './access.js';

const ROLE_LABELS: Record<string, string> = {
  clinic_staff: 'Clinic staff',
  it_agent: 'IT agent',
  it_lead: 'IT lead',
  vendor: 'Vendor',
  auditor: 'Auditor',
  admin: 'Administrator',
};

/** The frame of every page: header, who is signed in, the main navigation, and the page (or the sign-in card). */
export function Layout() {
  const { identity, notice, dismissNotice, signIn, signOut } = useSession();
  const { pathname } = useLocation();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link to="/" className="brand">
            Tierline <span className="brand__sub">Clinic IT help</span>
          </Link>
          {identity && <WhoAmI identity={identity} onSignOut={signOut} />}
        </div>
        {identity && <MainNav identity={identity} path={pathname} />}
      </header>
      <main className="page" id="main" tabIndex={-1}>
        {notice && (
          <div className="notice notice--warning" role="alert">
            <p>{notice}</p>
            <button type="button" className="button button--secondary" onClick={dismissNotice}>
              Dismiss
            </button>
          </div>
        )}
        {identity ? <Outlet /> : <SignedOut onSignIn={signIn} />}
      </main>
    </>
  );
}

function MainNav({ identity, path }: { identity: Identity; path: string }) {
  return (
    <nav className="main-nav" aria-label="Main">
      <ul className="main-nav__list">
        {navItems(identity).map((item) => (
          <li key={item.href}>
            <Link to={item.href} className="main-nav__link" aria-current={item.matches(path) ? 'page' : undefined}>
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
      <Link to="/profile" className="whoami__profile">
        Your profile
      </Link>
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
