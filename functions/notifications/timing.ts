// How long a send may take, and what follows from it: when a claim left in "sending" is stale, and when SQS hands a
// message back for another try. One is defined from the other so a redelivery after a crash finds the claim stale.

/** The sending consumers' function timeout: Lambda (and the local runtime) end an attempt after this. */
export const SEND_TIMEOUT_SECONDS = 20;

/**
 * A claim older than this, never marked sent or failed, belongs to an attempt that can no longer be running (it
 * crashed, or its Lambda timed out mid-send): the function timeout plus a margin for clock skew between the function
 * and the database.
 */
export const STALE_CLAIM_MS = (SEND_TIMEOUT_SECONDS + 5) * 1_000;

/**
 * The sending queues' visibility timeout. A message received at t is claimed by t + timeout at the latest and comes
 * back at t + visibility timeout, when that claim is at least STALE_CLAIM_MS old: the first redelivery after a
 * crash sends the email instead of waiting out more receives (of which the DLQ allows only maxReceiveCount).
 * At least six times the timeout, as AWS asks of a Lambda event source: 120 s, well past the claim going stale.
 */
export const SEND_VISIBILITY_TIMEOUT_SECONDS = Math.max(
  SEND_TIMEOUT_SECONDS + STALE_CLAIM_MS / 1_000,
  // AWS's rule for Lambda SQS event sources (the CDK app refuses less): room for the poller's own retries.
  6 * SEND_TIMEOUT_SECONDS,
);
