import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The disposable-address domains of the maintained `disposable-email-domains` list. */
const DISPOSABLE_DOMAINS: ReadonlySet<string> = new Set(
  require('disposable-email-domains') as string[],
);

/** True for a listed domain and for any subdomain of one (`x.mailinator.com`). */
export function isDisposableDomain(domain: string): boolean {
  const labels = domain.toLowerCase().split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    if (DISPOSABLE_DOMAINS.has(labels.slice(i).join('.'))) return true;
  }
  return false;
}
