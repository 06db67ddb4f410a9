// What the team routes answer: members and invitations without the organizer's own id (it is the caller's), and
// the organizer's name from their token for the invitation email.
import type { Caller } from '../../layers/common/http';
import type { Invitation, TeamMember } from './team';

export const memberView = ({ organizerId: _organizer, ...member }: TeamMember) => member;

export const invitationView = ({ organizerId: _organizer, ...invitation }: Invitation) => invitation;

/** "Given Family" from the access token's claims; the email says "an organizer" when the token names nobody. */
export function nameOf(caller: Caller): string {
  const part = (claim: string) => {
    const value = caller.claims[claim];
    return typeof value === 'string' ? value.trim() : '';
  };
  return [part('given_name'), part('family_name')].filter(Boolean).join(' ').slice(0, 201);
}
