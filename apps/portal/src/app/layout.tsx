// The portal's frame: local fonts (no font CDN), a skip link, the navigation, who is signed in (sign out)
// and the page.
import '@fontsource/inter/latin-400.css';
import '@fontsource/inter/latin-600.css';
import './globals.css';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Link } from '../components/Link.tsx';
import { currentUser } from '../lib/auth.ts';
import { signOut } from './signin/actions.ts';

export const metadata: Metadata = {
  title: { default: 'GexBERT Platform', template: '%s · GexBERT Platform' },
  description: 'Cohort dashboards over cancer RNA-seq and the GexBERT model.',
};

// Every page shows the database as it is now: render on each request, never at build time.
export const dynamic = 'force-dynamic';

const NAV = [
  { href: '/cohorts', label: 'Cohorts' },
  { href: '/imports', label: 'Imports' },
  { href: '/models', label: 'Models' },
];

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="site-header">
          <Link href="/cohorts" className="brand">
            GexBERT Platform
          </Link>
          <nav aria-label="Main">
            <ul>
              {NAV.map((item) => (
                <li key={item.href}>
                  <Link href={item.href}>{item.label}</Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="session" data-testid="session">
            {user && !user.anonymous ? (
              <form action={signOut}>
                <span data-testid="session-user" data-role={user.role}>
                  {`${user.name ?? 'signed in'} (${user.role.toLowerCase()})`}
                </span>{' '}
                <button type="submit">Sign out</button>
              </form>
            ) : (
              <Link href="/signin">{user ? 'Reading anonymously · Sign in' : 'Sign in'}</Link>
            )}
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
