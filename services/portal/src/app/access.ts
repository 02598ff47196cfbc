import { isIt, type Identity } from '../lib/auth.js';

/** Who may open what: the route table (app/router.tsx) names one of these for each guarded route. */
export type Who = Pick<Identity, 'roles'>;

export { isIt };
export const isVendor = (who: Who) => who.roles.includes('vendor') && !isIt(who);
export const isAuditor = (who: Who) => who.roles.includes('auditor');
export const isStaff = (who: Who) => who.roles.includes('clinic_staff');
/** Users, sites and vendor organisations: admins. */
export const isAdmin = (who: Who) => who.roles.includes('admin');
/** The audit log and the service-level reports: IT leads and auditors. */
export const canAudit = (who: Who) => isAuditor(who) || who.roles.includes('it_lead');
/** The escalation policy: the IT team reads (leads edit), auditors read. */
export const canReadPolicies = (who: Who) => isIt(who) || isAuditor(who);
/** Maintenance windows: IT leads schedule them, admins read them (decision 43). */
export const canReadMaintenance = (who: Who) => who.roles.includes('it_lead') || who.roles.includes('admin');

/** What "/" shows each person: IT the queue, an auditor the audit log, a vendor its tickets, staff the report form. */
export type Home = 'queue' | 'audit' | 'vendor' | 'tickets' | 'report' | 'users';
export function homeOf(who: Who): Home {
  if (isVendor(who)) return 'vendor';
  if (isIt(who)) return 'queue';
  if (isAuditor(who) && !isStaff(who)) return 'audit';
  if (isAdmin(who) && !isStaff(who)) return 'users';
  // Vendors and auditors do not report problems here; they start from the tickets they can see (admins from their people).
  if (!isStaff(who)) return 'tickets';
  return 'report';
}

/** A main-navigation entry; `matches` marks the current page. */
export interface NavItem {
  href: string;
  label: string;
  matches: (path: string) => boolean;
}

/** An admin's screens, after what their other roles work with. */
const ADMIN_ITEMS: NavItem[] = [
  { href: '/admin/users', label: 'Users', matches: (p) => p === '/admin/users' },
  { href: '/admin/sites', label: 'Sites', matches: (p) => p === '/admin/sites' },
  { href: '/admin/vendors', label: 'Vendors', matches: (p) => p === '/admin/vendors' },
];

/** What each role works with. */
export function navItems(who: Who): NavItem[] {
  const own = roleNavItems(who);
  if (!isAdmin(who)) return own;
  // A pure admin's home is the users page; "/" marks it.
  const admin = homeOf(who) === 'users' ? ADMIN_ITEMS.map((i) => (i.href === '/admin/users' ? { ...i, matches: (p: string) => p === '/' || p === '/admin/users' } : i)) : ADMIN_ITEMS;
  return [...own.filter((i) => !admin.some((a) => a.href === i.href)), ...admin];
}

function roleNavItems(who: Who): NavItem[] {
  if (isIt(who)) {
    return [
      { href: '/queue', label: 'Queue', matches: (p) => p === '/' || p === '/queue' || p.startsWith('/tickets/') },
      { href: '/report', label: 'Report a problem', matches: (p) => p === '/report' },
      { href: '/incidents/new', label: 'Declare major incident', matches: (p) => p === '/incidents/new' },
      ...(who.roles.includes('it_lead')
        ? [
            { href: '/policy', label: 'Escalation policy', matches: (p: string) => p === '/policy' },
            { href: '/assignment', label: 'Assignment', matches: (p: string) => p === '/assignment' },
            { href: '/maintenance', label: 'Maintenance', matches: (p: string) => p === '/maintenance' },
            { href: '/reports', label: 'Service level', matches: (p: string) => p === '/reports' },
            { href: '/audit', label: 'Audit log', matches: (p: string) => p === '/audit' },
          ]
        : []),
    ];
  }
  if (isAuditor(who) && !isStaff(who)) {
    return [
      { href: '/audit', label: 'Audit log', matches: (p) => p === '/' || p === '/audit' },
      { href: '/reports', label: 'Service level', matches: (p) => p === '/reports' },
      { href: '/policy', label: 'Escalation policy', matches: (p) => p === '/policy' },
    ];
  }
  if (isStaff(who)) {
    return [
      { href: '/', label: 'Report a problem', matches: (p) => p === '/' || p === '/report' },
      { href: '/tickets', label: 'My tickets', matches: (p) => p.startsWith('/tickets') },
    ];
  }
  return [{ href: '/tickets', label: 'Tickets', matches: (p) => (p === '/' && !isAdmin(who)) || p.startsWith('/tickets') }];
}
