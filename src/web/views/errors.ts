import { html } from 'ghtml';

export interface ProblemView {
  status: number;
  title: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: 'That request could not be understood',
  403: 'You do not have access to this page',
  404: 'We could not find that page',
  409: 'That cannot be done right now',
  413: 'That file is too large',
  500: 'Something went wrong on our side',
};

export function problemTitle(status: number): string {
  return TITLES[status] ?? TITLES[500]!;
}

/** A refusal or failure, in words a user can act on; never a stack trace. */
export function problemView(view: ProblemView): string {
  return html`<div class="card problem" role="alert">
    <p class="eyebrow">Error ${view.status}</p>
    <h1>${view.title}</h1>
    <p>${view.message}</p>
    <p><a href="/">Go to your home page</a></p>
  </div>`;
}

/** The same, small enough to stand in for a fragment that htmx asked for. */
export function problemFragment(view: ProblemView): string {
  return html`<div class="notice notice-bad" role="alert">
    <p><strong>${view.title}.</strong> ${view.message}</p>
  </div>`;
}
