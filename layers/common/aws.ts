// AWS SDK clients, created once per container. All honour AWS_ENDPOINT_URL (the SDK reads it), so the same code
// talks to AWS, to the local emulator (fauxqs) or to LocalStack.
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { once, optionalEnv } from './config';

const region = () => optionalEnv('AWS_REGION', optionalEnv('AWS_DEFAULT_REGION', 'us-east-1'));

export const sqsClient = once(() => new SQSClient({ region: region() }));
export const snsClient = once(() => new SNSClient({ region: region() }));
/** Emulators serve buckets by path (http://host:port/bucket/key); AWS by virtual host. */
export const s3Client = once(
  () => new S3Client({ region: region(), forcePathStyle: optionalEnv('S3_FORCE_PATH_STYLE') === 'true' }),
);
