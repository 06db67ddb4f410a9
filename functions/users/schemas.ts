// Request and response schemas of the users service's endpoints, and the token claims a profile can be made from.
import * as z from 'zod';

export const PICTURE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type PictureContentType = (typeof PICTURE_CONTENT_TYPES)[number];

/**
 * Characters a name may not hold: C0/C1 controls (NUL, newlines, escape sequences), line and paragraph separators,
 * lone surrogates, and the bidirectional overrides and isolates that can make a name display as something else.
 */
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

export const personName = z
  .string()
  .trim()
  .min(1, 'Must not be empty.')
  .max(100, 'Must be at most 100 characters.')
  .refine((value) => !FORBIDDEN_IN_NAME.test(value), 'Must not contain control characters.');

const updateFields = {
  firstName: personName.optional(),
  lastName: personName.optional(),
  pictureKey: z
    .string()
    .min(1)
    .max(200)
    .nullable()
    .optional()
    .describe('A key from POST /v1/users/me/picture whose upload has finished; null removes the picture.'),
};

/**
 * Unknown fields are rejected, one field error each, so a typo (`firstname`) or an attempt to change what this
 * endpoint does not own (`email`) is told so instead of silently doing nothing.
 */
export const updateProfileBody = z
  .object(updateFields)
  .catchall(z.unknown())
  .superRefine((body, ctx) => {
    for (const key of Object.keys(body)) {
      if (!(key in updateFields)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'Unknown field; a profile update takes firstName, lastName and pictureKey.',
        });
      }
    }
    if (body.firstName === undefined && body.lastName === undefined && body.pictureKey === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'Send at least one of firstName, lastName and pictureKey.',
      });
    }
  })
  .meta({ additionalProperties: false, minProperties: 1 });
export type UpdateProfileBody = z.infer<typeof updateProfileBody>;

export const pictureUploadBody = z.strictObject({
  contentType: z.enum(PICTURE_CONTENT_TYPES, {
    error: `Must be one of ${PICTURE_CONTENT_TYPES.join(', ')}.`,
  }),
});

export const profileResponse = z.object({
  id: z.uuid(),
  email: z.email(),
  firstName: z.string(),
  lastName: z.string(),
  pictureUrl: z
    .url()
    .nullable()
    .describe('A link to the picture, valid for one hour; null when there is none.'),
});
export type ProfileResponse = z.infer<typeof profileResponse>;

export const pictureUploadResponse = z.object({
  uploadUrl: z
    .url()
    .describe('POST a multipart/form-data form here: every entry of `fields`, then the file as `file`.'),
  fields: z.record(z.string(), z.string()),
  key: z.string().describe('Send it as pictureKey to PATCH /v1/users/me once the upload has finished.'),
  expiresAt: z.iso.datetime(),
  maxBytes: z.number().int().positive(),
});
export type PictureUploadResponse = z.infer<typeof pictureUploadResponse>;

/**
 * The claims of an access token that identify a registered user: the auth service adds email and names, so a
 * profile can be made before the UserRegistered message arrives. Only `sub` is always there.
 */
export const userClaims = z.object({
  sub: z.uuid(),
  email: z.email().optional().catch(undefined),
  given_name: z.string().min(1).max(100).optional().catch(undefined),
  family_name: z.string().min(1).max(100).optional().catch(undefined),
});
