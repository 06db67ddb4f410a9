// Answers the tickets handlers share: the problems of a busy or reused Idempotency-Key, and the 404 of an order or
// event the caller cannot see.
import { AppError, ConflictError, NotFoundError } from '../../layers/common/errors';

export const idempotencyKeyInUse = () =>
  new ConflictError(
    'A purchase with this Idempotency-Key is still in progress; retry shortly.',
    'idempotency-key-in-use',
  );

export const idempotencyKeyReused = () =>
  new AppError(
    422,
    'idempotency-key-reused',
    'Idempotency-Key reused',
    'This Idempotency-Key was used for a different purchase.',
  );

/** Orders and ticket codes are the buyer's alone: no shared cache may keep them, no browser may store them. */
export const PRIVATE = { 'cache-control': 'private, no-store' } as const;

export const noSuchOrder = () => new NotFoundError('No such order.');
export const noSuchOwnedEvent = () => new NotFoundError('You have no event with this id.');
