// Request schemas of the events service: what an organizer may send, and how the catalogue may be searched.
// What the handlers answer is in responses.schemas.ts.
import * as z from 'zod';
import {
  CHECKOUT,
  canonicalTimeZone,
  EVENT_TYPES,
  IMAGE_CONTENT_TYPES,
  isCurrency,
  LIMITS,
  normalizeTag,
  normalizeTags,
  TAG_PATTERN,
} from './rules';

/**
 * Unknown fields get one field error each, so a typo (`startAt`) is told instead of silently ignored; reported
 * beside every other field's errors, in one answer.
 */
function strictFields<S extends Record<string, z.ZodType>>(shape: S, what: string) {
  // Not z.never(): zod folds that into one "unrecognized keys" issue on the object instead of one per field.
  const unknown = z.custom(() => false, {
    error: `Unknown field; ${what} takes ${Object.keys(shape).join(', ')}.`,
  });
  return z
    .object(shape)
    .catchall(unknown)
    .meta({ additionalProperties: false })
    .transform((value) => value as z.output<z.ZodObject<S>>);
}

/** C0/C1 controls, lone surrogates, line separators and bidirectional overrides never belong in a display text. */
const FORBIDDEN_IN_TEXT = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;
/** Descriptions may carry line breaks and tabs, not other controls. */
const FORBIDDEN_IN_PARAGRAPHS = /(?![\t\n\r])\p{Cc}|[\p{Cs}\u202A-\u202E\u2066-\u2069]/u;

const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Must not be empty.')
    .max(max, `Must be at most ${max} characters.`)
    .refine((value) => !FORBIDDEN_IN_TEXT.test(value), 'Must not contain control characters.');

const instant = z.iso
  .datetime({ offset: true, error: 'Must be an ISO-8601 date-time with a time zone offset or Z.' })
  // Stored at millisecond precision, so a pagination cursor carries the exact sort key.
  .transform((value) => new Date(value).toISOString());

export const eventName = line(LIMITS.nameLength);

export const eventType = z.enum(EVENT_TYPES, { error: `Must be one of ${EVENT_TYPES.join(', ')}.` });

export const description = z
  .string()
  .max(LIMITS.descriptionLength, `Must be at most ${LIMITS.descriptionLength} characters.`)
  .refine((value) => !FORBIDDEN_IN_PARAGRAPHS.test(value), 'Must not contain control characters.')
  .transform((value) => value.trim());

export const timeZone = z
  .string()
  .max(64, 'Must be at most 64 characters.')
  .transform((value, ctx) => {
    const canonical = canonicalTimeZone(value.trim());
    if (canonical) return canonical;
    ctx.addIssue({
      code: 'custom',
      message: 'Must be an IANA time zone such as Europe/Paris or America/New_York.',
      input: value,
    });
    return z.NEVER;
  });

export const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'Must be an ISO 4217 currency code such as EUR.')
  .transform((value) => value.toUpperCase())
  .refine(isCurrency, 'Must be an ISO 4217 currency code such as EUR.');

export const tags = z
  .array(
    z
      .string()
      .max(200, 'Must be at most 200 characters.')
      // What the transform below checks, once the tag is trimmed and its spaces collapsed: the document's limit.
      .meta({
        maxLength: LIMITS.tagLength,
        description: `At most ${LIMITS.tagLength} characters: letters, digits, spaces and - _ . + # &`,
      }),
    'Must be a list of tags.',
  )
  .max(50, `Must hold at most ${LIMITS.tags} tags.`)
  .transform((raw, ctx) => {
    raw.forEach((tag, index) => {
      const normalized = normalizeTag(tag);
      if (normalized.length > LIMITS.tagLength) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `Must be at most ${LIMITS.tagLength} characters.`,
          input: tag,
        });
      } else if (normalized.length > 0 && !TAG_PATTERN.test(normalized)) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: 'May hold letters, digits, spaces and - _ . + # & only.',
          input: tag,
        });
      }
    });
    const normalized = normalizeTags(raw);
    if (normalized.length > LIMITS.tags) {
      ctx.addIssue({ code: 'custom', message: `Must hold at most ${LIMITS.tags} tags.`, input: raw });
    }
    return normalized;
  });

/** A venue (venue, address, city, country) or an online event (onlineUrl), never both or half of one. */
export const location = strictFields(
  {
    venue: line(200).optional(),
    address: line(300).optional(),
    city: line(100).optional(),
    country: line(100).optional(),
    onlineUrl: z
      .url({ protocol: /^https?$/, error: 'Must be an http(s) URL.' })
      .max(2000, 'Must be at most 2000 characters.')
      .optional(),
  },
  'a location',
).transform((value, ctx) => {
  const { venue, address, city, country, onlineUrl } = value;
  const physical = { venue, address, city, country };
  const given = Object.entries(physical).filter(([, item]) => item !== undefined);
  if (onlineUrl !== undefined) {
    for (const [field] of given) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: 'An online event has an onlineUrl only.',
        input: value,
      });
    }
    return { onlineUrl };
  }
  if (venue && address && city && country) return { venue, address, city, country };
  for (const [field, item] of Object.entries(physical)) {
    if (item === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: 'Required (or give onlineUrl alone for an online event).',
        input: value,
      });
    }
  }
  return z.NEVER;
});

export const capacity = z
  .number('Must be a whole number.')
  .int('Must be a whole number.')
  .min(1, 'Must be at least 1.')
  .max(LIMITS.capacity, `Must be at most ${LIMITS.capacity}.`);

const tierFields = {
  name: line(LIMITS.tierNameLength),
  price: z
    .number('Must be a whole number of minor units (cents).')
    .int('Must be a whole number of minor units (cents).')
    .min(0, 'Must not be negative.')
    .max(LIMITS.price, `Must be at most ${LIMITS.price}.`)
    .describe('In minor units of the currency (cents for EUR): 2500 is 25.00'),
  currency,
  quantity: z
    .number('Must be a whole number.')
    .int('Must be a whole number.')
    .min(1, 'Must be at least 1.')
    .max(LIMITS.capacity, `Must be at most ${LIMITS.capacity}.`),
};

export const holdMinutes = z
  .number('Must be a whole number of minutes.')
  .int('Must be a whole number of minutes.')
  .min(CHECKOUT.holdMinutes.min, `Must be at least ${CHECKOUT.holdMinutes.min} minutes.`)
  .max(CHECKOUT.holdMinutes.max, `Must be at most ${CHECKOUT.holdMinutes.max} minutes.`)
  .describe(
    `How long a paid order holds its seats while the buyer pays (default ${CHECKOUT.holdMinutes.default}); unpaid, they go back on sale`,
  );

export const refundUntilHoursBefore = z
  .number('Must be a whole number of hours, or null for no refunds.')
  .int('Must be a whole number of hours, or null for no refunds.')
  .min(0, 'Must not be negative.')
  .max(CHECKOUT.refundUntilHoursBefore.max, `Must be at most ${CHECKOUT.refundUntilHoursBefore.max} hours.`)
  .nullable()
  .describe(
    'Refund policy: an attendee may cancel a paid order, and is refunded, until this many hours before the start ' +
      '(0: until the start, the default); null: no refunds (the organizer can still cancel and refund an order)',
  );

const tierList = <T extends z.ZodType>(tier: T) =>
  z
    .array(tier, 'Must be a list of tiers.')
    .min(1, 'An event needs at least one ticket tier.')
    .max(LIMITS.tiers, `Must hold at most ${LIMITS.tiers} tiers.`);

export const newTier = strictFields(tierFields, 'a ticket tier');
/** In a PATCH, a tier with an id changes that tier; one without is new. */
export const changedTier = strictFields(
  { id: z.uuid('Must be the id of a tier of this event.').optional(), ...tierFields },
  'a ticket tier',
);

const createFields = {
  name: eventName,
  type: eventType,
  description: description.optional(),
  startsAt: instant,
  endsAt: instant,
  timezone: timeZone,
  location,
  capacity,
  ticketTiers: tierList(newTier),
  tags: tags.optional(),
  holdMinutes: holdMinutes.optional(),
  refundUntilHoursBefore: refundUntilHoursBefore.optional(),
};

export const createEventBody = strictFields(createFields, 'an event').meta({
  examples: [
    {
      name: 'Jazz at the Sunset',
      type: 'concert',
      description: 'An evening of modal jazz with a quartet from Lyon.',
      startsAt: '2027-06-12T20:00:00+02:00',
      endsAt: '2027-06-12T23:00:00+02:00',
      timezone: 'Europe/Paris',
      location: { venue: 'Sunset Sunside', address: '60 rue des Lombards', city: 'Paris', country: 'France' },
      capacity: 100,
      ticketTiers: [
        { name: 'Standard', price: 2500, currency: 'EUR', quantity: 60 },
        { name: 'VIP', price: 6000, currency: 'EUR', quantity: 40 },
      ],
      tags: ['jazz', 'live music'],
    },
  ],
});
export type CreateEventBody = z.output<typeof createEventBody>;

const updateFields = {
  name: eventName.optional(),
  type: eventType.optional(),
  description: description.optional(),
  startsAt: instant.optional(),
  endsAt: instant.optional(),
  timezone: timeZone.optional(),
  location: location.optional(),
  capacity: capacity.optional(),
  ticketTiers: tierList(changedTier).optional(),
  tags: tags.optional(),
  holdMinutes: holdMinutes.optional(),
  refundUntilHoursBefore: refundUntilHoursBefore.optional(),
  images: z
    .array(z.string().min(1).max(300), 'Must be a list of image keys.')
    .max(LIMITS.images, `Must hold at most ${LIMITS.images} images.`)
    .describe('Keys from POST /v1/events/{id}/images whose uploads have finished, in display order.')
    .optional(),
};

export const updateEventBody = strictFields(updateFields, 'an event update')
  .superRefine((body, ctx) => {
    if (Object.values(body).every((value) => value === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'Send at least one field to change.' });
    }
  })
  .meta({ minProperties: 1, examples: [{ startsAt: '2027-06-12T21:00:00+02:00', capacity: 120 }] });
export type UpdateEventBody = z.output<typeof updateEventBody>;

export const cancelEventBody = strictFields(
  { reason: line(LIMITS.cancelReasonLength).optional() },
  'a cancellation',
);

export const imageUploadBody = strictFields(
  {
    contentType: z.enum(IMAGE_CONTENT_TYPES, { error: `Must be one of ${IMAGE_CONTENT_TYPES.join(', ')}.` }),
    sizeBytes: z
      .number('Must be a whole number of bytes.')
      .int('Must be a whole number of bytes.')
      .min(1, 'Must be at least 1 byte.')
      .max(LIMITS.imageBytes, `An image may be at most ${LIMITS.imageBytes} bytes (5 MB).`)
      .optional()
      .describe('Size of the file to upload, if known: a file over the limit is refused before it is sent.'),
  },
  'an image upload',
).meta({ examples: [{ contentType: 'image/jpeg', sizeBytes: 482133 }] });

export const eventIdParams = z.object({ id: z.uuid('Must be an event id (a UUID).') });

/** Query values arrive as strings; an empty one means "not given". */
const optionalText = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const dateOrInstant = (edge: 'start' | 'end') =>
  z
    .string()
    .transform((value, ctx) => {
      if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        const day = Date.parse(`${value}T00:00:00.000Z`);
        if (!Number.isNaN(day)) return new Date(edge === 'start' ? day : day + 86_400_000 - 1).toISOString();
      } else if (z.iso.datetime({ offset: true }).safeParse(value).success) {
        return new Date(value).toISOString();
      }
      ctx.addIssue({
        code: 'custom',
        message: 'Must be a date (YYYY-MM-DD) or an ISO-8601 date-time with an offset.',
        input: value,
      });
      return z.NEVER;
    })
    .describe(
      edge === 'start'
        ? 'Events starting at or after this instant (a date means its start, UTC).'
        : 'Events starting at or before this instant (a date means its end, UTC).',
    )
    .meta({ anyOf: [{ format: 'date' }, { format: 'date-time' }] });

const commaList = <T extends z.ZodType<unknown, string>>(item: T, max: number, what: string) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1, `Name at least one ${what}.`).max(max, `At most ${max} ${what}s.`));

export const SORTS = ['date', 'relevance'] as const;

export const catalogueQuery = z
  .object({
    q: optionalText(
      z
        .string()
        .trim()
        .max(200, 'Must be at most 200 characters.')
        .describe('Words to search for in name, tags and description'),
    ),
    type: optionalText(
      commaList(eventType, EVENT_TYPES.length, 'type').describe(
        `Event types, comma-separated (any of): ${EVENT_TYPES.join(', ')}`,
      ),
    ),
    tag: optionalText(
      commaList(
        z.string().transform(normalizeTag).pipe(z.string().min(1).max(LIMITS.tagLength)),
        5,
        'tag',
      ).describe('Tags, comma-separated (all of)'),
    ),
    city: optionalText(z.string().trim().min(1).max(100).describe('City, in any letter case')),
    from: optionalText(dateOrInstant('start')),
    to: optionalText(dateOrInstant('end')),
    sort: optionalText(
      z
        .enum(SORTS, { error: 'Must be date or relevance.' })
        .describe('relevance (the default with q) or date (the default without; soonest first)'),
    ),
    limit: optionalText(
      z.coerce
        .number('Must be a whole number.')
        .int('Must be a whole number.')
        .min(1, 'Must be at least 1.')
        .max(100, 'Must be at most 100.'),
    ),
    cursor: optionalText(z.string().max(500).describe('nextCursor of the previous page')),
  })
  .superRefine((query, ctx) => {
    if (query.sort === 'relevance' && !query.q) {
      ctx.addIssue({ code: 'custom', path: ['sort'], message: 'Sorting by relevance needs a search (q).' });
    }
    if (query.from && query.to && query.from > query.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'Must not be before from.' });
    }
  });
export type CatalogueQueryInput = z.output<typeof catalogueQuery>;

export const organizerQuery = z.object({
  status: optionalText(
    z.enum(['draft', 'published', 'cancelled'], { error: 'Must be draft, published or cancelled.' }),
  ),
  limit: optionalText(z.coerce.number().int().min(1, 'Must be at least 1.').max(100, 'Must be at most 100.')),
  cursor: optionalText(z.string().max(500)),
});

const teamRoleField = z.enum(['manager', 'check-in'], {
  error: 'Must be manager (everything but cancelling) or check-in (scanning tickets only).',
});

export const inviteBody = strictFields(
  {
    email: z.email('Must be an email address.').max(254, 'Must be at most 254 characters.'),
    role: teamRoleField,
    eventId: z
      .uuid('Must be an event id (a UUID).')
      .optional()
      .describe('One event of yours; leave it out to invite to all your events.'),
  },
  'an invitation',
).meta({ examples: [{ email: 'grace@example.com', role: 'check-in' }] });

export const acceptInvitationBody = strictFields(
  { token: z.string().min(32, 'Not an invitation token.').max(128, 'Not an invitation token.') },
  'an acceptance',
).meta({ examples: [{ token: 'k3Jd9sPq2LmX7vB4nR8tY1wZ6cF0hG5aE2uI9oK3' }] });

export const memberRoleBody = strictFields({ role: teamRoleField }, 'a role change').meta({
  examples: [{ role: 'manager' }],
});

export const memberIdParams = z.object({ id: z.uuid('Must be a team member id (a UUID).') });
export const invitationIdParams = z.object({ id: z.uuid('Must be an invitation id (a UUID).') });

export const teamQuery = z.object({
  eventId: optionalText(z.uuid('Must be an event id (a UUID).')),
});

export const auditQuery = z.object({
  limit: optionalText(z.coerce.number().int().min(1, 'Must be at least 1.').max(100, 'Must be at most 100.')),
  cursor: optionalText(z.string().regex(/^[1-9][0-9]{0,17}$/, 'Not a cursor this list gave out.')),
});
