// Two-step sign-in in the web app, in Chromium: a user turns it on from the profile page (the QR code's key read like
// an authenticator app would, and their password), keeps the recovery codes, replaces them (password and a code),
// sees this browser among their sign-ins by name, signs out, and signs in again with password and code, then once
// more with a recovery code.
import { randomUUID } from 'node:crypto';
import { TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { browserSuite } from '../support/browser-suite';
import { screenshots, seriousViolations, signUpInBrowser } from './browser';

const suite = browserSuite({ schedules: false });

const email = `two-step-${randomUUID().slice(0, 8)}@example.com`;
const password = 'correct horse battery staple';

/** Signs out, then through the sign-in page up to its second step. */
async function signInUpToTheCode() {
  const { page } = suite;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).first().click();
  await page.waitForURL(/\/oauth\/authorize/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
}

describe('two-step sign-in in the web app', () => {
  let secret = '';
  let recoveryCodes: string[] = [];

  it('turns on from the profile page with a QR code and shows the recovery codes once', async () => {
    const { platform, page } = suite;
    await signUpInBrowser(page, platform.apiUrl, { firstName: 'Tess', email, password });
    await page.goto(`${platform.apiUrl}/profile`);
    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'two-step-enrol');

    const confirm = page.getByRole('form', { name: 'Confirm two-step sign-in' });
    await confirm.getByLabel('Code from the app').fill(new TOTP({ secret }).generate());
    await confirm.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    recoveryCodes = await codes.allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await page.getByText('recovery codes left').waitFor();
  });

  it('replaces the recovery codes with the password and a code', async () => {
    const { page } = suite;
    const change = page.getByRole('form', { name: 'Change two-step sign-in' });
    await change.getByLabel('Password', { exact: true }).fill(password);
    await change.getByLabel('Code from the app, or a recovery code').fill(recoveryCodes[9] ?? '');
    await change.getByRole('button', { name: 'Make new recovery codes' }).click();
    await page.getByText('New recovery codes: the old ones no longer work.').waitFor();
    const fresh = await page
      .getByRole('list', { name: 'Recovery codes' })
      .getByRole('listitem')
      .allTextContents();
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(recoveryCodes[0]);
    recoveryCodes = fresh;
  });

  it('lists this browser among the sign-ins by name ("Chrome on Linux"), with its address, unbulleted', async () => {
    const { page } = suite;
    const list = page.getByRole('list', { name: 'Sign-ins' });
    const current = list.getByRole('listitem').filter({ hasText: 'This device' });
    await current.waitFor();
    expect(await current.textContent()).toMatch(/^Chrome on \w+.*From (::ffff:)?127\.0\.0\.1/s);
    // A string runs in the page as it is (this project's TypeScript has no DOM types).
    const listStyle = 'getComputedStyle(document.querySelector("ul[aria-label=Sign-ins]")).listStyleType';
    expect(await list.evaluate(listStyle)).toBe('none');
  });

  it('asks for the code at the next sign-in, and takes a recovery code once', async () => {
    const { page, errors } = suite;
    await signInUpToTheCode();
    // The step the enrolment spent is refused; the next one signs in.
    await page.getByLabel('Code').fill(new TOTP({ secret }).generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('link', { name: 'Tess' }).waitFor();

    await signInUpToTheCode();
    await page.getByLabel('Code').fill(recoveryCodes[0] ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('link', { name: 'Tess' }).waitFor();

    await signInUpToTheCode();
    await page.getByLabel('Code').fill(recoveryCodes[0] ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'The code is wrong or was used already' }).waitFor();
    expect(errors).toEqual([]);
  });
});
