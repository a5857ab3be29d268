// A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI (EC P-256
// keys: fast to generate), for fakes that speak HTTPS the way a real API server does.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA named `name` in dir/<name>.crt and .key. */
export function makeCa(dir: string, name: string): { caFile: string; caKey: string } {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { caFile: path.join(dir, `${name}.crt`), caKey: path.join(dir, `${name}.key`) };
}

/** A CA plus a server certificate it signed, valid for 127.0.0.1 and localhost. */
export function makeServerTls(dir: string): TlsFiles {
  const { caFile, caKey } = makeCa(dir, 'ca');
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext']);
  return { caFile, certFile: path.join(dir, 'server.crt'), keyFile: path.join(dir, 'server.key') };
}
