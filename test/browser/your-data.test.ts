// "Your data" on the profile page in Chromium: a person prepares a copy of their data and downloads it, then deletes
// their account (password, the box, the confirmation) and is signed out, and the password no longer signs in.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { passwordGrant } from '../support/accounts';
import { browserSuite } from '../support/browser-suite';
import { screenshots, seriousViolations, signUpInBrowser } from './browser';

const suite = browserSuite({ redisUrl: null });
const email = `your-data-${randomUUID().slice(0, 8)}@example.com`;
const password = 'correct horse battery staple';

describe('Your data, in the browser', () => {
  it('downloads a copy of my data, then deletes my account and signs me out', async () => {
    const { platform, page } = suite;
    // Prepare
    await signUpInBrowser(page, platform.apiUrl, { firstName: 'Greta', email, password });
    await page.getByRole('link', { name: 'Greta' }).click();
    await page.getByRole('heading', { name: 'Your data' }).waitFor();

    // Act: the copy
    await page.getByRole('button', { name: 'Prepare a copy of my data' }).click();
    const link = page.getByRole('link', { name: 'Download your data' });
    await link.waitFor({ timeout: 60_000 });

    // Assess: the file is mine
    const file = (await (await fetch((await link.getAttribute('href')) as string)).json()) as {
      profile: { email: string };
    };
    expect(file.profile.email).toBe(email);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'profile-your-data');

    // Act: the deletion, confirmed in the dialog
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByLabel('Your password').fill(password);
    await page.getByLabel('I understand my account cannot be restored').check();
    await page.getByRole('button', { name: 'Delete my account' }).click();

    // Assess: signed out at home, and the password signs nobody in
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('button', { name: 'Sign up' }).waitFor();
    expect((await passwordGrant(platform.apiUrl, email, password)).status).toBe(400);
  });
});
