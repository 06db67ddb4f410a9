// The contract check of the test clients: an answer the OpenAPI document does not describe fails with a message
// naming the operation, the status and what differs.
import { describe, expect, it } from 'vitest';
import { echo } from '../../fixtures/echo/manifest';
import { contractOf } from '../../support/contract';

const check = contractOf([echo]);
const url = 'http://localhost:1234/v1/test/echo/6f1c1c1e-0000-4000-8000-000000000000?limit=2';
const problem = JSON.stringify({ type: '/problems/validation-error', title: 'Invalid', status: 400 });

describe('contractOf', () => {
  it('accepts documented answers: a status of the operation, its media type and schema', () => {
    expect(check('POST', url, { status: 201, contentType: null, text: '' })).toEqual([]);
    expect(
      check('POST', url, { status: 400, contentType: 'application/problem+json', text: problem }),
    ).toEqual([]);
  });

  it('refuses a status the document does not list for the operation', () => {
    const [broken] = check('POST', url, {
      status: 404,
      contentType: 'application/problem+json',
      text: problem,
    });
    expect(broken).toMatch(
      /^POST \/v1\/test\/echo\/\{id\} answered 404, a status the document does not list/,
    );
  });

  it('refuses a body where the document says none, another media type, and a body unlike its schema', () => {
    expect(
      check('POST', url, { status: 201, contentType: 'application/json', text: '{"any":1}' })[0],
    ).toMatch(/answered 201 with a body, where the document says none/);
    expect(check('POST', url, { status: 400, contentType: 'application/json', text: problem })[0]).toMatch(
      /as application\/json, where the document says application\/problem\+json/,
    );
    expect(
      check('POST', url, { status: 400, contentType: 'application/problem+json', text: '{"title":"x"}' })[0],
    ).toMatch(/does not match its documented schema: \(body\) must have required property 'type'/);
  });

  it('leaves alone what is not an operation of the API (pages of the web app, unknown routes)', () => {
    expect(
      check('GET', 'http://localhost:1234/events/42', { status: 200, contentType: 'text/html', text: '<p>' }),
    ).toEqual([]);
  });
});
