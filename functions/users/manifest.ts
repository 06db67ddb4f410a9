// Users service: each user's own profile (names, email, picture), made from the auth service's registrations.
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { EXPORT_PARTS_QUEUE } from '../../events/contracts/privacy';
import { USERS_EVENTS_TOPIC } from '../../events/contracts/users';
import { defineService } from '../../layers/common/manifest';
import { dataExportResponse, exportIdParams } from './data-exports.schemas';
import { notificationPreferences } from './preferences.schemas';
import { pictureUploadBody, pictureUploadResponse, profileResponse, updateProfileBody } from './schemas';

export const users = defineService({
  service: 'users',
  description: 'User profiles, profile pictures and notification preferences.',
  database: true,
  topics: [USERS_EVENTS_TOPIC],
  routes: {
    getMe: {
      method: 'GET',
      path: '/v1/users/me',
      handler: 'get-me.ts',
      summary: "The caller's own profile",
      auth: true,
      responses: {
        200: { description: 'The profile; pictureUrl is a link valid for one hour', schema: profileResponse },
        403: { description: 'My account was deleted (type /problems/account-deleted)' },
        404: { description: 'The token carries no profile details and no registration has arrived' },
      },
      binds: { database: true, bucket: 'read' },
    },
    updateMe: {
      method: 'PATCH',
      path: '/v1/users/me',
      handler: 'update-me.ts',
      summary: "Changes the caller's names or picture",
      auth: true,
      request: {
        body: updateProfileBody,
        maxBodyBytes: 4 * 1024,
        example: { firstName: 'Ada', lastName: 'King' },
      },
      responses: {
        200: { description: 'The updated profile', schema: profileResponse },
        403: { description: 'My account was deleted (type /problems/account-deleted)' },
        404: { description: 'The token carries no profile details and no registration has arrived' },
        422: { description: 'The picture was not uploaded, or is not an allowed type or size' },
      },
      // readwrite: a replaced picture is removed.
      binds: { database: true, bucket: 'readwrite' },
    },
    createPictureUpload: {
      method: 'POST',
      path: '/v1/users/me/picture',
      handler: 'create-picture-upload.ts',
      summary: 'A presigned form to upload a new profile picture to',
      auth: true,
      request: { body: pictureUploadBody, maxBodyBytes: 1024, example: { contentType: 'image/jpeg' } },
      responses: {
        201: {
          description: 'Upload form: POST its fields and then the file to uploadUrl',
          schema: pictureUploadResponse,
        },
        403: { description: 'My account was deleted (type /problems/account-deleted)' },
        404: { description: 'The token carries no profile details and no registration has arrived' },
      },
      // Signs the upload form (s3:PutObject); the database says whether the account still has a profile.
      binds: { database: true, bucket: 'readwrite' },
    },
    getNotificationPreferences: {
      method: 'GET',
      path: '/v1/users/me/notification-preferences',
      handler: 'get-notification-preferences.ts',
      summary: 'The optional emails the caller chose',
      auth: true,
      responses: { 200: { description: 'The preferences', schema: notificationPreferences } },
      binds: { database: true },
    },
    setNotificationPreferences: {
      method: 'PUT',
      path: '/v1/users/me/notification-preferences',
      handler: 'set-notification-preferences.ts',
      summary:
        "Chooses the optional emails: an organizer's daily sales summary, and the time zone of its day",
      auth: true,
      request: {
        body: notificationPreferences,
        maxBodyBytes: 1024,
        example: { dailySalesSummary: true, timeZone: 'Europe/Paris' },
      },
      responses: {
        200: { description: 'The preferences as stored', schema: notificationPreferences },
        403: { description: 'My account was deleted (type /problems/account-deleted)' },
        404: { description: 'The token carries no profile details and no registration has arrived' },
      },
      binds: { database: true, publishes: [USERS_EVENTS_TOPIC] },
    },
    requestExport: {
      method: 'POST',
      path: '/v1/me/export',
      handler: 'request-export.ts',
      summary:
        'Starts a copy of my data (GDPR art. 15): profile, orders, tickets and emails sent, as one JSON file; poll it',
      auth: true,
      responses: {
        202: {
          description:
            'The export, pending (Location: /v1/me/export/{id}); while one is pending, that one is answered',
          schema: dataExportResponse,
        },
        403: { description: 'My account was deleted (type /problems/account-deleted)' },
      },
      binds: { database: true, bucket: 'read', publishes: [USERS_EVENTS_TOPIC] },
    },
    getExport: {
      method: 'GET',
      path: '/v1/me/export/{id}',
      handler: 'get-export.ts',
      summary: 'One of my data exports, with a download link (valid 5 minutes) once it is ready',
      auth: true,
      request: { params: exportIdParams },
      responses: {
        200: { description: 'The export', schema: dataExportResponse },
        404: { description: 'I have no export with this id' },
      },
      binds: { database: true, bucket: 'read' },
    },
  },
  consumers: {
    accountDeleted: {
      queue: 'users-account-deletions',
      handler: 'account-deleted.consumer.ts',
      summary: "Deletes a deleted account's profile, pictures and data exports, once",
      subscribesTo: [AUTH_EVENTS_TOPIC],
      binds: { database: true, bucket: 'readwrite' },
    },
    exportParts: {
      queue: EXPORT_PARTS_QUEUE,
      handler: 'export-parts.consumer.ts',
      summary: "Collects each service's part of a data export and writes the whole export once all are in",
      binds: { database: true, bucket: 'readwrite' },
    },
    profileFromRegistration: {
      queue: 'users-auth-events',
      handler: 'profile-from-registration.consumer.ts',
      summary: 'Creates the profile of each newly registered user, once',
      subscribesTo: [AUTH_EVENTS_TOPIC],
      binds: { database: true },
    },
  },
  schedules: {
    relayOutbox: {
      name: 'users-relay-outbox',
      handler: 'relay-outbox.schedule.ts',
      summary: 'Publishes outbox messages a request could not publish itself',
      expression: 'rate(1 minute)',
      localEverySeconds: 5,
      binds: { database: true, publishes: [USERS_EVENTS_TOPIC] },
    },
  },
});
