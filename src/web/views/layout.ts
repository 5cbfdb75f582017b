import { html } from 'ghtml';

/**
 * The page around every console view: the trust and product, who is signed in and as what, the
 * navigation their role needs, and the main content. htmx sends the session's CSRF token with
 * every request from the `hx-headers` on <body>; forms also carry it as a hidden field.
 */

export const TRUST_NAME = 'Nexus MAT';
export const PRODUCT_NAME = 'Next Steps Sync';

export interface NavItem {
  href: string;
  label: string;
}

export interface Shell {
  person: string;
  role: string;
  csrfToken: string;
  nav: readonly NavItem[];
}

export interface Assets {
  css: string;
  htmx: string;
}

export interface Document {
  title: string;
  /** The main content: `html` output. */
  main: string;
  /** The path being shown, to mark the navigation item. */
  path: string;
}

// htmx swaps 422 (a form with its errors) and 4xx refusals into the page like any other answer;
// no inline styles (the CSP allows none), no eval, and no copies of pages in local storage.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '(400|403|404|409|413|422)', swap: true, error: false },
    { code: '[45]..', swap: false, error: true },
  ],
});

export function layout(shell: Shell | null, assets: Assets, document: Document): string {
  const headers = shell ? JSON.stringify({ 'X-CSRF-Token': shell.csrfToken }) : '{}';
  return `<!doctype html>${html`<html lang="en-GB">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="htmx-config" content="${HTMX_CONFIG}" />
      <title>${document.title} – ${PRODUCT_NAME} – ${TRUST_NAME}</title>
      <link rel="stylesheet" href="${assets.css}" />
      <script src="${assets.htmx}" defer></script>
    </head>
    <body hx-headers="${headers}">
      <a class="skip-link" href="#main">Skip to main content</a>
      !${header(shell, document.path)}
      <main id="main" class="container" tabindex="-1">!${document.main}</main>
      <footer class="site-footer">
        <div class="container">
          ${TRUST_NAME} · ${PRODUCT_NAME} · Figures follow the trust's assessment policy
          (sections 6 and 8).
        </div>
      </footer>
    </body>
  </html>`}`;
}

function header(shell: Shell | null, path: string): string {
  return html`<header class="site-header">
    <div class="container masthead">
      <a class="brand" href="/">
        <span class="brand-trust">${TRUST_NAME}</span>
        <span class="brand-product">${PRODUCT_NAME}</span>
      </a>
      !${shell ? person(shell) : ''}
    </div>
    !${shell && shell.nav.length > 0 ? navigation(shell.nav, path) : ''}
  </header>`;
}

function person(shell: Shell): string {
  return html`<div class="person">
    <p class="person-name">
      <span class="visually-hidden">Signed in as</span> ${shell.person}
      <span class="person-role">${shell.role}</span>
    </p>
    <form method="post" action="/sign-out">
      <input type="hidden" name="_csrf" value="${shell.csrfToken}" />
      <button type="submit" class="button button-on-dark">Sign out</button>
    </form>
  </div>`;
}

function navigation(shellItems: readonly NavItem[], path: string): string {
  const items = [...shellItems, { href: '/reports', label: 'Reports' }];
  const current = currentItem(items, path);
  const links = items.map(
    (item) =>
      html`<li>
        <a href="${item.href}" !${item === current ? 'aria-current="page"' : ''}>${item.label}</a>
      </li>`,
  );
  return html`<nav class="site-nav" aria-label="Main">
    <div class="container"><ul>!${links}</ul></div>
  </nav>`;
}

/** The item whose link is the longest prefix of the path: "/schools/x/missing" over "/". */
function currentItem(items: readonly NavItem[], path: string): NavItem | null {
  const bare = path.split('?')[0] ?? path;
  let best: NavItem | null = null;
  for (const item of items) {
    const matches = item.href === '/' ? bare === '/' : bare.startsWith(item.href);
    if (matches && (!best || item.href.length > best.href.length)) best = item;
  }
  return best;
}
