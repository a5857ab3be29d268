// Field shapes the record schemas share. Every object is strict (z.strictObject): a field the format does not
// define is an error, not something to skip (why: records/index.ts). No schema transforms or defaults a value,
// so what parses is exactly what was read: a reader may keep the record it parsed as it is.
import { z } from 'zod';

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256: 64 lowercase hex digits');
/** A Merkle root or other 32-byte hash in base64 (RFC 9162, C2SP checkpoints). */
export const hashBase64 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected a 32-byte hash in base64');
/** A file in the run directory's blob store, named by its SHA-256. */
export const blobPath = z.string().regex(/^blobs\/[0-9a-f]{64}$/, 'expected a blob path: blobs/<sha256>');
export const seq = z.number().int().nonnegative();
export const count = z.number().int().nonnegative();
export const milliseconds = z.number().nonnegative();
/** UTC, RFC 3339 with milliseconds, as Date.toISOString() gives it. */
export const utcTime = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'expected a UTC time such as 2026-01-02T03:04:05.678Z');
/** An SSH public key as `type base64`, without a comment. */
export const keyLine = z.string().regex(/^[a-z][a-z0-9@.-]* [A-Za-z0-9+/]+={0,2}$/, 'expected an SSH public key: type base64');
/** An SSH key fingerprint as ssh-keygen -l prints it. */
export const keyFingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'expected a key fingerprint: SHA256:<43 base64 characters>');

/** A journal record by sequence number and the SHA-256 of its line (what approvals and sign-offs sign). */
export const recordRef = z.strictObject({ seq, sha256: sha256Hex });
export const stepId = z.strictObject({ id: z.string() });
export const blockId = z.strictObject({ id: z.string() });

/**
 * `record`, also checking a "__proto__" key: zod 4's $ZodRecord skips that key unchecked, and JSON.parse makes it
 * an own key like any other, so without this a record could carry any value under it.
 */
export function protoChecked<T extends z.ZodRecord<z.core.$ZodRecordKey, z.ZodType>>(record: T) {
  // The check reads the input: the record's output no longer holds the key.
  const input = z.custom<z.input<T>>().superRefine((data, ctx) => {
    if (typeof data !== 'object' || data === null || !Object.prototype.hasOwnProperty.call(data, '__proto__')) return;
    if (!z.safeParse(record.keyType, '__proto__').success) ctx.addIssue({ code: 'custom', message: 'the key "__proto__" is not one the format names', path: ['__proto__'] });
    else if (!record.valueType.safeParse((data as Record<string, unknown>)['__proto__']).success) ctx.addIssue({ code: 'custom', message: 'the value under "__proto__" does not fit', path: ['__proto__'] });
  });
  return input.pipe(record as unknown as z.ZodType<z.output<T>, z.input<T>>);
}
