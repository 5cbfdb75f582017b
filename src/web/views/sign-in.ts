import { html } from 'ghtml';
import { csrfField, inputField, notice } from './components.ts';
import { PRODUCT_NAME, TRUST_NAME } from './layout.ts';

export interface SignInView {
  email: string;
  next: string;
  /** The message `signIn` gave, shown as it is: it never says which part was wrong. */
  error: string | null;
  signedOut: boolean;
  /** Present when a session already exists: the form must carry its token. */
  csrfToken: string | null;
}

export function signInView(view: SignInView): string {
  return html`<div class="sign-in">
    <div class="card sign-in-card">
      <h1>Sign in</h1>
      <p class="lede">
        ${PRODUCT_NAME} brings every ${TRUST_NAME} school's Next Steps points together for the
        termly collection.
      </p>
      !${view.signedOut ? notice('good', html`<p>You have signed out.</p>`) : ''}
      !${view.error ? notice('bad', html`<p>${view.error}</p>`) : ''}
      <form method="post" action="/sign-in" class="stack" novalidate>
        !${view.csrfToken ? csrfField(view.csrfToken) : ''}
        <input type="hidden" name="next" value="${view.next}" />
        !${inputField({
          id: 'email',
          name: 'email',
          label: 'Email address',
          type: 'email',
          value: view.email,
          autocomplete: 'username',
          required: true,
        })}
        !${inputField({
          id: 'password',
          name: 'password',
          label: 'Password',
          type: 'password',
          autocomplete: 'current-password',
          required: true,
        })}
        <button type="submit" class="button button-primary">Sign in</button>
      </form>
      <p class="hint">
        Forgotten your password, or need access for a new school? Ask your trust admin.
      </p>
    </div>
  </div>`;
}
