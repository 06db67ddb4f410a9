// What an event, a change and a catalogue query accept, field by field.
import { describe, expect, it } from 'vitest';
import {
  catalogueQuery,
  createEventBody,
  imageUploadBody,
  updateEventBody,
} from '../../../functions/events/requests.schemas';

const valid = {
  name: ' Jazz at the Sunset ',
  type: 'concert',
  description: 'Modal jazz.\nTwo sets.',
  startsAt: '2030-05-01T20:00:00+02:00',
  endsAt: '2030-05-01T23:00:00+02:00',
  timezone: 'europe/paris',
  location: { venue: 'Sunset', address: '60 rue des Lombards', city: 'Paris', country: 'France' },
  capacity: 100,
  ticketTiers: [{ name: 'Standard', price: 2500, currency: 'eur', quantity: 100 }],
  tags: ['Live Music', 'jazz', 'JAZZ'],
};

const issuesOf = (
  schema: {
    safeParse: (input: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[] }[] } };
  },
  input: unknown,
) => {
  const result = schema.safeParse(input);
  return result.success
    ? []
    : (result.error?.issues ?? []).map((issue) => issue.path.map(String).join('.')).sort();
};

describe('a new event', () => {
  it('is normalised: trimmed name, UTC instants, canonical zone, upper-case currency, normalised tags', () => {
    expect(createEventBody.parse(valid)).toEqual({
      ...valid,
      name: 'Jazz at the Sunset',
      startsAt: '2030-05-01T18:00:00.000Z',
      endsAt: '2030-05-01T21:00:00.000Z',
      timezone: 'Europe/Paris',
      ticketTiers: [{ name: 'Standard', price: 2500, currency: 'EUR', quantity: 100 }],
      tags: ['live-music', 'jazz'],
    });
  });

  it('takes an online location instead of a venue', () => {
    expect(
      createEventBody.parse({ ...valid, location: { onlineUrl: 'https://meet.example.com/x' } }).location,
    ).toEqual({
      onlineUrl: 'https://meet.example.com/x',
    });
  });

  it('names every bad field at once', () => {
    expect(
      issuesOf(createEventBody, {
        ...valid,
        type: 'rave',
        timezone: 'Mars/Base',
        capacity: 0,
        startsAt: '1 May 2030',
        description: 'x'.repeat(5001),
        tags: ['ok', 'x'.repeat(31)],
        ticketTiers: [{ name: '', price: 1.5, currency: 'EUX', quantity: -1, extra: true }],
        location: { venue: 'Only a venue' },
        colour: 'blue',
      }),
    ).toEqual([
      'capacity',
      'colour',
      'description',
      'location.address',
      'location.city',
      'location.country',
      'startsAt',
      'tags.1',
      'ticketTiers.0.currency',
      'ticketTiers.0.extra',
      'ticketTiers.0.name',
      'ticketTiers.0.price',
      'ticketTiers.0.quantity',
      'timezone',
      'type',
    ]);
  });

  it('refuses more than ten distinct tags, control characters in names, a mixed location', () => {
    expect(
      issuesOf(createEventBody, { ...valid, tags: Array.from({ length: 11 }, (_, index) => `t${index}`) }),
    ).toEqual(['tags']);
    expect(issuesOf(createEventBody, { ...valid, name: 'Jazz\u202Enight' })).toEqual(['name']);
    expect(
      issuesOf(createEventBody, { ...valid, location: { onlineUrl: 'https://x.example', city: 'Paris' } }),
    ).toEqual(['location.city']);
  });
});

describe('a change', () => {
  it('needs at least one field, and takes tiers with or without ids', () => {
    expect(issuesOf(updateEventBody, {})).toEqual(['']);
    const parsed = updateEventBody.parse({
      ticketTiers: [
        { id: '3f0c1d9e-6b1a-4c8e-9f57-2a4b6c8d0e1f', name: 'A', price: 0, currency: 'EUR', quantity: 1 },
        { name: 'B', price: 100, currency: 'EUR', quantity: 1 },
      ],
    });
    expect(parsed.ticketTiers?.map((tier) => tier.id)).toEqual([
      '3f0c1d9e-6b1a-4c8e-9f57-2a4b6c8d0e1f',
      undefined,
    ]);
    expect(issuesOf(updateEventBody, { images: Array.from({ length: 11 }, () => 'k') })).toEqual(['images']);
  });
});

describe('an image upload', () => {
  it('takes PNG, JPEG and WebP up to 5 MB', () => {
    expect(issuesOf(imageUploadBody, { contentType: 'image/webp', sizeBytes: 5 * 1024 * 1024 })).toEqual([]);
    expect(issuesOf(imageUploadBody, { contentType: 'image/gif' })).toEqual(['contentType']);
    expect(issuesOf(imageUploadBody, { contentType: 'image/png', sizeBytes: 5 * 1024 * 1024 + 1 })).toEqual([
      'sizeBytes',
    ]);
  });
});

describe('a catalogue query', () => {
  it('reads lists, dates as whole days, and treats empty values as absent', () => {
    expect(
      catalogueQuery.parse({
        q: '',
        type: 'concert, workshop',
        tag: 'Live Music,jazz',
        from: '2030-01-01',
        to: '2030-01-31',
        limit: '5',
      }),
    ).toEqual({
      type: ['concert', 'workshop'],
      tag: ['live-music', 'jazz'],
      from: '2030-01-01T00:00:00.000Z',
      to: '2030-01-31T23:59:59.999Z',
      limit: 5,
    });
  });

  it('refuses relevance without a search, a range backwards, and limits out of bounds', () => {
    expect(issuesOf(catalogueQuery, { sort: 'relevance' })).toEqual(['sort']);
    expect(issuesOf(catalogueQuery, { from: '2030-02-01', to: '2030-01-01' })).toEqual(['to']);
    expect(issuesOf(catalogueQuery, { limit: '0' })).toEqual(['limit']);
    expect(issuesOf(catalogueQuery, { limit: 'ten' })).toEqual(['limit']);
  });
});
