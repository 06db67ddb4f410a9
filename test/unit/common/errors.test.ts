// The single mapping from errors to problem+json.
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  TooManyRequestsError,
  toProblem,
  ValidationError,
} from '../../../layers/common/errors';

describe('toProblem', () => {
  it('keeps the type slug, status and extensions of our errors', () => {
    const { problem } = toProblem(
      new ConflictError('Only 2 seats left.', 'sold-out', { remaining: 2 }),
      '/v1/x',
    );
    expect(problem).toMatchObject({
      type: '/problems/sold-out',
      status: 409,
      detail: 'Only 2 seats left.',
      remaining: 2,
      instance: '/v1/x',
    });
  });

  it('lists each field error of a validation error', () => {
    const { problem } = toProblem(
      new ValidationError([{ in: 'body', field: 'email', message: 'Invalid email' }]),
    );
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([{ in: 'body', field: 'email', message: 'Invalid email' }]);
  });

  it('carries headers such as Retry-After', () => {
    expect(toProblem(new TooManyRequestsError(7)).headers['retry-after']).toBe('7');
  });

  it('turns anything else into a generic 500 without its message', () => {
    const { problem } = toProblem(new Error('connection to 10.0.0.5 failed, password=hunter2'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/hunter2|10\.0\.0\.5/);
  });
});
