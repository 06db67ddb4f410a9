// Pages every viewer shares a copy of for a second (routes declared with `edgeCacheSeconds`; a unit test keeps this
// list equal to the manifests'). The client asks for them without the token: a copy is shared only among requests
// without one, so a signed-in buyer refreshing the event page during a sale gets the edge's copy instead of a
// request of their own to the API.
export const SHARED_PAGES: ReadonlySet<string> = new Set(['/v1/events/{id}', '/v1/events/{id}/availability']);
