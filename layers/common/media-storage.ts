// Media in the one bucket (event images, profile pictures): presigned POST forms for uploads, HeadObject to see
// what arrived, presigned GET links to show it, removal. The S3 modules load on first use, so a function that never
// touches media never evaluates them at cold start (importing layers/common/aws/s3 would, even dynamically).
import type { S3Client } from '@aws-sdk/client-s3';
import { region } from './aws/region';
import { once, optionalEnv, requireEnv } from './config';
import { ENV } from './env-names';

export interface MediaStorage {
  presignUpload(request: {
    key: string;
    contentType: string;
    maxBytes: number;
    expiresInSeconds: number;
  }): Promise<{ url: string; fields: Record<string, string> }>;
  /** What is stored under the key, or undefined when nothing is. */
  inspect(
    key: string,
  ): Promise<{ contentType: string | undefined; sizeBytes: number | undefined } | undefined>;
  viewUrl(key: string, expiresInSeconds: number): Promise<string>;
  remove(key: string): Promise<void>;
}

/** The S3 client, made on first use (shared with private-files.ts). */
export const lazyS3Client = once(async (): Promise<S3Client> => {
  const { S3Client } = await import('@aws-sdk/client-s3');
  // Emulators serve buckets by path (http://host:port/bucket/key); AWS by virtual host.
  return new S3Client({ region: region(), forcePathStyle: optionalEnv(ENV.s3ForcePathStyle) === 'true' });
});

export function s3MediaStorage(bucket: () => string = once(() => requireEnv(ENV.mediaBucket))): MediaStorage {
  const client = lazyS3Client;
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
