// GET /oauth/authorize (RFC 6749 §4.1.1): checks the authorization request and shows the sign-in page (or sign-up,
// with prompt=create); a bad client or redirect URI gets an error page, other errors go back to the client.
import { httpHandler } from '../../layers/common/http';
import { checkRequest, pageOptions, showForm } from './authorize-flow';
import { auth } from './manifest';

export const handler = httpHandler(
  'auth',
  auth.routes.authorizePage,
  async ({ query, event }) => {
    const checked = await checkRequest(query);
    if (!checked.ok) return checked.answer;
    return showForm(event, checked.request, checked.request.prompt === 'create' ? 'sign-up' : 'sign-in');
  },
  pageOptions(),
);
