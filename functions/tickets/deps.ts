// The tickets service's shared wiring: its pool, and the buyer as the access token describes them.

import { ForbiddenError } from '../../layers/common/errors';
import type { Caller } from '../../layers/common/http';
import type { Buyer } from './orders.store';

/** Tokens from our auth service carry the buyer's email and first name (for the confirmation email). */
export function buyerOf(caller: Caller): Buyer {
  const email = caller.claims.email;
  if (typeof email !== 'string' || email === '')
    throw new ForbiddenError('The access token carries no email address.');
  return { userId: caller.userId, email, firstName: String(caller.claims.given_name ?? '') };
}
