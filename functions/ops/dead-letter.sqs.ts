// Where the shipper puts the log lines OpenSearch would not take: its dead-letter queue, as messages of at most
// ~200 KB, each holding documents ready to bulk-index again ({ reason, documents: [{ index, id, source }] }).
import { region } from '../../layers/common/aws/region';
import type { Undelivered } from './log-shipper';

/** Below SQS's 256 KiB message limit, with room for the envelope. */
const MAX_MESSAGE_BYTES = 200_000;
const MAX_MESSAGE_CHARS_PER_DOCUMENT = 150_000;

type SqsApi = {
  client: import('@aws-sdk/client-sqs').SQSClient;
  module: typeof import('@aws-sdk/client-sqs');
};
let sqs: Promise<SqsApi> | undefined;
// The configured endpoint, not the queue URL's host: the local emulator's "sqs.<region>.localhost" does not resolve.
const sqsApi = () =>
  (sqs ??= import('@aws-sdk/client-sqs').then((module) => ({
    module,
    client: new module.SQSClient({ region: region(), useQueueUrlAsEndpoint: false }),
  })));

/** Groups documents into message bodies under the size limit; a huge single line is cut to fit. */
export function deadLetterMessages(undelivered: readonly Undelivered[]): string[] {
  const bodies: string[] = [];
  let documents: string[] = [];
  let reasons = new Set<string>();
  let size = 0;
  const close = () => {
    if (documents.length === 0) return;
    bodies.push(`{"reasons":${JSON.stringify([...reasons])},"documents":[${documents.join(',')}]}`);
    documents = [];
    reasons = new Set();
    size = 0;
  };
  for (const item of undelivered) {
    let json = JSON.stringify(item.document);
    if (json.length > MAX_MESSAGE_CHARS_PER_DOCUMENT) {
      const message = String(item.document.source.message ?? '').slice(0, 10_000);
      json = JSON.stringify({
        ...item.document,
        source: { timestamp: item.document.source.timestamp, message, truncated: true },
      });
    }
    const bytes = Buffer.byteLength(json) + 1;
    if (size + bytes > MAX_MESSAGE_BYTES) close();
    documents.push(json);
    reasons.add(item.reason.slice(0, 300));
    size += bytes;
  }
  close();
  return bodies;
}

/** Sends the undelivered documents to the queue; throws if SQS refuses, so Lambda retries the whole event. */
export function sqsDeadLetter(queueUrl: string) {
  return async (undelivered: readonly Undelivered[]): Promise<void> => {
    const { client, module } = await sqsApi();
    for (const body of deadLetterMessages(undelivered)) {
      await client.send(new module.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
  };
}
