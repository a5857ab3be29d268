// Records of second-person signatures: `approval` (RESTRICTED: a signature over a step.started line, granted,
// refused with its code, or withdrawn) and `signoff` (a sign-off row signed with the signer's SSH key,
// accepted or refused with its code). docs/audit.md, "Approvals" and "Sign-offs", says how they are checked.
import { z } from 'zod';
import { SIGNOFF_NAMESPACE } from '../../../shared/signoff.js';
import { APPROVAL_REFUSAL_CODES, APPROVAL_UNANSWERED, SIGNOFF_METHODS, SIGNOFF_REFUSAL_CODES } from './codes.js';
import { blockId, keyFingerprint, keyLine, recordRef, sha256Hex, stepId } from './fields.js';

export const APPROVAL_NAMESPACE = 'runbook-console-approval' as const;

/** The block approved: its step.started record (seq, and the SHA-256 of its line: the signed message). */
const approving = { step: stepId, block: blockId, started: recordRef };
/** What a signature offered was checked as: the namespace, the signed message (= started.sha256), the approvers list. */
const checked = { namespace: z.literal(APPROVAL_NAMESPACE), message: sha256Hex, approvers_sha256: sha256Hex };

/** (Format 4.) The team store login that delivered the signature, when it came through the store (docs/store.md). */
const delivered = { store_login: z.string().optional() };

const Granted = z.strictObject({
  ...approving,
  ...delivered,
  approver: z.string(),
  granted: z.literal(true),
  principal: z.string(),
  key: keyLine,
  fingerprint: keyFingerprint,
  signature: z.string(),
  ...checked,
});

/** A signature offered and refused: `key`, `fingerprint` and `signature` are null when the signature could not be read. */
const Refused = z.strictObject({
  ...approving,
  ...delivered,
  approver: z.string(),
  granted: z.literal(false),
  code: z.enum(APPROVAL_REFUSAL_CODES),
  reason: z.string(),
  key: keyLine.nullable(),
  fingerprint: keyFingerprint.nullable(),
  signature: z.string().nullable(),
  ...checked,
});

/**
 * The request ended with nothing granted: withdrawn by the operator (or the step cancelled), or (format 4)
 * timed out, no valid approval having arrived while it was open. No signature is in it.
 */
const Unanswered = z.strictObject({ ...approving, approver: z.null(), granted: z.literal(false), code: z.enum(APPROVAL_UNANSWERED), reason: z.string() });

export const ApprovalSchema = z.discriminatedUnion('granted', [Granted, z.discriminatedUnion('code', [Refused, Unanswered])]);

/** The row signed, what the signer gave, and the exact message signed (shared/signoff.ts, signoffMessage). */
const signing = {
  step: stepId,
  name: z.string(),
  role: z.string(),
  date: z.string(),
  principal: z.string(),
  signs: recordRef,
  namespace: z.literal(SIGNOFF_NAMESPACE),
  message: z.string(),
  method: z.enum(SIGNOFF_METHODS),
};

const Accepted = z.strictObject({ ...signing, accepted: z.literal(true), key: keyLine, fingerprint: keyFingerprint, signature: z.string() });
const SignoffRefused = z.strictObject({
  ...signing,
  accepted: z.literal(false),
  code: z.enum(SIGNOFF_REFUSAL_CODES),
  reason: z.string(),
  key: keyLine.nullable(),
  fingerprint: keyFingerprint.nullable(),
  signature: z.string().nullable(),
});

export const SignoffSchema = z.discriminatedUnion('accepted', [Accepted, SignoffRefused]);
