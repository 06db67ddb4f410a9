// Users service: each user's own profile (names, email, picture), made from the auth service's registrations.
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { defineService } from '../../layers/common/manifest';
import { pictureUploadBody, pictureUploadResponse, profileResponse, updateProfileBody } from './schemas';

export const users = defineService({
  service: 'users',
  description: 'User profiles and profile pictures.',
  database: true,
  routes: {
    getMe: {
      method: 'GET',
      path: '/v1/users/me',
      handler: 'get-me.ts',
      summary: "The caller's own profile",
      auth: true,
      responses: {
        200: { description: 'The profile; pictureUrl is a link valid for one hour', schema: profileResponse },
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
      request: { body: updateProfileBody, maxBodyBytes: 4 * 1024 },
      responses: {
        200: { description: 'The updated profile', schema: profileResponse },
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
      request: { body: pictureUploadBody, maxBodyBytes: 1024 },
      responses: {
        201: {
          description: 'Upload form: POST its fields and then the file to uploadUrl',
          schema: pictureUploadResponse,
        },
      },
      // Signs the upload form (s3:PutObject); needs no database.
      binds: { bucket: 'readwrite' },
    },
  },
  consumers: {
    profileFromRegistration: {
      queue: 'users-auth-events',
      handler: 'profile-from-registration.consumer.ts',
      summary: 'Creates the profile of each newly registered user, once',
      subscribesTo: [AUTH_EVENTS_TOPIC],
      binds: { database: true },
    },
  },
});
