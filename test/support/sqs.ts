// An SQS event as Lambda's event source mapping hands it to a consumer, one record per body (unit tests).
import type { SQSEvent } from 'aws-lambda';

export const sqsEvent = (queueArn: string, ...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, index) => ({
    messageId: `sqs-${index}`,
    receiptHandle: `r-${index}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  })),
});
