// libpq's sslmode mapped onto node-postgres' `ssl` option (the tls.connect options it passes through).
//
// pg's own sslmode handling (pg-connection-string) treats prefer/require/verify-ca as verify-full unless
// `uselibpqcompat` is set, and pg has no "prefer" fallback at all, so we do not hand it an sslmode: we build
// the tls options ourselves, with libpq's meaning:
//   disable      no TLS
//   prefer       TLS without verification when the server offers it, else plain (libpq's default)
//   require      TLS, no verification — unless a CA file is given: then like verify-ca, as libpq does
//   verify-ca    TLS, the chain must lead to the CA file; the host name is not checked
//   verify-full  TLS, chain and host name (Node's checkServerIdentity: SAN DNS names and IP addresses)
// With verify-* the CA file replaces Node's bundled roots (`ca`), so only that CA is trusted.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { PostgresTarget } from '../../../shared/targets.js';

export type SslMode = NonNullable<PostgresTarget['sslmode']>;

export interface TlsPlan {
  mode: SslMode;
  /** pg's `ssl` option for the first attempt. */
  ssl: false | ConnectionOptions;
  /** prefer: when the server answers that it has no TLS, connect again without it. */
  plainFallback: boolean;
  /** The CA file in use (resolved), if any. */
  caFile: string | null;
  /** What the certificate check covers, for the notes: "chain and host name (verify-full)". */
  verification: string;
}

export class TlsConfigError extends Error {}

/** Unix-socket hosts carry no TLS; libpq ignores sslmode for them, and so do we. */
export function isSocketHost(host: string): boolean {
  return host.startsWith('/');
}

export function planTls(config: PostgresTarget, baseDir: string): TlsPlan {
  const mode: SslMode = config.sslmode ?? 'prefer';
  const caFile = config.sslrootcert ? path.resolve(baseDir, config.sslrootcert) : null;
  if (isSocketHost(config.host)) {
    return { mode, ssl: false, plainFallback: false, caFile: null, verification: 'none (Unix socket: no TLS)' };
  }
  const readCa = (): Buffer => {
    if (!caFile) throw new TlsConfigError(`sslmode ${mode} needs sslrootcert (the CA file that signed the server's certificate)`);
    try {
      return readFileSync(caFile);
    } catch (error) {
      throw new TlsConfigError(`cannot read sslrootcert ${caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  // No SNI or identity check unless asked for: checkServerIdentity runs only after the chain was accepted.
  const noHostCheck = { checkServerIdentity: () => undefined };
  switch (mode) {
    case 'disable':
      return { mode, ssl: false, plainFallback: false, caFile: null, verification: 'none (sslmode disable)' };
    case 'prefer':
      return { mode, ssl: { rejectUnauthorized: false }, plainFallback: true, caFile: null, verification: 'none (sslmode prefer)' };
    case 'require':
      if (caFile) {
        return { mode, ssl: { ca: readCa(), rejectUnauthorized: true, ...noHostCheck }, plainFallback: false, caFile, verification: `chain against ${caFile} (sslmode require with sslrootcert, as libpq: like verify-ca)` };
      }
      return { mode, ssl: { rejectUnauthorized: false }, plainFallback: false, caFile: null, verification: 'none (sslmode require: encrypted, not verified)' };
    case 'verify-ca':
      return { mode, ssl: { ca: readCa(), rejectUnauthorized: true, ...noHostCheck }, plainFallback: false, caFile, verification: `chain against ${caFile}, host name not checked (verify-ca)` };
    case 'verify-full':
      // Without sslrootcert, Node's bundled public roots are used (a server with a public certificate).
      return caFile
        ? { mode, ssl: { ca: readCa(), rejectUnauthorized: true }, plainFallback: false, caFile, verification: `chain against ${caFile} and host name (verify-full)` }
        : { mode, ssl: { rejectUnauthorized: true }, plainFallback: false, caFile: null, verification: "chain against Node's public roots and host name (verify-full)" };
  }
}
