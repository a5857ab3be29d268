// Records of the access log (access.jsonl beside the journal, its own chain): every export and every
// verification of the run directory.
import { z } from 'zod';
import { WARNINGS, type WarningCode } from '../reasons.js';
import { VERIFY_RESULTS } from './codes.js';
import { count, keyFingerprint, sha256Hex } from './fields.js';

const WARNING_CODES = Object.keys(WARNINGS) as [WarningCode, ...WarningCode[]];

export const ExportSchema = z.strictObject({
  /** Where the bundle was written. */
  out: z.string(),
  files: count,
  report_sha256: sha256Hex,
  /** The key that signed the bundle, and its principal. */
  signer: keyFingerprint,
  principal: z.string(),
  closed_interrupted: z.boolean(),
});

export const VerifySchema = z.strictObject({ result: z.enum(VERIFY_RESULTS), warnings: z.array(z.enum(WARNING_CODES)) });
