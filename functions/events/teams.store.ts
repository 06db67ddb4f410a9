// The team tables of the events database: memberships, invitations (token hashes only), each change committed
// with its audit line and its EventTeamChanged message (the scope's full member list) in one transaction.
import { CATALOGUE_EVENTS_TOPIC, type TeamRole } from '../../events/contracts/catalogue';
import { type pg, withTransaction } from '../../layers/common/db';
import { enqueue } from '../../layers/common/outbox';
import { writeAudit } from './events.store';
import type { Invitation, InvitationGone, TeamChange, TeamMember, TeamScope, TeamStore } from './team';

interface MemberRow {
  id: string;
  organizer_id: string;
  event_id: string | null;
  user_id: string;
  email: string;
  role: TeamRole;
  created_at: Date;
}

interface InvitationRow {
  id: string;
  organizer_id: string;
  event_id: string | null;
  email: string;
  role: TeamRole;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
  declined_at: Date | null;
}

const MEMBER_COLUMNS = 'id, organizer_id, event_id, user_id, email, role, created_at';
const INVITATION_COLUMNS =
  'id, organizer_id, event_id, email, role, created_at, expires_at, accepted_at, accepted_by, revoked_at, declined_at';

const toMember = (row: MemberRow): TeamMember => ({
  id: row.id,
  organizerId: row.organizer_id,
  eventId: row.event_id,
  userId: row.user_id,
  email: row.email,
  role: row.role,
  createdAt: row.created_at.toISOString(),
});

const toInvitation = (row: InvitationRow): Invitation => ({
  id: row.id,
  organizerId: row.organizer_id,
  eventId: row.event_id,
  email: row.email,
  role: row.role,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

/** Why the invitation's token no longer works at `at`, or undefined while it is pending. */
function goneWhy(row: InvitationRow, at: string): InvitationGone | undefined {
  if (row.revoked_at) return 'revoked';
  if (row.accepted_at) return 'used';
  if (row.declined_at) return 'declined';
  if (row.expires_at.getTime() <= Date.parse(at)) return 'expired';
  return undefined;
}

/** Announces the scope's members as they now stand and writes the audit line, inside the change's transaction. */
async function settle(
  client: pg.ClientBase,
  scope: TeamScope,
  change: Omit<TeamChange, 'audit'> & { audit: TeamChange['audit'] },
) {
  const { rows } = await client.query<{ user_id: string; role: TeamRole }>(
    `SELECT user_id, role FROM team_members
     WHERE organizer_id = $1 AND event_id IS NOT DISTINCT FROM $2 ORDER BY user_id`,
    [scope.organizerId, scope.eventId],
  );
  const members = rows.map((row) => ({ userId: row.user_id, role: row.role }));
  await enqueue(client, { topic: CATALOGUE_EVENTS_TOPIC }, [change.announce(scope, members)]);
  await writeAudit(client, { ...scope, actorId: change.actorId, at: change.at, ...change.audit });
}

export function pgTeamStore(pool: () => Promise<pg.Pool>): TeamStore {
  return {
    createInvitation: async (invitation, message, audit) =>
      withTransaction(await pool(), async (client) => {
        await client.query(
          `INSERT INTO team_invitations (id, organizer_id, event_id, email, role, token_hash, invited_by, created_at,
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            invitation.id,
            invitation.organizerId,
            invitation.eventId,
            invitation.email,
            invitation.role,
            invitation.tokenHash,
            invitation.invitedBy,
            invitation.createdAt,
            invitation.expiresAt,
          ],
        );
        await enqueue(client, { topic: CATALOGUE_EVENTS_TOPIC }, [message]);
        await writeAudit(client, {
          organizerId: invitation.organizerId,
          eventId: invitation.eventId,
          actorId: invitation.invitedBy,
          at: invitation.createdAt,
          ...audit,
        });
      }),

    accept: async (tokenHash, user, change) =>
      withTransaction(await pool(), async (client) => {
        const { rows } = await client.query<InvitationRow>(
          `SELECT ${INVITATION_COLUMNS} FROM team_invitations WHERE token_hash = $1 FOR UPDATE`,
          [tokenHash],
        );
        const row = rows[0];
        if (!row) return { kind: 'unknown' } as const;
        const gone = goneWhy(row, change.at);
        if (gone) return { kind: gone } as const;
        if (row.organizer_id === user.userId) return { kind: 'own-team' } as const;
        const { rows: members } = await client.query<MemberRow>(
          `INSERT INTO team_members (id, organizer_id, event_id, user_id, email, role, invited_by, created_at,
             updated_at)
           SELECT $1, organizer_id, event_id, $2, email, role, invited_by, $3, $3 FROM team_invitations WHERE id = $4
           ON CONFLICT (organizer_id, coalesce(event_id, '00000000-0000-0000-0000-000000000000'::uuid), user_id)
           DO UPDATE SET role = EXCLUDED.role, email = EXCLUDED.email, updated_at = EXCLUDED.updated_at
           RETURNING ${MEMBER_COLUMNS}`,
          [user.memberId, user.userId, change.at, row.id],
        );
        await client.query('UPDATE team_invitations SET accepted_at = $2, accepted_by = $3 WHERE id = $1', [
          row.id,
          change.at,
          user.userId,
        ]);
        const member = toMember(members[0] as MemberRow);
        await settle(client, member, {
          ...change,
          audit: {
            action: 'team.member-joined',
            changes: { userId: member.userId, email: member.email, role: member.role },
          },
        });
        return { kind: 'accepted', member } as const;
      }),

    changeRole: async (organizerId, memberId, role, change) =>
      withTransaction(await pool(), async (client) => {
        const { rows } = await client.query<MemberRow>(
          `UPDATE team_members SET role = $3, updated_at = $4 WHERE id = $1 AND organizer_id = $2
           RETURNING ${MEMBER_COLUMNS}`,
          [memberId, organizerId, role, change.at],
        );
        if (!rows[0]) return undefined;
        const member = toMember(rows[0]);
        await settle(client, member, {
          ...change,
          audit: { ...change.audit, changes: { userId: member.userId, email: member.email, role } },
        });
        return member;
      }),

    removeMember: async (organizerId, memberId, change) =>
      withTransaction(await pool(), async (client) => {
        const { rows } = await client.query<MemberRow>(
          `DELETE FROM team_members WHERE id = $1 AND organizer_id = $2 RETURNING ${MEMBER_COLUMNS}`,
          [memberId, organizerId],
        );
        if (!rows[0]) return undefined;
        const member = toMember(rows[0]);
        await settle(client, member, {
          ...change,
          audit: {
            ...change.audit,
            changes: { userId: member.userId, email: member.email, role: member.role },
          },
        });
        return member;
      }),

    revokeInvitation: async (organizerId, invitationId, change) =>
      withTransaction(await pool(), async (client) => {
        const { rows } = await client.query<InvitationRow>(
          `UPDATE team_invitations SET revoked_at = $3
           WHERE id = $1 AND organizer_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL
           RETURNING ${INVITATION_COLUMNS}`,
          [invitationId, organizerId, change.at],
        );
        const row = rows[0];
        if (!row) return false;
        await writeAudit(client, {
          organizerId,
          eventId: row.event_id,
          actorId: change.actorId,
          at: change.at,
          ...change.audit,
          changes: { email: row.email, role: row.role },
        });
        return true;
      }),

    preview: async (tokenHash, at) => {
      const { rows } = await (await pool()).query<InvitationRow & { event_name: string | null }>(
        `SELECT ${INVITATION_COLUMNS}, (SELECT name FROM events WHERE id = i.event_id) AS event_name
         FROM team_invitations i WHERE token_hash = $1`,
        [tokenHash],
      );
      const row = rows[0];
      if (!row) return undefined;
      return { ...toInvitation(row), eventName: row.event_name, status: goneWhy(row, at) ?? 'pending' };
    },

    decline: async (tokenHash, change) =>
      withTransaction(await pool(), async (client) => {
        const { rows } = await client.query<InvitationRow>(
          `SELECT ${INVITATION_COLUMNS} FROM team_invitations WHERE token_hash = $1 FOR UPDATE`,
          [tokenHash],
        );
        const row = rows[0];
        if (!row) return 'unknown';
        const gone = goneWhy(row, change.at);
        if (gone) return gone;
        await client.query('UPDATE team_invitations SET declined_at = $2 WHERE id = $1', [row.id, change.at]);
        await writeAudit(client, {
          organizerId: row.organizer_id,
          eventId: row.event_id,
          actorId: change.actorId,
          at: change.at,
          action: 'team.invitation-declined',
          changes: { email: row.email, role: row.role },
        });
        return 'declined';
      }),

    list: async (organizerId, eventId) => {
      const db = await pool();
      const scope = 'organizer_id = $1 AND ($2::uuid IS NULL OR event_id = $2 OR event_id IS NULL)';
      const [members, invitations] = await Promise.all([
        db.query<MemberRow>(
          `SELECT ${MEMBER_COLUMNS} FROM team_members WHERE ${scope} ORDER BY created_at, id`,
          [organizerId, eventId ?? null],
        ),
        db.query<InvitationRow>(
          `SELECT ${INVITATION_COLUMNS} FROM team_invitations
           WHERE ${scope} AND accepted_at IS NULL AND revoked_at IS NULL AND declined_at IS NULL
             AND expires_at > now()
           ORDER BY created_at DESC, id`,
          [organizerId, eventId ?? null],
        ),
      ]);
      return { members: members.rows.map(toMember), invitations: invitations.rows.map(toInvitation) };
    },
  };
}
