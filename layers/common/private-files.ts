// Private JSON documents in the media bucket (data exports and their parts): written and read by functions only,
// handed to their owner through a short-lived presigned link, removed by prefix. The S3 modules load on first use.
import { once, requireEnv } from './config';
import { ENV } from './env-names';
import { lazyS3Client } from './media-storage';

export interface PrivateFiles {
  putJson(key: string, value: unknown): Promise<void>;
  getJson(key: string): Promise<unknown>;
  /** A link that downloads the object as `filename`, valid for `expiresInSeconds`. */
  downloadUrl(key: string, filename: string, expiresInSeconds: number): Promise<string>;
  /** Removes every object whose key starts with the prefix; answers how many there were. */
  removePrefix(prefix: string): Promise<number>;
}

export function s3PrivateFiles(bucket: () => string = once(() => requireEnv(ENV.mediaBucket))): PrivateFiles {
  const client = lazyS3Client;
  return {
    async putJson(key, value) {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      await (await client()).send(
        new PutObjectCommand({
          Bucket: bucket(),
          Key: key,
          Body: JSON.stringify(value),
          ContentType: 'application/json',
        }),
      );
    },

    async getJson(key) {
      const { GetObjectCommand } = await import('@aws-sdk/client-s3');
      const object = await (await client()).send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
      return JSON.parse((await object.Body?.transformToString('utf8')) ?? 'null');
    },

    async downloadUrl(key, filename, expiresInSeconds) {
      const [{ GetObjectCommand }, { getSignedUrl }] = await Promise.all([
        import('@aws-sdk/client-s3'),
        import('@aws-sdk/s3-request-presigner'),
      ]);
      const command = new GetObjectCommand({
        Bucket: bucket(),
        Key: key,
        ResponseContentDisposition: `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`,
        ResponseContentType: 'application/json',
      });
      return getSignedUrl(await client(), command, { expiresIn: expiresInSeconds });
    },

    async removePrefix(prefix) {
      const { DeleteObjectCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
      const s3 = await client();
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
        // One delete per object: a user has a handful, and every S3 emulator answers DeleteObject.
        await Promise.all(keys.map((Key) => s3.send(new DeleteObjectCommand({ Bucket: bucket(), Key }))));
        removed += keys.length;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return removed;
    },
  };
}
