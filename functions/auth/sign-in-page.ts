// The authorization endpoint's pages: sign-in, sign-up and the error page, plain HTML forms with no script at all.
// The one inline stylesheet is allowed by its hash in the pages' Content-Security-Policy.
import { createHash } from 'node:crypto';
import { PASSWORD_MAX, PASSWORD_MIN } from './schemas';

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:24rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.6rem;border:1px solid #767c89;border-radius:.4rem;font:inherit}
input:focus,button:focus,a:focus{outline:3px solid #1a56db;outline-offset:2px}
.actions{display:flex;gap:.75rem;margin-top:1.25rem}
button{padding:.6rem 1.2rem;border-radius:.4rem;font:inherit;cursor:pointer;border:1px solid #1a56db}
button.primary{background:#1a56db;color:#fff}
button.secondary{background:#fff;color:#1a56db}
.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:.4rem}
.small{font-size:.9rem}
`;

/** The CSP source that allows exactly the stylesheet above. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );

const hidden = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n    ');

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${escapeHtml(title)} · TicketOrLeaveIt</title>
  <style>${STYLE}</style>
</head>
<body>
<main>
  <h1>${escapeHtml(title)}</h1>
  ${body}
</main>
</body>
</html>
`;

const errorBox = (error?: string) => (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '');

const field = (name: string, label: string, type: string, autocomplete: string, value = '', extra = '') =>
  `<label for="${name}">${label}</label>
    <input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" value="${escapeHtml(value)}" required ${extra}>`;

export interface FormPage {
  /** The authorization request's parameters plus the CSRF token, carried as hidden fields. */
  hidden: Record<string, string>;
  /** The other page (sign-up from sign-in and back), with the same request. */
  otherPage: string;
  /** The client app's page that emails a password-reset link. */
  forgotPassword?: string;
  error?: string;
  values?: Partial<Record<'email' | 'firstName' | 'lastName', string>>;
}

export function signInPage(page: FormPage): string {
  return layout(
    'Sign in',
    `${errorBox(page.error)}
  <form method="post" action="/oauth/authorize">
    ${hidden(page.hidden)}
    ${field('email', 'Email', 'email', 'username', page.values?.email, 'maxlength="254" autofocus')}
    ${field('password', 'Password', 'password', 'current-password', '', `maxlength="${PASSWORD_MAX}"`)}
    <div class="actions">
      <button class="primary" type="submit">Sign in</button>
      <button class="secondary" type="submit" name="cancel" value="1" formnovalidate>Cancel</button>
    </div>
  </form>
  <p class="small">New here? <a href="${escapeHtml(page.otherPage)}">Create an account</a></p>${
    page.forgotPassword
      ? `\n  <p class="small"><a href="${escapeHtml(page.forgotPassword)}">Forgot your password?</a></p>`
      : ''
  }`,
  );
}

export function signUpPage(page: FormPage): string {
  const values = page.values ?? {};
  return layout(
    'Create an account',
    `${errorBox(page.error)}
  <form method="post" action="/oauth/signup">
    ${hidden(page.hidden)}
    ${field('firstName', 'First name', 'text', 'given-name', values.firstName, 'maxlength="100" autofocus')}
    ${field('lastName', 'Last name', 'text', 'family-name', values.lastName, 'maxlength="100"')}
    ${field('email', 'Email', 'email', 'email', values.email, 'maxlength="254"')}
    ${field('password', `Password (at least ${PASSWORD_MIN} characters)`, 'password', 'new-password', '', `minlength="${PASSWORD_MIN}" maxlength="${PASSWORD_MAX}"`)}
    <div class="actions">
      <button class="primary" type="submit">Create account</button>
    </div>
  </form>
  <p class="small">Have an account? <a href="${escapeHtml(page.otherPage)}">Sign in</a></p>`,
  );
}

export function twoFactorPage(page: FormPage): string {
  return layout(
    'Two-step verification',
    `${errorBox(page.error)}
  <p>Enter the six-digit code your authenticator app shows for TicketOrLeaveIt, or one of your recovery codes.</p>
  <form method="post" action="/oauth/authorize">
    ${hidden(page.hidden)}
    ${field('otp', 'Code', 'text', 'one-time-code', '', 'maxlength="32" autofocus spellcheck="false"')}
    <div class="actions">
      <button class="primary" type="submit">Verify</button>
      <button class="secondary" type="submit" name="cancel" value="1" formnovalidate>Cancel</button>
    </div>
  </form>`,
  );
}

/**
 * What sign-up answers, whether the address was new or taken (its owner is emailed then): so the page never tells
 * which addresses have accounts. The new user signs in with the password just chosen.
 */
export function checkEmailPage(page: FormPage): string {
  return layout(
    'Check your email',
    `<p role="status">We sent a message to <strong>${escapeHtml(page.values?.email ?? '')}</strong>: follow its link to confirm your address. To continue now, sign in with the password you chose.</p>
  <form method="post" action="/oauth/authorize">
    ${hidden(page.hidden)}
    ${field('email', 'Email', 'email', 'username', page.values?.email, 'maxlength="254"')}
    ${field('password', 'Password', 'password', 'current-password', '', `maxlength="${PASSWORD_MAX}" autofocus`)}
    <div class="actions">
      <button class="primary" type="submit">Sign in</button>
      <button class="secondary" type="submit" name="cancel" value="1" formnovalidate>Cancel</button>
    </div>
  </form>`,
  );
}

export function errorPage(message: string): string {
  return layout(
    'Sign-in cannot continue',
    `<p class="error" role="alert">${escapeHtml(message)}</p>
  <p>Go back to the app you came from and try again.</p>`,
  );
}
