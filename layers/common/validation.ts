// zod issues turned into field errors a client developer can act on.
import type * as z from 'zod';
import type { FieldError } from './errors';

export function issuesToFieldErrors(
  where: FieldError['in'],
  issues: readonly z.core.$ZodIssue[],
): FieldError[] {
  return issues.map((issue) => ({
    in: where,
    field: issue.path.map(String).join('.'),
    message: describe(issue),
  }));
}

function describe(issue: z.core.$ZodIssue): string {
  // "Invalid input: expected string, received undefined" reads better as "Required" for a missing field.
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'Required';
  return issue.message;
}

// With the u flag, a surrogate half matches \p{Cs} only when it is not part of a pair.
const LONE_SURROGATE = /\p{Cs}/u;
const unstorable = (text: string) => text.includes('\0') || LONE_SURROGATE.test(text);
const UNSTORABLE_MESSAGE = 'Must not contain NUL bytes or invalid Unicode text';

/**
 * Every string in a request part that no database or log can hold as text: a NUL byte (PostgreSQL refuses U+0000
 * in text) or a lone UTF-16 surrogate (not Unicode; UTF-8 encoders silently replace it). Checked for each part of
 * every request before its schema, so no field, declared or passed through, reaches a handler with one.
 */
export function unstorableTextFields(where: FieldError['in'], input: unknown, path = ''): FieldError[] {
  if (typeof input === 'string')
    return unstorable(input) ? [{ in: where, field: path, message: UNSTORABLE_MESSAGE }] : [];
  if (input === null || typeof input !== 'object') return [];
  return Object.entries(input).flatMap(([key, value]) => {
    if (unstorable(key)) return [{ in: where, field: path, message: `Field names: ${UNSTORABLE_MESSAGE}` }];
    return unstorableTextFields(where, value, path ? `${path}.${key}` : key);
  });
}
