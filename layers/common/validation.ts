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
