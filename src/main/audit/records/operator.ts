// Records of what the operator decided, filled in or answered while the run went on: decision, fillin, trust.
import { z } from 'zod';
import { QUESTION_KINDS } from '../../../shared/run-api.js';
import { ANSWERED_BY, TIMER_EVENTS } from './codes.js';
import { count, stepId } from './fields.js';

/** A decision step answered with one of the options the runbook offers. */
export const DecisionSchema = z.strictObject({ step: stepId, decision: z.string(), note: z.string().nullable(), by: z.string() });

/**
 * (Format 2.) A step's timer, kept by the host: a time box ("for 15 minutes") or a repeating check ("every 2
 * minutes"), started or stopped by the operator (`by`: their name) or the host (`by`: "host", also when the run
 * is sealed); due (its time is up); a repeat's run started, or, for a check done by hand, a reminder. `runs`:
 * how many runs or reminders the timer has made so far.
 */
export const TimerSchema = z.strictObject({ step: stepId, kind: z.enum(['timebox', 'repeat']), event: z.enum(TIMER_EVENTS), text: z.string(), runs: count, by: z.string() });

/** A blank of the step filled in. */
export const FillinSchema = z.strictObject({ step: stepId, label: z.string(), value: z.string() });

/**
 * A question the host asked while a step ran (trust a host key, type a protected target's name, give a value)
 * and its answer: yes or no, or that a name was typed or a value given — never what (it may be a passphrase).
 */
export const TrustSchema = z.strictObject({
  question: z.string(),
  kind: z.enum(QUESTION_KINDS),
  /** The question as asked (null for a secret's). */
  text: z.string().nullable(),
  answer: z.union([z.boolean(), z.enum(['(typed)', '(given)'])]),
  by: z.enum(ANSWERED_BY),
});
