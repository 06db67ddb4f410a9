// Events service: the catalogue. Organizers create, change, publish and cancel their events and attach images;
// everyone searches published events and sees what is still for sale.
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { CATALOGUE_EVENTS_TOPIC } from '../../events/contracts/catalogue';
import { type Binds, defineService } from '../../layers/common/manifest';
import { invitationPreviewResponse } from './invitation.schemas';
import {
  acceptInvitationBody,
  auditQuery,
  catalogueQuery,
  createEventBody,
  eventIdParams,
  imageUploadBody,
  invitationIdParams,
  inviteBody,
  memberIdParams,
  memberRoleBody,
  organizerQuery,
  teamQuery,
  updateEventBody,
} from './requests.schemas';
import {
  auditPage,
  cataloguePage,
  imageUploadResponse,
  invitationResponse,
  organizerEventResponse,
  organizerPage,
  publicEventResponse,
  teamMemberResponse,
  teamResponse,
} from './responses.schemas';

const TEAM_CHANGE: Binds = { database: true, publishes: [CATALOGUE_EVENTS_TOPIC] };
const FORBIDDEN = { description: 'Your role on this event’s team does not allow this' };

const DEGRADED = 'x-degraded names what is missing; the body says so in `degraded`';

export const events = defineService({
  service: 'events',
  description: 'Event creation and lifecycle, types and tags, search, promotional images.',
  database: true,
  topics: [CATALOGUE_EVENTS_TOPIC],
  routes: {
    createEvent: {
      method: 'POST',
      path: '/v1/events',
      handler: 'create-event.ts',
      summary: 'Create a draft event',
      auth: true,
      request: { body: createEventBody, maxBodyBytes: 32 * 1024 },
      responses: { 201: { description: 'The draft, with its tier ids', schema: organizerEventResponse } },
      binds: { database: true },
    },
    listEvents: {
      method: 'GET',
      path: '/v1/events',
      handler: 'list-events.ts',
      summary: 'Search the published, upcoming events',
      auth: false,
      request: { query: catalogueQuery },
      responses: {
        200: { description: `A page of events; ${DEGRADED}`, schema: cataloguePage },
        503: { description: 'The catalogue cannot be read and this page was never cached' },
      },
      binds: { database: true, redis: true, bucket: 'read' },
    },
    getEvent: {
      method: 'GET',
      path: '/v1/events/{id}',
      handler: 'get-event.ts',
      summary:
        'A published or cancelled event with the tickets still for sale; remaining tickets at most 1 s behind sales (ETag: 304 while unchanged)',
      auth: false,
      // The page everyone refreshes during a sale: the edge's copy is at most this old, the seats in it current.
      edgeCacheSeconds: 1,
      request: { params: eventIdParams },
      responses: {
        200: { description: `The event; ${DEGRADED}`, schema: publicEventResponse },
        304: { description: 'Unchanged since the ETag given in If-None-Match' },
        404: { description: 'No published event has this id' },
      },
      binds: { database: true, redis: true, bucket: 'read', invokes: ['tickets.availability'] },
    },
    updateEvent: {
      method: 'PATCH',
      path: '/v1/events/{id}',
      handler: 'update-event.ts',
      summary: 'Change an event of yours (tiers with an id are changed, without one added)',
      auth: true,
      request: { params: eventIdParams, body: updateEventBody, maxBodyBytes: 32 * 1024 },
      responses: {
        200: { description: 'The event as it now stands', schema: organizerEventResponse },
        403: FORBIDDEN,
        404: { description: 'You have no event with this id' },
        409: { description: 'Below what is sold (below-sold, tier-has-sales), or the event is cancelled' },
        422: { description: 'An image is missing, or of a type or size not allowed' },
        503: { description: 'The tickets service could not agree to the change; nothing changed' },
      },
      binds: {
        database: true,
        redis: true,
        bucket: 'readwrite',
        publishes: [CATALOGUE_EVENTS_TOPIC],
        invokes: ['tickets.syncInventory', 'tickets.availability'],
      },
    },
    publishEvent: {
      method: 'POST',
      path: '/v1/events/{id}/publish',
      handler: 'publish-event.ts',
      summary: 'Put an event of yours on sale',
      auth: true,
      request: { params: eventIdParams },
      responses: {
        200: { description: 'The published event', schema: organizerEventResponse },
        403: {
          description: `${FORBIDDEN.description}, or your email address is not verified yet (type /problems/email-unverified)`,
        },
        404: { description: 'You have no event with this id' },
        409: { description: 'The event is cancelled' },
        503: { description: 'The tickets service could not set up sales; the event stays a draft' },
      },
      binds: {
        database: true,
        redis: true,
        bucket: 'read',
        publishes: [CATALOGUE_EVENTS_TOPIC],
        invokes: ['tickets.syncInventory', 'tickets.availability'],
      },
    },
    cancelEvent: {
      method: 'POST',
      path: '/v1/events/{id}/cancel',
      handler: 'cancel-event.ts',
      summary: 'Cancel an event of yours; an optional JSON body gives the reason: { "reason": "..." }',
      auth: true,
      request: { params: eventIdParams },
      responses: {
        200: { description: 'The cancelled event', schema: organizerEventResponse },
        403: { description: 'Only the event’s organizer cancels it' },
        404: { description: 'You have no event with this id' },
        503: { description: 'The tickets service could not stop sales; the event is unchanged' },
      },
      binds: {
        database: true,
        redis: true,
        bucket: 'read',
        publishes: [CATALOGUE_EVENTS_TOPIC],
        invokes: ['tickets.syncInventory', 'tickets.availability'],
      },
    },
    createImageUpload: {
      method: 'POST',
      path: '/v1/events/{id}/images',
      handler: 'create-image-upload.ts',
      summary:
        'A presigned form to upload a promotional image (PNG, JPEG or WebP, at most 5 MB, 10 per event)',
      auth: true,
      request: { params: eventIdParams, body: imageUploadBody, maxBodyBytes: 1024 },
      responses: {
        201: {
          description: 'Upload form: POST its fields and then the file to uploadUrl',
          schema: imageUploadResponse,
        },
        403: FORBIDDEN,
        404: { description: 'You have no event with this id' },
        409: { description: 'The event is cancelled or shows 10 images already' },
      },
      binds: { database: true, bucket: 'readwrite' },
    },
    listOwnEvents: {
      method: 'GET',
      path: '/v1/organizer/events',
      handler: 'list-own-events.ts',
      summary: 'Your events, drafts included, newest first, with sales',
      auth: true,
      request: { query: organizerQuery },
      responses: { 200: { description: `A page of your events; ${DEGRADED}`, schema: organizerPage } },
      binds: { database: true, bucket: 'read', invokes: ['tickets.availability'] },
    },
    getOwnEvent: {
      method: 'GET',
      path: '/v1/organizer/events/{id}',
      handler: 'get-own-event.ts',
      summary: 'One of your events with capacity, sold and remaining per tier',
      auth: true,
      request: { params: eventIdParams },
      responses: {
        200: { description: `Your event; ${DEGRADED}`, schema: organizerEventResponse },
        403: FORBIDDEN,
        404: { description: 'You have no event with this id' },
      },
      binds: { database: true, bucket: 'read', invokes: ['tickets.availability'] },
    },
    getEventAudit: {
      method: 'GET',
      path: '/v1/organizer/events/{id}/audit',
      handler: 'get-event-audit.ts',
      summary: 'Who changed what on an event, newest first (its organizer and managers)',
      auth: true,
      request: { params: eventIdParams, query: auditQuery },
      responses: {
        200: { description: 'A page of the audit', schema: auditPage },
        403: FORBIDDEN,
        404: { description: 'You have no event with this id' },
      },
      binds: { database: true },
    },
    inviteTeamMember: {
      method: 'POST',
      path: '/v1/organizer/team/invitations',
      handler: 'invite-team-member.ts',
      summary:
        'Invite someone by email to one of your events, or all of them, as manager (everything but cancelling) or check-in (scanning only)',
      auth: true,
      request: { body: inviteBody, maxBodyBytes: 2 * 1024 },
      responses: {
        201: {
          description: 'The pending invitation; an email carries its token',
          schema: invitationResponse,
        },
        404: { description: 'You have no event with this id' },
      },
      binds: TEAM_CHANGE,
    },
    getTeam: {
      method: 'GET',
      path: '/v1/organizer/team',
      handler: 'get-team.ts',
      summary:
        'Your team: members and pending invitations, of all your events or of one (with the all-events ones)',
      auth: true,
      request: { query: teamQuery },
      responses: {
        200: { description: 'The team', schema: teamResponse },
        404: { description: 'You have no event with this id' },
      },
      binds: { database: true },
    },
    changeTeamMember: {
      method: 'PATCH',
      path: '/v1/organizer/team/members/{id}',
      handler: 'change-team-member.ts',
      summary: 'Change a team member’s role',
      auth: true,
      request: { params: memberIdParams, body: memberRoleBody, maxBodyBytes: 1024 },
      responses: {
        200: { description: 'The member with their new role', schema: teamMemberResponse },
        404: { description: 'Your team has no member with this id' },
      },
      binds: TEAM_CHANGE,
    },
    removeTeamMember: {
      method: 'DELETE',
      path: '/v1/organizer/team/members/{id}',
      handler: 'remove-team-member.ts',
      summary: 'Take someone off your team; they lose access at once',
      auth: true,
      request: { params: memberIdParams },
      responses: {
        204: { description: 'Removed' },
        404: { description: 'Your team has no member with this id' },
      },
      binds: TEAM_CHANGE,
    },
    revokeTeamInvitation: {
      method: 'DELETE',
      path: '/v1/organizer/team/invitations/{id}',
      handler: 'revoke-team-invitation.ts',
      summary: 'Withdraw a pending invitation',
      auth: true,
      request: { params: invitationIdParams },
      responses: {
        204: { description: 'Withdrawn; its token no longer works' },
        404: { description: 'You have no pending invitation with this id' },
      },
      binds: { database: true },
    },
    acceptTeamInvitation: {
      method: 'POST',
      path: '/v1/team-invitations/accept',
      handler: 'accept-team-invitation.ts',
      summary: 'Join the team an invitation email names, with the token it carries, as the signed-in account',
      auth: true,
      request: { body: acceptInvitationBody, maxBodyBytes: 1024 },
      responses: {
        200: { description: 'Your membership', schema: teamMemberResponse },
        404: { description: 'No invitation has this token' },
        409: { description: 'The invitation is to your own team' },
        410: { description: 'Accepted already, withdrawn, declined or expired' },
      },
      binds: TEAM_CHANGE,
    },
    previewTeamInvitation: {
      method: 'POST',
      path: '/v1/team-invitations/preview',
      handler: 'preview-team-invitation.ts',
      summary: 'What an invitation token invites to (event, role) and whether it can still be answered',
      auth: true,
      request: { body: acceptInvitationBody, maxBodyBytes: 1024 },
      responses: {
        200: { description: 'The invitation', schema: invitationPreviewResponse },
        404: { description: 'No invitation has this token' },
      },
      binds: { database: true },
    },
    declineTeamInvitation: {
      method: 'POST',
      path: '/v1/team-invitations/decline',
      handler: 'decline-team-invitation.ts',
      summary: 'Decline an invitation; its token no longer works',
      auth: true,
      request: { body: acceptInvitationBody, maxBodyBytes: 1024 },
      responses: {
        204: { description: 'Declined' },
        404: { description: 'No invitation has this token' },
        410: { description: 'Accepted already, withdrawn, declined or expired' },
      },
      binds: { database: true },
    },
  },
  consumers: {
    accountDeleted: {
      queue: 'events-account-deletions',
      handler: 'account-deleted.consumer.ts',
      summary: 'Removes a deleted account from every event team it was on (announced as EventTeamChanged)',
      subscribesTo: [AUTH_EVENTS_TOPIC],
      binds: TEAM_CHANGE,
    },
  },
  functions: {
    organizerCommitments: {
      handler: 'organizer-commitments.internal.ts',
      summary:
        'The upcoming published events of an organizer (called by auth before an account is deleted: they must be cancelled first)',
      binds: { database: true },
    },
  },
  schedules: {
    relayOutbox: {
      name: 'events-relay-outbox',
      handler: 'relay-outbox.schedule.ts',
      summary: 'Publishes outbox messages a request could not publish itself',
      expression: 'rate(1 minute)',
      localEverySeconds: 5,
      binds: { database: true, publishes: [CATALOGUE_EVENTS_TOPIC] },
    },
  },
});
