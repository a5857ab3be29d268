// Records the journal itself needs: checkpoint (a seal), log.recovered (a torn tail set aside after a crash)
// and error (a journal write that failed, recorded by recovery).
import { z } from 'zod';
import { ERROR_CAUSES, SEAL_REASONS } from './codes.js';
import { count, hashBase64, seq, sha256Hex, utcTime } from './fields.js';
import { RECORD_TYPES } from './types.js';

/** A C2SP checkpoint of the records before it, signed by the installation key, extending the previous one. */
export const CheckpointSchema = z.strictObject({
  origin: z.string(),
  size: count,
  root: hashBase64,
  /** The checkpoint text the signature covers. */
  text: z.string(),
  signature: z.string(),
  /** The installation's public key line. */
  signer: z.string(),
  previous: z.strictObject({ size: count, root: hashBase64 }).nullable(),
  consistency_proof: z.array(hashBase64),
  reason: z.enum(SEAL_REASONS),
  retention_days: count.nullable(),
});

export const LogRecoveredSchema = z.strictObject({ offset: count, bytes: count, sha256: sha256Hex, file: z.string() });

export const ErrorSchema = z.strictObject({
  cause: z.enum(ERROR_CAUSES),
  /** The failure note's id (recorded once, however often recovery is run). */
  note_id: z.string(),
  /** The record that could not be written. */
  seq,
  record_type: z.enum(RECORD_TYPES),
  /** The errno code (ENOSPC, EIO), when the system gave one. */
  code: z.string().nullable(),
  message: z.string(),
  at: utcTime,
});
