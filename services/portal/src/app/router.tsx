import { useState, type ReactNode } from 'react';
import { createBrowserRouter, Link, RouterProvider, useLocation, useParams, type RouteObject } from 'react-router';
import { PageHeading } from '../components/PageHeading.js';
import { useIdentity } from '../lib/session.js';
import { SitesPage } from '../features/admin/components/SitesPage.js';
import { UsersPage } from '../features/admin/components/UsersPage.js';
import { VendorsPage } from '../features/admin/components/VendorsPage.js';
import { AssignmentPage } from '../features/assignment/components/AssignmentPage.js';
import { AuditPage } from '../features/audit/components/AuditPage.js';
import { MaintenancePage } from '../features/maintenance/components/MaintenancePage.js';
import { PolicyPage } from '../features/policies/components/PolicyPage.js';
import { ProfilePage } from '../features/profile/components/ProfilePage.js';
import { QueuePage } from '../features/queue/components/QueuePage.js';
import { ReportPage } from '../features/report/components/ReportPage.js';
import { ReportsPage } from '../features/reports/components/ReportsPage.js';
import { MyTicketsPage } from '../features/tickets/components/MyTicketsPage.js';
import { TicketPage } from '../features/tickets/components/TicketPage.js';
import { VendorPage } from '../features/vendor/components/VendorPage.js';
import { canAudit, canReadMaintenance, canReadPolicies, homeOf, isAdmin, isIt, isVendor, type Who } from './access.js';
import { Layout } from './Layout.js';
import { StatusBanner } from '../components/banners/StatusBanner.js';
import { DeclareIncidentPage } from '../features/incidents/components/DeclareIncidentPage.js';

/** The page, for whom `allow` admits; everyone else is told, on the same address, who it is for. */
function Guard({ allow, denied, children }: { allow: (who: Who) => boolean; denied: ReactNode; children: ReactNode }) {
  return <>{allow(useIdentity()) ? children : denied}</>;
}

function NotForYou({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <p>{children}</p>
    </>
  );
}

function Home() {
  const home = homeOf(useIdentity());
  // The report form shows the status banner itself.
  return (
    <>
      {home !== 'report' && <StatusBanner />}
      <HomePage home={home} />
    </>
  );
}

function HomePage({ home }: { home: ReturnType<typeof homeOf> }) {
  switch (home) {
    case 'vendor':
      return <VendorPage />;
    case 'queue':
      return <QueuePage />;
    case 'audit':
      return <AuditPage />;
    case 'tickets':
      return <MyTicketsPage />;
    case 'report':
      return <ReportPage />;
    case 'users':
      return <UsersPage />;
  }
}

function Tickets() {
  return isVendor(useIdentity()) ? <VendorPage /> : <MyTicketsPage />;
}

function Ticket() {
  const { id = '' } = useParams();
  const created = (useLocation().state as { created?: unknown } | null)?.created === true;
  return <TicketPage key={id} id={id} justCreated={created} />;
}

function NotFound() {
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>
        There is nothing at this address. <Link to="/">Go to the start page</Link> instead.
      </p>
    </>
  );
}

/** Every address the portal has (e-mailed links point at /tickets/:id), and who may open each. */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <Home /> },
      { path: 'report', element: <ReportPage /> },
      {
        path: 'queue',
        element: (
          <Guard
            allow={isIt}
            denied={
              <>
                <PageHeading>Queue</PageHeading>
                <p>
                  The queue is for the IT team. <Link to="/tickets">See your tickets</Link> instead.
                </p>
              </>
            }
          >
            <QueuePage />
          </Guard>
        ),
      },
      { path: 'tickets', element: <Tickets /> },
      { path: 'tickets/:id', element: <Ticket /> },
      // Everyone signed in edits their own contacts and notification preferences.
      { path: 'profile', element: <ProfilePage /> },
      {
        path: 'incidents/new',
        element: (
          <Guard allow={isIt} denied={<NotForYou title="Declare a major incident">Major incidents are declared by the IT team.</NotForYou>}>
            <DeclareIncidentPage />
          </Guard>
        ),
      },
      {
        path: 'policy',
        element: (
          <Guard allow={canReadPolicies} denied={<NotForYou title="Escalation policy">The escalation policy is for the IT team and auditors.</NotForYou>}>
            <PolicyPage />
          </Guard>
        ),
      },
      {
        path: 'assignment',
        element: (
          <Guard allow={isIt} denied={<NotForYou title="Assignment and on-call">Assignment rules and rotas are for the IT team.</NotForYou>}>
            <AssignmentPage />
          </Guard>
        ),
      },
      {
        path: 'reports',
        element: (
          <Guard allow={canAudit} denied={<NotForYou title="Service level">Service level reports are for IT leads and auditors.</NotForYou>}>
            <ReportsPage />
          </Guard>
        ),
      },
      {
        path: 'audit',
        element: (
          <Guard allow={canAudit} denied={<NotForYou title="Audit log">The audit log is open to IT leads and auditors only.</NotForYou>}>
            <AuditPage />
          </Guard>
        ),
      },
      {
        path: 'maintenance',
        element: (
          <Guard allow={canReadMaintenance} denied={<NotForYou title="Maintenance windows">Maintenance windows are for IT leads and administrators.</NotForYou>}>
            <MaintenancePage />
          </Guard>
        ),
      },
      // The admin's screens (decision 44).
      ...(
        [
          ['admin/users', 'Users', <UsersPage key="users" />],
          ['admin/sites', 'Sites', <SitesPage key="sites" />],
          ['admin/vendors', 'Vendors', <VendorsPage key="vendors" />],
        ] as const
      ).map(([path, title, page]) => ({
        path,
        element: (
          <Guard allow={isAdmin} denied={<NotForYou title={title}>{title} are managed by administrators.</NotForYou>}>
            {page}
          </Guard>
        ),
      })),
      { path: '*', element: <NotFound /> },
    ],
  },
];

export function AppRouter() {
  // Created once, after the sign-in callback has put the return address in the history.
  const [router] = useState(() => createBrowserRouter(routes));
  return <RouterProvider router={router} />;
}
