// Request schema of account deletion (DELETE /v1/me).
import * as z from 'zod';
import { PASSWORD_MAX } from './schemas';

export const deleteAccountRequest = z
  .object({
    password: z
      .string()
      .min(1)
      .max(PASSWORD_MAX)
      .describe("The account's current password (re-authentication)"),
  })
  .meta({ examples: [{ password: 'correct horse battery staple' }] });
