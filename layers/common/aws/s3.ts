// The S3 client, created once per container. One module per client, so a function loads only the SDK it uses.
import { S3Client } from '@aws-sdk/client-s3';
import { once, optionalEnv } from '../config';
import { ENV } from '../env-names';
import { region } from './region';

/** Emulators serve buckets by path (http://host:port/bucket/key); AWS by virtual host. */
export const s3Client = once(
  () => new S3Client({ region: region(), forcePathStyle: optionalEnv(ENV.s3ForcePathStyle) === 'true' }),
);
