// Event images in the media bucket: presigned POST forms for uploads, HeadObject to see what arrived, presigned GET
// links to show them, removal of detached ones. The S3 modules load on first use, so reads without images never
// pay for them.
import type { S3Client } from '@aws-sdk/client-s3';
import { region } from '../../layers/common/aws/region';
import { once, optionalEnv } from '../../layers/common/config';
import type { ImageStorage } from './model';

/**
 * The S3 client, made on first use. Not layers/common/aws/s3: a bundle that imports that module (even dynamically)
 * gets a static import of @aws-sdk/client-s3, which every cold start of every events function would then evaluate.
 */
export const lazyS3Client = once(async (): Promise<S3Client> => {
  const { S3Client } = await import('@aws-sdk/client-s3');
  // Emulators serve buckets by path (http://host:port/bucket/key); AWS by virtual host.
  return new S3Client({ region: region(), forcePathStyle: optionalEnv('S3_FORCE_PATH_STYLE') === 'true' });
});

export function s3ImageStorage(options: {
  client: () => Promise<S3Client>;
  bucket: () => string;
}): ImageStorage {
  const { client, bucket } = options;
  return {
    async presignUpload({ key, contentType, maxBytes, expiresInSeconds }) {
      const { createPresignedPost } = await import('@aws-sdk/s3-presigned-post');
      const { url, fields } = await createPresignedPost(await client(), {
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
      const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
      try {
        const head = await (await client()).send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
        return { contentType: head.ContentType, sizeBytes: head.ContentLength };
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if ((error as Error).name === 'NotFound' || status === 404) return undefined;
        throw error;
      }
    },

    async viewUrl(key, expiresInSeconds) {
      const [{ GetObjectCommand }, { getSignedUrl }] = await Promise.all([
        import('@aws-sdk/client-s3'),
        import('@aws-sdk/s3-request-presigner'),
      ]);
      return getSignedUrl(await client(), new GetObjectCommand({ Bucket: bucket(), Key: key }), {
        expiresIn: expiresInSeconds,
      });
    },

    async remove(key) {
      const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
      await (await client()).send(new DeleteObjectCommand({ Bucket: bucket(), Key: key }));
    },
  };
}
