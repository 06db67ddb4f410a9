// Request schema of account deletion (DELETE /v1/me): the password, and a code when two-step sign-in is on.
import * as z from 'zod';
import { PASSWORD_MAX } from './schemas';

export const deleteAccountRequest = z
  .object({
    password: z
      .string()
      .min(1)
      .max(PASSWORD_MAX)
      .describe("The account's current password (re-authentication)"),
    code: z
      .string()
      .trim()
      .min(6)
      .max(32)
      .optional()
      .describe(
        'With two-step sign-in on, required: a current code of the authenticator app, or an unused recovery code',
      ),
  })
  .meta({
    examples: [
      { password: 'correct horse battery staple' },
      { password: 'correct horse battery staple', code: '123456' },
    ],
  });
