// What a profile update and a picture upload request accept, field by field.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { personName, pictureUploadBody, updateProfileBody } from '../../../functions/users/schemas';

const issuesOf = (input: unknown) => {
  const result = updateProfileBody.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('a profile update', () => {
  it('trims names', () => {
    expect(updateProfileBody.parse({ firstName: '  Ada ', lastName: '\tLovelace ' })).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
  });

  it('refuses empty, blank, too long and control-character names, naming each field', () => {
    expect(issuesOf({ firstName: '' })).toEqual(['firstName: Must not be empty.']);
    expect(issuesOf({ firstName: '   ' })).toEqual(['firstName: Must not be empty.']);
    expect(issuesOf({ lastName: 'x'.repeat(101) })).toEqual(['lastName: Must be at most 100 characters.']);
    expect(updateProfileBody.safeParse({ lastName: 'x'.repeat(100) }).success).toBe(true);
    for (const bad of [
      'Ada\u0000',
      'Ada\nLovelace',
      'A\u001b[31m',
      'Ada\u202Eecalevol',
      'Ada\u2028Lovelace',
      'A\ud800',
    ]) {
      expect(issuesOf({ firstName: bad })).toEqual(['firstName: Must not contain control characters.']);
    }
  });

  it('accepts names from every script, accents, apostrophes and SQL-looking text as they are', () => {
    for (const name of ['Zoë', "O'Brien", '李', 'José-María', '👩‍💻', "'; DROP TABLE profiles; --"]) {
      expect(updateProfileBody.parse({ firstName: name }).firstName).toBe(name);
    }
  });

  it('refuses unknown fields one by one, and a body that changes nothing', () => {
    expect(issuesOf({ firstName: 'Ada', email: 'a@b.c', id: 'x' })).toEqual([
      'email: Unknown field; a profile update takes firstName, lastName and pictureKey.',
      'id: Unknown field; a profile update takes firstName, lastName and pictureKey.',
    ]);
    expect(issuesOf({})).toEqual([': Send at least one of firstName, lastName and pictureKey.']);
  });

  it('takes a picture key, or null to remove the picture', () => {
    expect(updateProfileBody.parse({ pictureKey: null })).toEqual({ pictureKey: null });
    expect(issuesOf({ pictureKey: 42 })).toHaveLength(1);
  });

  it('never lets through a name with control characters or outside 1..100 characters (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (input) => {
        const result = personName.safeParse(input);
        if (!result.success) return;
        expect(result.data).toBe(result.data.trim());
        expect(result.data.length).toBeGreaterThanOrEqual(1);
        expect(result.data.length).toBeLessThanOrEqual(100);
        expect(result.data).not.toMatch(/[\p{Cc}\p{Cs}]/u);
      }),
    );
  });
});

describe('a picture upload request', () => {
  it('takes PNG, JPEG and WebP only', () => {
    for (const contentType of ['image/png', 'image/jpeg', 'image/webp']) {
      expect(pictureUploadBody.safeParse({ contentType }).success).toBe(true);
    }
    for (const contentType of ['image/gif', 'image/svg+xml', 'text/html', '']) {
      expect(pictureUploadBody.safeParse({ contentType }).success).toBe(false);
    }
  });
});
