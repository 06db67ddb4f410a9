// Reading a message against its versioned contract, the same way in every consumer: another type is not ours
// (undefined), an unknown version or data that breaks the contract is poison (to the dead-letter queue and its alarm).
import type * as z from 'zod';
import { PoisonMessageError } from './consumer';
import type { Envelope } from './messages';

export interface MessageContract<S extends z.ZodType> {
  type: string;
  version: number;
  schema: S;
}

/** The message's data when it is of the contract's type; undefined for any other type. */
export function contractData<S extends z.ZodType>(
  envelope: Envelope,
  contract: MessageContract<S>,
): z.output<S> | undefined {
  if (envelope.type !== contract.type) return undefined;
  if (envelope.version !== contract.version) {
    throw new PoisonMessageError(`${contract.type} version ${envelope.version} is not supported`);
  }
  const parsed = contract.schema.safeParse(envelope.data);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(data)').join(', ');
    throw new PoisonMessageError(`${contract.type} data breaks the contract at ${where}`);
  }
  return parsed.data;
}
