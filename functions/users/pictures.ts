// Profile pictures in the media bucket: presigned POST forms for uploads, HeadObject to see what arrived,
// presigned GET links to show them, and removal of replaced ones.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PictureStorage } from './profiles';

export function s3PictureStorage(options: { client: () => S3Client; bucket: () => string }): PictureStorage {
  const { client, bucket } = options;
  return {
    async presignUpload({ key, contentType, maxBytes, expiresInSeconds }) {
      // Loaded on first use: only the upload route signs forms, the profile reads need not load it.
      const { createPresignedPost } = await import('@aws-sdk/s3-presigned-post');
      const { url, fields } = await createPresignedPost(client(), {
        Bucket: bucket(),
        Key: key,
        // S3 refuses the upload unless the file is within the size range and declares exactly this type.
        Conditions: [
          ['content-length-range', 1, maxBytes],
          ['eq', '$Content-Type', contentType],
        ],
        Fields: { 'Content-Type': contentType },
        Expires: expiresInSeconds,
      });
      return { url, fields };
    },

    async inspect(key) {
      try {
        const head = await client().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
        return { contentType: head.ContentType, sizeBytes: head.ContentLength };
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if ((error as Error).name === 'NotFound' || status === 404) return undefined;
        throw error;
      }
    },

    viewUrl(key, expiresInSeconds) {
      return getSignedUrl(client(), new GetObjectCommand({ Bucket: bucket(), Key: key }), {
        expiresIn: expiresInSeconds,
      });
    },

    async remove(key) {
      await client().send(new DeleteObjectCommand({ Bucket: bucket(), Key: key }));
    },
  };
}
