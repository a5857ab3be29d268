// Records of what the operator decided, filled in or answered while the run went on: decision, fillin, trust.
import { z } from 'zod';
import { QUESTION_KINDS } from '../../../shared/run-api.js';
import { ANSWERED_BY } from './codes.js';
import { stepId } from './fields.js';

/** A decision step answered with one of the options the runbook offers. */
export const DecisionSchema = z.strictObject({ step: stepId, decision: z.string(), note: z.string().nullable(), by: z.string() });

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
