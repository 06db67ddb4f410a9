// Event teams: an organizer invites people by email to one event or all their events as `manager` (everything but
// cancelling) or `check-in` (scanning only); the invitee accepts with the token the email carries, signed in to their
// own account. The organizer lists the team and revokes members and invitations. Every change to who is on a team
// goes out as EventTeamChanged (the scope's full member list) through the outbox, and into the audit.
import { createHash, randomBytes } from 'node:crypto';
import {
  CatalogueMessageTypes,
  type EventTeamChangedV1,
  type TeamRole,
} from '../../events/contracts/catalogue';
import { type TeamInvitationSentV1, TeamMessageTypes } from '../../events/contracts/team-invitations';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../../layers/common/errors';
import { type Envelope, envelope } from '../../layers/common/messages';
import type { AuditNote, EventRole, EventsDeps } from './model';

export const INVITATION_TTL_DAYS = 14;

export interface TeamScope {
  organizerId: string;
  /** Null: all the organizer's events. */
  eventId: string | null;
}

export interface TeamMember extends TeamScope {
  id: string;
  userId: string;
  email: string;
  role: TeamRole;
  createdAt: string;
}

export interface Invitation extends TeamScope {
  id: string;
  email: string;
  role: TeamRole;
  createdAt: string;
  expiresAt: string;
}

/** Builds the EventTeamChanged message of a scope from its members as they stand after the change. */
export type Announce = (scope: TeamScope, members: { userId: string; role: TeamRole }[]) => Envelope;

/** Who makes a change, when, and what the audit says about it. */
export interface TeamChange {
  actorId: string;
  at: string;
  audit: AuditNote;
  announce: Announce;
}

/** Why an invitation's token no longer works. */
export type InvitationGone = 'revoked' | 'expired' | 'used' | 'declined';

export type AcceptOutcome =
  | { kind: 'accepted'; member: TeamMember }
  | { kind: 'unknown' | InvitationGone | 'own-team' };

/** An invitation as its invitee sees it before answering: what they would join, and whether they still can. */
export interface InvitationPreview extends Invitation {
  /** Null for an invitation to all the organizer's events. */
  eventName: string | null;
  status: 'pending' | InvitationGone;
}

export interface TeamStore {
  /** Saves a pending invitation with its message (the email) and audit line, in one transaction. */
  createInvitation(
    invitation: Invitation & { tokenHash: Buffer; invitedBy: string },
    message: Envelope,
    audit: AuditNote,
  ): Promise<void>;
  /**
   * Spends the invitation with this token hash: `user` becomes a member of its scope (a member already there takes
   * the invited role), announced and audited in the same transaction.
   */
  accept(
    tokenHash: Buffer,
    user: { userId: string; memberId: string },
    change: Omit<TeamChange, 'audit'>,
  ): Promise<AcceptOutcome>;
  /** Changes a member's role; undefined when the organizer has no such member. */
  changeRole(
    organizerId: string,
    memberId: string,
    role: TeamRole,
    change: TeamChange,
  ): Promise<TeamMember | undefined>;
  /** Removes a member; undefined when the organizer has no such member. */
  removeMember(organizerId: string, memberId: string, change: TeamChange): Promise<TeamMember | undefined>;
  /** Withdraws a pending invitation; false when the organizer has no such pending invitation. */
  revokeInvitation(
    organizerId: string,
    invitationId: string,
    change: Omit<TeamChange, 'announce'>,
  ): Promise<boolean>;
  /** The invitation with this token hash as its invitee sees it, or undefined when no invitation has it. */
  preview(tokenHash: Buffer, at: string): Promise<InvitationPreview | undefined>;
  /** Declines the pending invitation with this token hash (audited); otherwise says why it cannot be. */
  decline(
    tokenHash: Buffer,
    change: Omit<TeamChange, 'announce' | 'audit'>,
  ): Promise<'declined' | 'unknown' | InvitationGone>;
  /** The organizer's members and pending invitations, of one event (and the all-events ones) or of every scope. */
  list(organizerId: string, eventId?: string): Promise<{ members: TeamMember[]; invitations: Invitation[] }>;
}

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** What may be done to an event by whom. Cancelling (the nearest there is to deleting) is the owner's alone. */
export type EventAction = 'view' | 'edit' | 'cancel' | 'audit';

const ALLOWED: Record<EventAction, readonly EventRole[]> = {
  view: ['owner', 'manager'],
  edit: ['owner', 'manager'],
  audit: ['owner', 'manager'],
  cancel: ['owner'],
};

/** Throws 403 when the role does not allow the action; a stranger never gets here (404 before). */
export function requireRole(role: EventRole, action: EventAction): void {
  if (ALLOWED[action].includes(role)) return;
  throw new ForbiddenError(
    role === 'check-in'
      ? 'You are on this event’s team to check tickets in; you cannot see or change its settings.'
      : 'Only the event’s organizer can do this.',
  );
}

export const announceWith =
  (deps: Pick<EventsDeps, 'now'>, correlationId: string): Announce =>
  (scope, members) => {
    const { type, version } = CatalogueMessageTypes.EventTeamChanged;
    const data: EventTeamChangedV1 = {
      organizerId: scope.organizerId,
      eventId: scope.eventId,
      members,
      asOf: deps.now().toISOString(),
    };
    return envelope('events', type, version, data, correlationId);
  };

class InvitationGoneError extends AppError {
  constructor(code: string, detail: string) {
    super(410, code, 'Invitation no longer valid', detail);
  }
}

const notYourEvent = () => new NotFoundError('You have no event with this id.');

export async function invite(
  deps: EventsDeps,
  organizer: { userId: string; name: string },
  body: { email: string; role: TeamRole; eventId?: string },
  correlationId: string,
): Promise<Invitation> {
  let eventName: string | null = null;
  if (body.eventId) {
    const found = await deps.store.findFor(body.eventId, organizer.userId);
    if (found?.role !== 'owner') throw notYourEvent();
    eventName = found.event.name;
  }
  const now = deps.now();
  const token = randomBytes(32).toString('base64url');
  const invitation: Invitation = {
    id: deps.newId(),
    organizerId: organizer.userId,
    eventId: body.eventId ?? null,
    email: body.email.toLowerCase(),
    role: body.role,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + INVITATION_TTL_DAYS * 86_400_000).toISOString(),
  };
  const { type, version } = TeamMessageTypes.TeamInvitationSent;
  const data: TeamInvitationSentV1 = {
    invitationId: invitation.id,
    organizerId: invitation.organizerId,
    organizerName: organizer.name,
    eventId: invitation.eventId,
    eventName,
    email: invitation.email,
    role: invitation.role,
    token,
    expiresAt: invitation.expiresAt,
  };
  await deps.team.createInvitation(
    { ...invitation, tokenHash: hashToken(token), invitedBy: organizer.userId },
    envelope('events', type, version, data, correlationId),
    { action: 'team.invited', changes: { email: invitation.email, role: invitation.role } },
  );
  await deps.relay();
  return invitation;
}

export async function acceptInvitation(
  deps: EventsDeps,
  userId: string,
  token: string,
  correlationId: string,
): Promise<TeamMember> {
  const outcome = await deps.team.accept(
    hashToken(token),
    { userId, memberId: deps.newId() },
    { actorId: userId, at: deps.now().toISOString(), announce: announceWith(deps, correlationId) },
  );
  switch (outcome.kind) {
    case 'accepted':
      await deps.relay();
      return outcome.member;
    case 'unknown':
      throw new NotFoundError('No invitation has this token.');
    case 'own-team':
      throw new ConflictError(
        'This invitation is to your own team; you organize these events already.',
        'own-team',
      );
    default:
      throw goneError(outcome.kind);
  }
}

const GONE: Record<InvitationGone, [string, string]> = {
  used: ['invitation-used', 'This invitation has been accepted already.'],
  revoked: ['invitation-revoked', 'The organizer withdrew this invitation.'],
  expired: ['invitation-expired', 'This invitation has expired; ask for a new one.'],
  declined: ['invitation-declined', 'This invitation was declined.'],
};
const goneError = (why: InvitationGone) => new InvitationGoneError(...GONE[why]);

/** What the invitation's token invites to, for the invitee to decide; any signed-in account holding the token may look. */
export async function previewInvitation(deps: EventsDeps, token: string): Promise<InvitationPreview> {
  const preview = await deps.team.preview(hashToken(token), deps.now().toISOString());
  if (!preview) throw new NotFoundError('No invitation has this token.');
  return preview;
}

export async function declineInvitation(deps: EventsDeps, userId: string, token: string): Promise<void> {
  const outcome = await deps.team.decline(hashToken(token), {
    actorId: userId,
    at: deps.now().toISOString(),
  });
  if (outcome === 'unknown') throw new NotFoundError('No invitation has this token.');
  if (outcome !== 'declined') throw goneError(outcome);
}

export async function changeMemberRole(
  deps: EventsDeps,
  organizerId: string,
  memberId: string,
  role: TeamRole,
  correlationId: string,
): Promise<TeamMember> {
  const member = await deps.team.changeRole(organizerId, memberId, role, {
    actorId: organizerId,
    at: deps.now().toISOString(),
    audit: { action: 'team.role-changed', changes: { role } },
    announce: announceWith(deps, correlationId),
  });
  if (!member) throw new NotFoundError('Your team has no member with this id.');
  await deps.relay();
  return member;
}

export async function removeMember(
  deps: EventsDeps,
  organizerId: string,
  memberId: string,
  correlationId: string,
): Promise<void> {
  const member = await deps.team.removeMember(organizerId, memberId, {
    actorId: organizerId,
    at: deps.now().toISOString(),
    audit: { action: 'team.member-removed' },
    announce: announceWith(deps, correlationId),
  });
  if (!member) throw new NotFoundError('Your team has no member with this id.');
  await deps.relay();
}

export async function revokeInvitation(deps: EventsDeps, organizerId: string, invitationId: string) {
  const revoked = await deps.team.revokeInvitation(organizerId, invitationId, {
    actorId: organizerId,
    at: deps.now().toISOString(),
    audit: { action: 'team.invitation-revoked' },
  });
  if (!revoked) throw new NotFoundError('You have no pending invitation with this id.');
}

export async function listTeam(deps: EventsDeps, organizerId: string, eventId?: string) {
  if (eventId) {
    const found = await deps.store.findFor(eventId, organizerId);
    if (found?.role !== 'owner') throw notYourEvent();
  }
  return deps.team.list(organizerId, eventId);
}

/** The event's audit for its owner and managers: newest first, a page at a time. */
export async function eventAudit(
  deps: EventsDeps,
  userId: string,
  eventId: string,
  query: { limit?: number; cursor?: string },
) {
  const found = await deps.store.findFor(eventId, userId);
  if (!found) throw notYourEvent();
  requireRole(found.role, 'audit');
  const limit = query.limit ?? 50;
  const rows = await deps.store.auditOf(eventId, found.event.organizerId, {
    limit: limit + 1,
    before: query.cursor,
  });
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
}
