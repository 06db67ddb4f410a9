// Which passwords are too easy to guess: zxcvbn's estimate (common passwords, keyboard patterns, dates, repeats, and
// the user's own name and email), refused below score 3, about 10^8 guesses. The length rules stay in schemas.ts.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { once } from '../../layers/common/config';

const MIN_SCORE = 3;

const estimator = once(() => new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs }));

const REASONS: Record<string, string> = {
  topTen: 'it is one of the most common passwords',
  topHundred: 'it is one of the most common passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is a common password with small changes',
  userInputs: 'it contains your name or email',
  straightRow: 'it is a row of keys on the keyboard',
  keyPattern: 'it is a keyboard pattern',
  simpleRepeat: 'it repeats characters',
  extendedRepeat: 'it repeats a pattern',
  sequences: 'it is a sequence such as abc or 123',
  recentYears: 'it is or contains a recent year',
  dates: 'it is or contains a date',
};

/** Why a password is too easy to guess, as a sentence for the user; undefined when it is strong enough. */
export function weakPasswordReason(password: string, userInputs: string[] = []): string | undefined {
  const inputs = userInputs
    .flatMap((input) => [input, ...input.split(/[@.\s_-]+/)])
    .filter((input) => input.length > 2);
  const result = estimator().check(password, inputs);
  if (result.score >= MIN_SCORE) return undefined;
  const why = REASONS[result.feedback.warning ?? ''] ?? 'it would be easy to guess';
  return `Choose a password that is harder to guess: ${why}. A few unrelated words make a strong one.`;
}
