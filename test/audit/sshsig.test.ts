// SSHSIG against the real OpenSSH: what we sign, `ssh-keygen -Y verify` accepts (and for deterministic
// key types is byte-identical to `ssh-keygen -Y sign`); what ssh-keygen signs, we verify; and the
// verifier says no, with the reason, to every altered input.
import { createHash, createPrivateKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { agentSigner, keyFileSigner, sshKeygenSigner } from '../../src/main/audit/ssh-signers.js';
import { mpint, sshString, uint32 } from '../../src/main/audit/ssh-wire.js';
import {
  SshsigError,
  armorSshsig,
  encodeSshsig,
  parseSshsig,
  signSshsig,
  sshsigSignedData,
  verifySshsig,
} from '../../src/main/audit/sshsig.js';
import { HAVE_SSH_AGENT, HAVE_SSH_KEYGEN, type TestAgent, type TestKey, keygenSign, keygenVerify, makeKey, skipReason, startAgent, tempDir } from './ssh-tools.js';

const NS = 'runbook-checkpoint@runbook-console';
const DATA = Buffer.from('example.org/run/1234\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n');

describe.skipIf(skipReason('SSHSIG interoperability tests', HAVE_SSH_KEYGEN))('SSHSIG with OpenSSH', () => {
  const tmp = tempDir('sshsig-');
  let ed25519: TestKey;
  let rsa: TestKey;
  let ecdsa: TestKey;
  let other: TestKey;

  beforeAll(() => {
    ed25519 = makeKey(tmp.dir, 'ed25519', 'ed25519');
    rsa = makeKey(tmp.dir, 'rsa', 'rsa', 'correct horse');
    ecdsa = makeKey(tmp.dir, 'ecdsa', 'ecdsa');
    other = makeKey(tmp.dir, 'other', 'ed25519');
  });
  afterAll(() => tmp.remove());

  const allowed = (key: TestKey, principal = 'sealer@example.org') => `${formatAllowedSigner({ principals: [principal], namespaces: [NS], publicKey: key.publicKeyLine })}\n`;
  const acceptedBySshKeygen = (key: TestKey, signature: string, data = DATA) =>
    keygenVerify(tmp.dir, { principal: 'sealer@example.org', namespace: NS, allowedSigners: allowed(key), signature, data });

  describe('signing from key files', () => {
    it('Ed25519: byte-identical to ssh-keygen -Y sign, and ssh-keygen -Y verify accepts it', async () => {
      const sig = await signSshsig(DATA, NS, await keyFileSigner(ed25519.file));
      expect(sig).toBe(keygenSign(ed25519, NS, DATA));
      const check = acceptedBySshKeygen(ed25519, sig);
      expect(check.stdout).toMatch(/^Good "runbook-checkpoint@runbook-console" signature for sealer@example.org with ED25519 key/);
      expect(check.status).toBe(0);
    });

    it('RSA from a passphrase-protected file: rsa-sha2-512, byte-identical to ssh-keygen, accepted by it', async () => {
      const sig = await signSshsig(DATA, NS, await keyFileSigner(rsa.file, 'correct horse'));
      expect(sig).toBe(keygenSign(rsa, NS, DATA, 'correct horse'));
      expect(parseSshsig(sig).signature.subarray(4, 4 + 12).toString()).toBe('rsa-sha2-512');
      expect(acceptedBySshKeygen(rsa, sig).status).toBe(0);
    });

    it('ECDSA (randomised, so only verified): ssh-keygen -Y verify accepts it', async () => {
      const sig = await signSshsig(DATA, NS, await keyFileSigner(ecdsa.file));
      expect(acceptedBySshKeygen(ecdsa, sig).status).toBe(0);
    });

    it('a protected key without its passphrase, or with a wrong one, is refused with the reason', async () => {
      await expect(keyFileSigner(rsa.file)).rejects.toThrow(/no passphrase given/);
      await expect(keyFileSigner(rsa.file, 'wrong')).rejects.toThrow(/bad passphrase/);
      await expect(keyFileSigner(`${ed25519.file}.pub`)).rejects.toThrow(/public key/);
    });

    it('ssh-keygen -Y verify rejects our signature for other data, namespace or principal key', async () => {
      const sig = await signSshsig(DATA, NS, await keyFileSigner(ed25519.file));
      expect(acceptedBySshKeygen(ed25519, sig, Buffer.from('other data')).status).not.toBe(0);
      expect(acceptedBySshKeygen(other, sig).status).not.toBe(0);
      const wrongNs = keygenVerify(tmp.dir, { principal: 'sealer@example.org', namespace: 'file', allowedSigners: `sealer@example.org ${ed25519.publicKeyLine}\n`, signature: sig, data: DATA });
      expect(wrongNs.status).not.toBe(0);
    });

    it('refuses an empty namespace (PROTOCOL.sshsig forbids it)', async () => {
      await expect(signSshsig(DATA, '', await keyFileSigner(ed25519.file))).rejects.toThrow(SshsigError);
    });
  });

  describe('the ssh-keygen fallback signer', () => {
    it('signs through ssh-keygen -Y sign (same bytes as the in-process signer for Ed25519)', async () => {
      const viaKeygen = await signSshsig(DATA, NS, sshKeygenSigner({ keyFile: ed25519.file }));
      expect(viaKeygen).toBe(await signSshsig(DATA, NS, await keyFileSigner(ed25519.file)));
    });

    it('reports ssh-keygen failing, with its message', async () => {
      await expect(signSshsig(DATA, NS, sshKeygenSigner({ keyFile: path.join(tmp.dir, 'missing') }))).rejects.toThrow(/ssh-keygen -Y sign failed \(exit \d+\): .+/);
      await expect(signSshsig(DATA, NS, sshKeygenSigner({ keyFile: ed25519.file, sshKeygen: path.join(tmp.dir, 'no-such-ssh-keygen') }))).rejects.toThrow(/could not run ssh-keygen/);
    });

    it('refuses output that does not verify (a producer that signed other data)', async () => {
      const liar = { signSshsig: (_data: Buffer, ns: string) => Promise.resolve(keygenSign(ed25519, ns, Buffer.from('something else'))) };
      await expect(signSshsig(DATA, NS, liar)).rejects.toThrow(/does not verify/);
    });
  });

  describe('verifying', () => {
    it('accepts what ssh-keygen -Y sign produced, for Ed25519, RSA and ECDSA keys', () => {
      for (const [key, pass] of [[ed25519, undefined], [rsa, 'correct horse'], [ecdsa, undefined]] as const) {
        const result = verifySshsig(DATA, keygenSign(key, NS, DATA, pass), NS, key.publicKeyLine);
        expect(result, key.file).toMatchObject({ ok: true, namespace: NS });
      }
    });

    it('rejects the wrong namespace, altered data and another key, saying which', () => {
      const sig = keygenSign(ed25519, NS, DATA);
      expect(verifySshsig(DATA, sig, 'file', ed25519.publicKeyLine)).toMatchObject({ ok: false, code: 'namespace' });
      const altered = Buffer.from(DATA);
      altered.writeUInt8(altered.readUInt8(0) ^ 1, 0);
      expect(verifySshsig(altered, sig, NS, ed25519.publicKeyLine)).toMatchObject({ ok: false, code: 'signature' });
      expect(verifySshsig(DATA, sig, NS, other.publicKeyLine)).toMatchObject({ ok: false, code: 'key-mismatch', message: expect.stringMatching(/made by ssh-ed25519 SHA256:/) });
    });

    it('rejects a signature re-labelled with the expected key (the embedded key is not trusted)', () => {
      const sig = parseSshsig(keygenSign(other, NS, DATA));
      const relabelled = armorSshsig(encodeSshsig({ ...sig, publicKey: parsePublicKeyLine(ed25519.publicKeyLine).blob }));
      expect(verifySshsig(DATA, relabelled, NS, ed25519.publicKeyLine)).toMatchObject({ ok: false, code: 'signature' });
    });

    it('rejects a valid RSA signature made with SHA-1 (ssh-rsa), as ssh-keygen does', async () => {
      const parsed = ssh2.utils.parseKey(readFileSync(rsa.file), 'correct horse') as ParsedKey;
      const publicKey = parsed.getPublicSSH();
      const sha1 = cryptoSign('sha1', sshsigSignedData(NS, 'sha512', DATA), createPrivateKey(parsed.getPrivatePEM()));
      const signature = Buffer.concat([sshString('ssh-rsa'), sshString(sha1)]);
      const armored = armorSshsig(encodeSshsig({ publicKey, namespace: NS, hashAlgorithm: 'sha512', signature }));
      expect(verifySshsig(DATA, armored, NS, rsa.publicKeyLine)).toMatchObject({ ok: false, code: 'signature', message: expect.stringMatching(/ssh-rsa is not accepted/) });
      expect(acceptedBySshKeygen(rsa, armored).status).not.toBe(0);
    });

    it('fails tampered armour with a clear error', () => {
      const sig = keygenSign(ed25519, NS, DATA);
      const lines = sig.split('\n');
      const cases: [string, string, RegExp][] = [
        ['no header', lines.slice(1).join('\n'), /must start with "-----BEGIN SSH SIGNATURE-----"/],
        ['no footer', lines.slice(0, -2).join('\n'), /must end with "-----END SSH SIGNATURE-----"/],
        ['a line dropped', [...lines.slice(0, 2), ...lines.slice(3)].join('\n'), /armour|malformed|truncated/i],
        ['junk in the body', sig.replace(lines[1] as string, `${(lines[1] as string).slice(0, 10)}*${(lines[1] as string).slice(11)}`), /other than base64/],
        ['CRLF line ends', sig.replace(/\n/g, '\r\n'), /must start with/],
        ['empty', '', /must start with/],
      ];
      for (const [name, text, message] of cases) {
        const result = verifySshsig(DATA, text, NS, ed25519.publicKeyLine);
        expect(result, name).toMatchObject({ ok: false });
        expect(result.ok ? '' : result.message, name).toMatch(message);
      }
    });

    it('a flipped bit anywhere in the signed blob is caught', () => {
      const blob = Buffer.from(parseSshsigBlob(keygenSign(ed25519, NS, DATA)));
      for (let i = 0; i < blob.length; i += 7) {
        const copy = Buffer.from(blob);
        copy.writeUInt8(copy.readUInt8(i) ^ 0x10, i);
        expect(verifySshsig(DATA, armorSshsig(copy), NS, ed25519.publicKeyLine).ok, `byte ${i}`).toBe(false);
      }
    });
  });

  describe('FIDO (sk-) signatures, as an authenticator makes them', () => {
    // No authenticator here: the test plays one with node:crypto, following PROTOCOL.u2f, and lets
    // ssh-keygen -Y verify be the judge of whether the construction is right.
    function softwareAuthenticator(flags: number, kind: 'ed25519' | 'ecdsa' = 'ed25519') {
      const counter = uint32(7);
      const appHash = createHash('sha256').update('ssh:').digest();
      let type: string;
      let blob: Buffer;
      let rawSign: (signed: Buffer) => Buffer;
      if (kind === 'ed25519') {
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        type = 'sk-ssh-ed25519@openssh.com';
        blob = Buffer.concat([sshString(type), sshString(Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')), sshString('ssh:')]);
        rawSign = (signed) => cryptoSign(null, signed, privateKey);
      } else {
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const jwk = publicKey.export({ format: 'jwk' });
        const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]);
        type = 'sk-ecdsa-sha2-nistp256@openssh.com';
        blob = Buffer.concat([sshString(type), sshString('nistp256'), sshString(point), sshString('ssh:')]);
        rawSign = (signed) => {
          const rs = cryptoSign('sha256', signed, { key: privateKey, dsaEncoding: 'ieee-p1363' });
          return Buffer.concat([mpint(rs.subarray(0, 32)), mpint(rs.subarray(32))]);
        };
      }
      const sign = (data: Buffer) => {
        const signed = Buffer.concat([appHash, Buffer.of(flags), counter, createHash('sha256').update(data).digest()]);
        const signature = Buffer.concat([sshString(type), sshString(rawSign(signed)), Buffer.of(flags), counter]);
        return armorSshsig(encodeSshsig({ publicKey: blob, namespace: NS, hashAlgorithm: 'sha512', signature }));
      };
      return { line: `${type} ${blob.toString('base64')}`, sign };
    }

    it.each(['ed25519', 'ecdsa'] as const)('verifies an sk-%s signature that ssh-keygen also accepts', (kind) => {
      const fido = softwareAuthenticator(0x01, kind);
      const sig = fido.sign(sshsigSignedData(NS, 'sha512', DATA));
      const allowedSigners = `${formatAllowedSigner({ principals: ['sealer@example.org'], publicKey: fido.line })}\n`;
      expect(keygenVerify(tmp.dir, { principal: 'sealer@example.org', namespace: NS, allowedSigners, signature: sig, data: DATA }).status).toBe(0);
      expect(verifySshsig(DATA, sig, NS, fido.line)).toMatchObject({ ok: true });
      expect(verifySshsig(Buffer.from('x'), sig, NS, fido.line)).toMatchObject({ ok: false, code: 'signature' });
    });

    it('like ssh-keygen, accepts a FIDO signature made without a touch, unless user presence is demanded', () => {
      const fido = softwareAuthenticator(0x00);
      const sig = fido.sign(sshsigSignedData(NS, 'sha512', DATA));
      const allowedSigners = `${formatAllowedSigner({ principals: ['sealer@example.org'], publicKey: fido.line })}\n`;
      expect(keygenVerify(tmp.dir, { principal: 'sealer@example.org', namespace: NS, allowedSigners, signature: sig, data: DATA }).status).toBe(0);
      expect(verifySshsig(DATA, sig, NS, fido.line)).toMatchObject({ ok: true });
      expect(verifySshsig(DATA, sig, NS, fido.line, { requireUserPresence: true })).toMatchObject({ ok: false, message: expect.stringMatching(/user presence/) });
      const touched = softwareAuthenticator(0x01);
      expect(verifySshsig(DATA, touched.sign(sshsigSignedData(NS, 'sha512', DATA)), NS, touched.line, { requireUserPresence: true })).toMatchObject({ ok: true });
    });
  });

  describe.skipIf(skipReason('ssh-agent signing tests', HAVE_SSH_AGENT))('signing through ssh-agent', () => {
    let agent: TestAgent;
    let agentRsa: TestKey;

    beforeAll(async () => {
      agent = await startAgent(tmp.dir);
      agentRsa = makeKey(tmp.dir, 'agent-rsa', 'rsa');
      agent.add(ed25519.file);
      agent.add(agentRsa.file);
      agent.add(ecdsa.file);
    });
    afterAll(() => agent?.stop());

    it('Ed25519 via the agent: byte-identical to ssh-keygen, accepted by ssh-keygen -Y verify', async () => {
      const signer = await agentSigner({ socket: agent.socket, publicKey: ed25519.publicKeyLine });
      const sig = await signSshsig(DATA, NS, signer);
      expect(sig).toBe(keygenSign(ed25519, NS, DATA));
      expect(acceptedBySshKeygen(ed25519, sig).status).toBe(0);
    });

    it('RSA via the agent asks for SHA-512 and re-labels the blob rsa-sha2-512', async () => {
      const signer = await agentSigner({ socket: agent.socket, publicKey: agentRsa.publicKeyLine });
      const sig = await signSshsig(DATA, NS, signer);
      expect(parseSshsig(sig).signature.subarray(4, 4 + 12).toString()).toBe('rsa-sha2-512');
      expect(sig).toBe(keygenSign(agentRsa, NS, DATA));
      expect(acceptedBySshKeygen(agentRsa, sig).status).toBe(0);
    });

    it('ECDSA via the agent: the (r, s) blob is re-labelled and ssh-keygen -Y verify accepts it', async () => {
      const sig = await signSshsig(DATA, NS, await agentSigner({ socket: agent.socket, publicKey: ecdsa.publicKeyLine }));
      expect(acceptedBySshKeygen(ecdsa, sig).status).toBe(0);
    });

    it('names the problem when the key is not in the agent or the choice is ambiguous', async () => {
      await expect(agentSigner({ socket: agent.socket, publicKey: other.publicKeyLine })).rejects.toThrow(/does not hold the key/);
      await expect(agentSigner({ socket: agent.socket })).rejects.toThrow(/holds 3 usable keys/);
      await expect(agentSigner({ socket: path.join(tmp.dir, 'no-agent.sock') })).rejects.toThrow(/ssh-agent at/);
    });

    it('the ssh-keygen fallback can sign with a .pub whose private half is in the agent', async () => {
      writeFileSync(path.join(tmp.dir, 'only.pub'), `${ed25519.publicKeyLine}\n`);
      const signer = sshKeygenSigner({ keyFile: path.join(tmp.dir, 'only.pub'), env: { ...process.env, SSH_AUTH_SOCK: agent.socket } });
      expect(await signSshsig(DATA, NS, signer)).toBe(keygenSign(ed25519, NS, DATA));
    });
  });
});

function parseSshsigBlob(armored: string): Buffer {
  return Buffer.from(armored.split('\n').slice(1, -2).join(''), 'base64');
}
