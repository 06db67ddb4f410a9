// Formatting for emails: escaping, the event's own time zone, and money in each currency's minor units.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatEventSpan,
  formatEventTime,
  formatMoney,
  oneLine,
} from '../../../functions/notifications/format';

describe('escapeHtml', () => {
  it('escapes the five characters that can break out of text or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>R&B</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;R&amp;B&lt;/a&gt;',
    );
  });

  it('never leaves a tag-opening or quote character in its output, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(escapeHtml(value)).not.toMatch(/[<>"']/);
      }),
    );
  });
});

describe('oneLine', () => {
  it('turns line breaks and other control characters into spaces', () => {
    expect(oneLine('Rock\r\nBcc: evil@example.com\tNight')).toBe('Rock Bcc: evil@example.com Night');
  });
});

describe('formatEventTime', () => {
  it('shows an instant in the event’s own time zone, with the date it has there', () => {
    const shown = formatEventTime('2026-12-31T23:30:00Z', 'Asia/Tokyo');
    expect(shown).toContain('1 January 2027');
    expect(shown).toContain('08:30');
    expect(shown).toContain('GMT+9');
    expect(shown).toContain('(Asia/Tokyo)');
  });

  it('follows daylight saving time', () => {
    expect(formatEventTime('2026-07-14T20:00:00Z', 'Europe/Paris')).toContain('22:00');
    expect(formatEventTime('2026-01-14T20:00:00Z', 'Europe/Paris')).toContain('21:00');
  });

  it('falls back to UTC, and says so, for a zone it does not know', () => {
    expect(formatEventTime('2026-12-31T23:30:00Z', 'Mars/Olympus_Mons')).toContain('23:30');
    expect(formatEventTime('2026-12-31T23:30:00Z', 'Mars/Olympus_Mons')).toContain('(UTC)');
  });
});

describe('formatEventSpan', () => {
  it('shows only the end time when the event ends the same day', () => {
    const shown = formatEventSpan('2026-12-31T23:30:00Z', '2027-01-01T02:00:00Z', 'Asia/Tokyo');
    expect(shown).toMatch(/1 January 2027, 08:30\s*–\s*11:00/);
  });

  it('shows both dates when it spans days', () => {
    const shown = formatEventSpan('2026-12-31T23:30:00Z', '2027-01-02T02:00:00Z', 'Asia/Tokyo');
    expect(shown).toContain('1 January 2027');
    expect(shown).toContain('2 January 2027');
  });
});

describe('formatMoney', () => {
  it('reads minor units with the currency’s own number of decimals', () => {
    expect(formatMoney(3998, 'EUR')).toBe('€39.98');
    expect(formatMoney(15000, 'JPY')).toBe('JP¥15,000');
    // Intl separates the code from the amount with a no-break space.
    expect(formatMoney(12345, 'KWD')).toMatch(/^KWD\s12\.345$/);
    expect(formatMoney(0, 'USD')).toBe('US$0.00');
  });

  it('still says something for a code Intl refuses', () => {
    expect(formatMoney(100, 'E1R')).toBe('100 E1R (minor units)');
  });
});
