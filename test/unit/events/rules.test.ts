// The catalogue's pure rules: time zones, currencies, tags, and the checks that span the whole event.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalTimeZone,
  isCurrency,
  normalizeTag,
  normalizeTags,
  placeLine,
  scheduleViolations,
} from '../../../functions/events/rules';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const schedule = (overrides: Partial<Parameters<typeof scheduleViolations>[0]> = {}) => ({
  startsAt: '2030-02-01T19:00:00.000Z',
  endsAt: '2030-02-01T22:00:00.000Z',
  capacity: 100,
  tiers: [
    { currency: 'EUR', quantity: 60 },
    { currency: 'EUR', quantity: 40 },
  ],
  ...overrides,
});

describe('time zones', () => {
  it('accepts IANA names in any case and answers their canonical spelling', () => {
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(canonicalTimeZone('US/Pacific')).toBe('US/Pacific');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
  });

  it('refuses what is not an IANA zone: unknown names, offsets, abbreviations, junk', () => {
    for (const bad of [
      'Mars/Olympus_Mons',
      '+01:00',
      'GMT+1',
      'Paris',
      '',
      ' ',
      '../etc/passwd',
      'Europe/Paris\n',
    ]) {
      expect(canonicalTimeZone(bad), bad).toBeUndefined();
    }
  });
});

describe('currencies', () => {
  it('knows ISO 4217 codes and nothing else', () => {
    for (const code of ['EUR', 'USD', 'JPY', 'GBP', 'CHF']) expect(isCurrency(code)).toBe(true);
    for (const code of ['EUX', 'eur', 'EURO', '', 'ABC']) expect(isCurrency(code)).toBe(false);
  });
});

describe('tags', () => {
  it('are trimmed, lower-cased, with inner spaces as one dash, deduplicated in first order', () => {
    expect(normalizeTag('  Live   Music ')).toBe('live-music');
    expect(normalizeTags(['Jazz', ' jazz ', 'Live Music', 'live-music', '', '  '])).toEqual([
      'jazz',
      'live-music',
    ]);
  });

  it('normalising twice changes nothing, and never adds a tag', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 20 }), (tags) => {
        const once = normalizeTags(tags);
        expect(normalizeTags(once)).toEqual(once);
        expect(once.length).toBeLessThanOrEqual(tags.length);
        for (const tag of once) expect(tag).toBe(tag.trim().toLowerCase());
      }),
    );
  });
});

describe('the whole-event checks', () => {
  it('pass a consistent event', () => {
    expect(scheduleViolations(schedule(), NOW, true)).toEqual([]);
  });

  it('refuse an end at or before the start', () => {
    const fields = (errors: { field: string }[]) => errors.map((error) => error.field);
    expect(fields(scheduleViolations(schedule({ endsAt: '2030-02-01T19:00:00.000Z' }), NOW, true))).toEqual([
      'endsAt',
    ]);
    expect(fields(scheduleViolations(schedule({ endsAt: '2030-01-31T19:00:00.000Z' }), NOW, true))).toEqual([
      'endsAt',
    ]);
  });

  it('refuse a start in the past only when the start is being set', () => {
    const past = schedule({ startsAt: '2029-12-31T19:00:00.000Z', endsAt: '2030-01-01T02:00:00.000Z' });
    expect(scheduleViolations(past, NOW, true).map((error) => error.field)).toEqual(['startsAt']);
    expect(scheduleViolations(past, NOW, false)).toEqual([]);
  });

  it('refuse tiers holding more than the capacity, and tiers in another currency than the first', () => {
    const errors = scheduleViolations(
      schedule({
        capacity: 90,
        tiers: [
          { currency: 'EUR', quantity: 60 },
          { currency: 'USD', quantity: 40 },
        ],
      }),
      NOW,
      true,
    );
    expect(errors.map((error) => error.field)).toEqual(['ticketTiers', 'ticketTiers.1.currency']);
    expect(errors[0]?.message).toContain('100');
  });
});

describe('the place line tickets keeps', () => {
  it('names venue, city and country, or says Online', () => {
    expect(
      placeLine({ venue: 'Olympia', address: '28 bd des Capucines', city: 'Paris', country: 'France' }),
    ).toBe('Olympia, Paris, France');
    expect(placeLine({ onlineUrl: 'https://meet.example.com' })).toBe('Online');
  });
});
