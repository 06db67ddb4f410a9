// Emails about the account itself (auth's AccountEmailRequested): a password reset, an address to verify, a
// sign-up attempted with an address that has an account, or a security notice (two-step sign-in on or off, recovery
// codes replaced, the account deleted). Their links carry single-use secrets, so they are sent as
// they are and not kept in the user's notification history.
import type { AccountEmailRequestedV1 } from '../../events/contracts/auth';
import { escapeHtml as h, oneLine } from './format';
import type { Email } from './templates';

const BRAND = 'TicketOrLeaveIt';
const greeting = (firstName: string) => (oneLine(firstName) ? `Hi ${oneLine(firstName)},` : 'Hello,');

/** A short plain page: these emails carry one sentence and one button. */
const page = (title: string, paragraphs: string[]) =>
  [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${h(title)}</title></head>`,
    '<body style="font-family:Helvetica,Arial,sans-serif;color:#1d1d1f;max-width:600px;margin:0 auto;padding:24px">',
    ...paragraphs,
    `<p style="font-size:12px;color:#6e6e73">${h(BRAND)}</p>`,
    '</body></html>',
  ].join('\n');

const NOT_YOU =
  'If this was not you, reset your password from the sign-in page at once: someone else may have signed in as you.';

const CONTENT: Record<
  AccountEmailRequestedV1['kind'],
  { subject: string; lead: string; action: string; after: string }
> = {
  'password-reset': {
    subject: `Reset your ${BRAND} password`,
    lead: 'Someone, probably you, asked to reset the password of your account.',
    action: 'Choose a new password',
    after:
      'The link works once, for 30 minutes, and signs you out everywhere. If you did not ask, ignore this email: your password stays as it is.',
  },
  'verify-email': {
    subject: `Confirm your email address for ${BRAND}`,
    lead: 'Welcome! Please confirm that this address is yours.',
    action: 'Confirm my address',
    after:
      'You can buy tickets already; publishing events needs a confirmed address. If you did not sign up, ignore this email.',
  },
  'already-registered': {
    subject: `Someone tried to sign up to ${BRAND} with your address`,
    lead: 'Someone, perhaps you, tried to create an account with this address, which already has one.',
    action: 'Sign in',
    after: 'Forgot your password? Reset it from the sign-in page. If it was not you, nothing has changed.',
  },
  'two-factor-enabled': {
    subject: `Two-step sign-in is now on for your ${BRAND} account`,
    lead: 'Two-step sign-in was turned on for your account: signing in now asks for a code of an authenticator app.',
    action: 'Review your account',
    after: NOT_YOU,
  },
  'two-factor-disabled': {
    subject: `Two-step sign-in was turned off for your ${BRAND} account`,
    lead: 'Two-step sign-in was turned off for your account: signing in asks for the password only.',
    action: 'Review your account',
    after: NOT_YOU,
  },
  'recovery-codes-regenerated': {
    subject: `New recovery codes for your ${BRAND} account`,
    lead: 'New recovery codes were made for your account; the old ones no longer work.',
    action: 'Review your account',
    after: NOT_YOU,
  },
  'account-deleted': {
    subject: `Your ${BRAND} account was deleted`,
    lead: 'Your account was deleted at your request: your profile is gone and you are signed out everywhere.',
    action: `Visit ${BRAND}`,
    after:
      'Orders stay with their organizers without your name or address, and tickets you hold still get you in. If you did not ask for this, reply to this email.',
  },
};

export function accountEmail(message: AccountEmailRequestedV1): Email {
  const content = CONTENT[message.kind];
  const html = page(content.subject, [
    `<p>${h(greeting(message.firstName))}</p>`,
    `<p>${h(content.lead)}</p>`,
    `<p><a href="${h(message.link)}" style="display:inline-block;padding:10px 16px;background:#0b57d0;color:#ffffff;border-radius:6px;text-decoration:none">${h(content.action)}</a></p>`,
    `<p style="font-size:12px;color:#6e6e73">${h(content.after)}</p>`,
  ]);
  return {
    subject: content.subject,
    html,
    text: [
      greeting(message.firstName),
      '',
      content.lead,
      '',
      `${content.action}: ${message.link}`,
      '',
      content.after,
      '',
      `-- ${BRAND}`,
    ].join('\n'),
  };
}
