// The portal's frame: local fonts (no font CDN), a skip link, the navigation and the page.
import '@fontsource/inter/latin-400.css';
import '@fontsource/inter/latin-600.css';
import './globals.css';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';

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

export default function RootLayout({ children }: { children: ReactNode }) {
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
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
