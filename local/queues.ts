// Polls each consumer's queue and invokes its function with SQS batch semantics, as Lambda's event source mapping
// does: up to batchSize records per invocation, the records the function reports failed (or all of them, when it
// throws) stay in the queue and come back after the visibility timeout, the rest are deleted.
//
// On AWS, consumers run in their own execution environments and never take CPU from the API's. Locally they share
// one process (and the machine's cores) with the gateway, so a poller can be told to yield: while `busy()` says the
// API is serving a burst, it waits before taking its next batch, for at most `maxYieldMs`, so queue work goes on
// (later, or about one batch per `maxYieldMs` under sustained load) but never starves. A poller already waiting on
// its queue when a burst starts still handles the batch that wait returns.

import type { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FunctionLimits } from '../layers/common/function-defaults';
import { type AnyHandler, invoke, lambdaContext } from './lambda';

export interface PollTarget extends FunctionLimits {
  functionName: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  handler: AnyHandler;
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [
        key,
        { dataType: value.DataType ?? 'String', stringValue: value.StringValue },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export interface YieldPolicy {
  /** True while the pollers should let the API have the CPU. */
  busy: () => boolean;
  /** The longest a poller waits for `busy()` to clear before it takes its next batch anyway. */
  maxYieldMs: number;
}

const YIELD_STEP_MS = 10;

/** Starts one polling loop per target; the returned function stops them and waits for in-flight batches. */
export function startPollers(
  sqs: SQSClient,
  targets: PollTarget[],
  onError: (error: unknown) => void,
  yieldTo?: YieldPolicy,
) {
  let running = true;
  const controller = new AbortController();
  const yieldToApi = async () => {
    if (!yieldTo) return;
    const until = Date.now() + yieldTo.maxYieldMs;
    while (running && yieldTo.busy() && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, YIELD_STEP_MS));
  };
  const loops = targets.map(async (target) => {
    while (running) {
      try {
        await yieldToApi();
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: target.queueUrl,
            MaxNumberOfMessages: Math.min(target.batchSize, 10),
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: controller.signal },
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) continue;
        const event: SQSEvent = { Records: messages.map((message) => toRecord(message, target.queueArn)) };
        let failed: Set<string>;
        try {
          const context = lambdaContext(target.functionName, target);
          const response = await invoke<SQSBatchResponse | undefined>(
            target.handler,
            event,
            context,
            target.timeoutSeconds,
          );
          failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        } catch (error) {
          onError(error);
          failed = new Set(messages.map((message) => message.MessageId ?? ''));
        }
        const done = messages.filter((message) => !failed.has(message.MessageId ?? ''));
        if (done.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: target.queueUrl,
              Entries: done.map((message, index) => ({
                Id: String(index),
                ReceiptHandle: message.ReceiptHandle ?? '',
              })),
            }),
          );
        }
      } catch (error) {
        if (!running) break;
        onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  });
  return async () => {
    running = false;
    controller.abort();
    await Promise.allSettled(loops);
  };
}
