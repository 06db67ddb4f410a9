// Event teams over HTTP through the local platform, against PostgreSQL and the emulator: an organizer invites by
// email, the invitee's account accepts with the emailed token, a manager does everything but cancel, a check-in
// member can neither see nor change the event, a stranger still gets 404, revocation takes effect at once, every
// change goes out as EventTeamChanged (the scope's full member list) and into the audit the managers read.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { EventTeamChangedV1 } from '../../../events/contracts/catalogue';
import type { TeamInvitationSentV1 } from '../../../events/contracts/team-invitations';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { eventsPlatform, steps } from './support';

let platform: Platform;
let events: pg.Pool;
let ada: TestUser;
const { api, organizer, create, published } = steps(() => platform);

eventsPlatform((started) => {
  ({ platform, events, ada } = started);
});

/** The messages of a type the events service has written to its outbox, oldest first. */
async function sent<T>(type: string): Promise<T[]> {
  const { rows } = await events.query<{ envelope: { data: T } }>(
    `SELECT envelope FROM outbox WHERE envelope->>'type' = $1 ORDER BY created_at`,
    [type],
  );
  return rows.map((row) => row.envelope.data);
}

/** Invites, and answers the token the invitation email carries (read from the message notifications emails). */
async function invite(email: string, role: 'manager' | 'check-in', eventId?: string) {
  const response = await api('POST', '/v1/organizer/team/invitations', {
    token: ada.accessToken,
    body: { email, role, ...(eventId ? { eventId } : {}) },
  });
  expect(response.status).toBe(201);
  const messages = await sent<TeamInvitationSentV1>('TeamInvitationSent');
  const message = messages.find((data) => data.invitationId === response.body.id);
  if (!message) throw new Error('no invitation message');
  return { id: response.body.id as string, token: message.token };
}

const accept = (user: TestUser, token: string) =>
  api('POST', '/v1/team-invitations/accept', { token: user.accessToken, body: { token } });

describe('an event team', () => {
  it('lets invited members in with their role: a manager edits but cannot cancel, check-in cannot edit', async () => {
    // Prepare
    const event = await published(ada);
    const [manager, scanner, stranger] = await Promise.all([organizer(), organizer(), organizer()]);
    const toManager = await invite(manager.email, 'manager');
    const toScanner = await invite(scanner.email.toUpperCase(), 'check-in', event.id);

    // Act
    const joined = await accept(manager, toManager.token);
    const scanned = await accept(scanner, toScanner.token);

    // Assess
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ userId: manager.id, role: 'manager', eventId: null });
    expect(scanned.body).toMatchObject({ userId: scanner.id, role: 'check-in', eventId: event.id });

    const path = `/v1/events/${event.id}`;
    const rename = (user: TestUser, name: string) =>
      api('PATCH', path, { token: user.accessToken, body: { name } });
    expect((await rename(manager, 'Managed')).status).toBe(200);
    expect(
      (await api('GET', `/v1/organizer/events/${event.id}`, { token: manager.accessToken })).status,
    ).toBe(200);
    const ownList = await api('GET', '/v1/organizer/events', { token: manager.accessToken });
    expect(ownList.body.items.map((item: { id: string }) => item.id)).toContain(event.id);
    expect((await api('POST', `${path}/cancel`, { token: manager.accessToken })).status).toBe(403);

    const refused = await rename(scanner, 'Scanned');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(
      (await api('GET', `/v1/organizer/events/${event.id}`, { token: scanner.accessToken })).status,
    ).toBe(403);
    expect((await rename(stranger, 'Strange')).status).toBe(404);
    expect((await api('GET', `/v1/events/${event.id}`)).body.name).toBe('Managed');

    const teamChanges = await sent<EventTeamChangedV1>('EventTeamChanged');
    expect(teamChanges).toContainEqual(
      expect.objectContaining({
        organizerId: ada.id,
        eventId: null,
        members: [{ userId: manager.id, role: 'manager' }],
      }),
    );
    expect(teamChanges).toContainEqual(
      expect.objectContaining({
        organizerId: ada.id,
        eventId: event.id,
        members: [{ userId: scanner.id, role: 'check-in' }],
      }),
    );
  });

  it('lists the team, changes a role, and takes a member off at once', async () => {
    const event = await create(ada);
    const member = await organizer();
    const { token } = await invite(member.email, 'check-in', event.id);
    const pending = await invite(`later-${randomUUID()}@example.com`, 'manager', event.id);
    const joined = await accept(member, token);

    const team = await api('GET', `/v1/organizer/team?eventId=${event.id}`, { token: ada.accessToken });
    expect(team.status).toBe(200);
    expect(team.body.members).toContainEqual(
      expect.objectContaining({ id: joined.body.id, role: 'check-in' }),
    );
    expect(team.body.invitations).toContainEqual(
      expect.objectContaining({ id: pending.id, role: 'manager' }),
    );

    const promoted = await api('PATCH', `/v1/organizer/team/members/${joined.body.id}`, {
      token: ada.accessToken,
      body: { role: 'manager' },
    });
    expect(promoted.body.role).toBe('manager');
    expect((await api('GET', `/v1/organizer/events/${event.id}`, { token: member.accessToken })).status).toBe(
      200,
    );

    const removed = await api('DELETE', `/v1/organizer/team/members/${joined.body.id}`, {
      token: ada.accessToken,
    });
    expect(removed.status).toBe(204);
    expect((await api('GET', `/v1/organizer/events/${event.id}`, { token: member.accessToken })).status).toBe(
      404,
    );
    const last = (await sent<EventTeamChangedV1>('EventTeamChanged')).filter(
      (data) => data.eventId === event.id,
    );
    expect(last.at(-1)?.members).toEqual([]);

    // Nobody else manages Ada's team.
    expect(
      (await api('DELETE', `/v1/organizer/team/invitations/${pending.id}`, { token: member.accessToken }))
        .status,
    ).toBe(404);
    expect(
      (await api('DELETE', `/v1/organizer/team/invitations/${pending.id}`, { token: ada.accessToken }))
        .status,
    ).toBe(204);
  });

  it('takes a token once: used, withdrawn and unknown tokens are refused', async () => {
    const event = await create(ada);
    const [first, second] = await Promise.all([organizer(), organizer()]);
    const once = await invite(first.email, 'manager', event.id);
    expect((await accept(first, once.token)).status).toBe(200);
    expect((await accept(second, once.token)).status).toBe(410);

    const withdrawn = await invite(second.email, 'manager', event.id);
    await api('DELETE', `/v1/organizer/team/invitations/${withdrawn.id}`, { token: ada.accessToken });
    const refused = await accept(second, withdrawn.token);
    expect(refused.status).toBe(410);
    expect(refused.body.type).toContain('invitation-revoked');

    expect((await accept(second, 'x'.repeat(43))).status).toBe(404);
    const own = await invite(`self-${randomUUID()}@example.com`, 'manager', event.id);
    expect((await accept(ada, own.token)).status).toBe(409);
    expect(
      (
        await api('POST', '/v1/organizer/team/invitations', {
          token: first.accessToken,
          body: { email: 'x@example.com', role: 'manager', eventId: event.id },
        })
      ).status,
    ).toBe(404);
  });

  it('shows the invitee the event and role before they answer, and a declined invitation is gone', async () => {
    const event = await create(ada);
    const invitee = await organizer();
    const { id, token } = await invite(invitee.email, 'check-in', event.id);
    const preview = (user: TestUser) =>
      api('POST', '/v1/team-invitations/preview', { token: user.accessToken, body: { token } });

    const shown = await preview(invitee);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id,
      eventId: event.id,
      eventName: event.name,
      role: 'check-in',
      email: invitee.email,
      status: 'pending',
    });
    const declined = await api('POST', '/v1/team-invitations/decline', {
      token: invitee.accessToken,
      body: { token },
    });
    expect(declined.status).toBe(204);

    expect((await preview(invitee)).body.status).toBe('declined');
    const refused = await accept(invitee, token);
    expect(refused.status).toBe(410);
    expect(refused.body.type).toContain('invitation-declined');
    const team = await api('GET', '/v1/organizer/team', { token: ada.accessToken });
    expect(team.body.invitations.map((invitation: { id: string }) => invitation.id)).not.toContain(id);
    expect(
      (
        await api('POST', '/v1/team-invitations/decline', {
          token: invitee.accessToken,
          body: { token: 'x'.repeat(43) },
        })
      ).status,
    ).toBe(404);
  });

  it('keeps who changed what, readable by the organizer and managers only', async () => {
    const event = await create(ada);
    const [manager, scanner] = await Promise.all([organizer(), organizer()]);
    await accept(manager, (await invite(manager.email, 'manager', event.id)).token);
    await accept(scanner, (await invite(scanner.email, 'check-in', event.id)).token);
    const changed = await api('PATCH', `/v1/events/${event.id}`, {
      token: manager.accessToken,
      body: { capacity: 120 },
    });
    expect(changed.body).toMatchObject({ capacity: 120 });

    const audit = await api('GET', `/v1/organizer/events/${event.id}/audit`, { token: manager.accessToken });
    expect(audit.status).toBe(200);
    const lines = audit.body.items.map((item: { actorId: string; action: string; changes: unknown }) => [
      item.actorId,
      item.action,
      item.changes,
    ]);
    expect(lines[0]).toEqual([manager.id, 'updated', { capacity: { from: 100, to: 120 } }]);
    expect(lines).toContainEqual([
      scanner.id,
      'team.member-joined',
      expect.objectContaining({ role: 'check-in' }),
    ]);
    expect(lines).toContainEqual([ada.id, 'created', {}]);

    const page = await api('GET', `/v1/organizer/events/${event.id}/audit?limit=2`, {
      token: ada.accessToken,
    });
    expect(page.body.items).toHaveLength(2);
    const next = await api(
      'GET',
      `/v1/organizer/events/${event.id}/audit?limit=2&cursor=${page.body.nextCursor}`,
      {
        token: ada.accessToken,
      },
    );
    expect(next.body.items[0].id).not.toBe(page.body.items[1].id);

    expect(
      (await api('GET', `/v1/organizer/events/${event.id}/audit`, { token: scanner.accessToken })).status,
    ).toBe(403);
    expect(
      (await api('GET', `/v1/organizer/events/${event.id}/audit?cursor=abc`, { token: ada.accessToken }))
        .status,
    ).toBe(400);
  });
});
