// The commands an auditor copies from VERIFY.md and the report run exactly as written, whatever the operator
// is called: for hostile names the command lines parse (bash -n), pass ssh-keygen exactly the principal the
// bundle's allowed_signers names, verify the signatures, and run nothing hidden in the name (canary files).
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../src/main/audit/export.js';
import { type Installation, loadInstallation } from '../../src/main/audit/installation.js';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { principalFor } from '../../src/main/audit/principal.js';
import { BLOB_DIR } from '../../src/main/audit/record.js';
import { seal } from '../../src/main/audit/seal.js';
import { keyFileSigner } from '../../src/main/audit/ssh-signers.js';
import { verifyInstructions } from '../../src/main/audit/verify-instructions.js';
import { HAVE_SSH_KEYGEN, makeKey, skipReason, tempDir } from './ssh-tools.js';
import { runFinishedData, runStartedData } from './record-fixtures.js';

const HAVE_PYTHON = spawnSync('python3', ['--version'], { stdio: 'ignore' }).error === undefined;

// Names as an operator might type them, or an attacker choose them. principalFor turns whitespace, commas
// and double quotes into "-" (allowed_signers cannot hold them); everything else reaches the commands.
const HOSTILE_NAMES = [
  `x'; touch CANARY; '`,
  'x;touch${IFS}CANARY;',
  '$(touch${IFS}CANARY)',
  '`touch${IFS}CANARY`',
  'a|touch${IFS}CANARY&&b',
  "O'Brien>CANARY",
  '$HOME\\$PATH',
  'Zoë Ñúñez 日本',
  'line one\nline two',
  '\x1b]0;pwned\x07\x1b[2J',
  'evil\u202etxt.sh',
  '!!',
  '-rf',
];

// allowed_signers principals are patterns (ssh_config PATTERNS): a principal holding `*`, `?` or `!` is
// quoted correctly but cannot verify (`!x` negates), a principalFor matter outside command quoting.
const SIGNABLE_NAMES = HOSTILE_NAMES.filter((name) => !/[*?!]/.test(principalFor(name)));

/** The command lines of VERIFY.md: its indented code blocks. */
function verifyMdCommands(markdown: string): string[] {
  return [...markdown.matchAll(/^ {4,}(\S.*)$/gm)].map((m) => m[1] as string).filter((l) => /^(sha256sum|ssh-keygen|python3) /.test(l));
}

/** The commands report.html lists, unescaped. */
function reportCommands(html: string): string[] {
  const section = html.slice(html.indexOf('<ol class="commands">'), html.indexOf('</ol>', html.indexOf('<ol class="commands">')));
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...section.matchAll(/<li><pre>([\s\S]*?)<\/pre><\/li>/g)].map((m) => unescape(m[1] as string));
}

const bash = (script: string, cwd: string) => spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8' });

/** The arguments bash would hand ssh-keygen for a command line (a function stands in for the binary). */
function keygenArgs(command: string, cwd: string): string[] {
  const res = bash(`ssh-keygen() { printf '%s\\0' "$@"; }\n${command}`, cwd);
  expect(res.status, res.stderr).toBe(0);
  return res.stdout.split('\0').slice(0, -1);
}

/** Every file named CANARY under `dir`. */
function canaries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => path.basename(f) === 'CANARY');
}

describe('verify commands quote the principal', () => {
  it('VERIFY.md and the report carry each principal as one shell word, with no control character in the text', () => {
    for (const name of HOSTILE_NAMES) {
      const principal = principalFor(name);
      const { commands, markdown } = verifyInstructions({ principal, installationPrincipal: 'installation-0123456789abcdef', runId: 'r', pdf: false, signedReport: true });
      expect(verifyMdCommands(markdown)).toEqual(commands);
      for (const c of commands) expect(c, c).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
      const tmp = tempDir('verify-args-');
      for (const file of ['SHA256SUMS', 'checkpoint.txt']) writeFileSync(path.join(tmp.dir, file), '');
      try {
        expect(keygenArgs(commands[1] as string, tmp.dir)).toEqual(['-Y', 'verify', '-f', 'allowed_signers', '-I', principal, '-n', 'runbook-console-audit', '-s', 'SHA256SUMS.sig']);
        expect(keygenArgs(commands[3] as string, tmp.dir)[5]).toBe('installation-0123456789abcdef');
        expect(canaries(tmp.dir)).toEqual([]);
      } finally {
        tmp.remove();
      }
    }
  });
});

describe.skipIf(skipReason('verify commands with stock ssh-keygen', HAVE_SSH_KEYGEN))('exported bundles of runs by hostile operator names', () => {
  let root: ReturnType<typeof tempDir>;
  let keys: FileMacKeyStore;
  let installation: Installation;
  let operatorKey: { file: string; publicKeyLine: string };

  beforeAll(async () => {
    root = tempDir('verify-commands-');
    keys = new FileMacKeyStore(path.join(root.dir, 'keys', 'mac'));
    installation = await loadInstallation(path.join(root.dir, 'keys', 'installation_ed25519'));
    operatorKey = makeKey(root.dir, 'operator_ed25519', 'ed25519');
  });
  afterAll(() => root.remove());

  /** A sealed run by `operator` (started, finished, sealed), exported and signed with the operator's key. */
  async function bundleFor(operator: string, n: number): Promise<string> {
    const runId = randomUUID();
    const dir = path.join(root.dir, `run-${n}`);
    const { writer, macKeyCommitment } = JournalWriter.create(dir, runId, { keys });
    mkdirSync(path.join(dir, BLOB_DIR));
    writer.append('run.started', runStartedData(dir, macKeyCommitment, { installationKey: installation.key.publicKeyLine, profile: 'regulated', operator: { name: operator, os_user: 'ops', hostname: 'box' } }));
    writer.append('run.finished', runFinishedData());
    await seal(writer, installation, { reason: 'run-end', retentionDays: null });
    writer.close();
    const signer = await keyFileSigner(operatorKey.file);
    const out = path.join(root.dir, `bundle-${n}`);
    await exportBundle(dir, { out, operatorSigner: { signer, publicKeyLine: signer.publicKeyLine }, pdf: false, keys, installation });
    return out;
  }

  it('every command parses, runs nothing hidden in the name, and verifies with the right principal', async () => {
    for (const [n, name] of SIGNABLE_NAMES.entries()) {
      const bundle = await bundleFor(name, n);
      const principal = principalFor(name);
      const commands = verifyMdCommands(readFileSync(path.join(bundle, 'VERIFY.md'), 'utf8'));
      expect(commands).toHaveLength(5);
      const report = JSON.parse(readFileSync(path.join(bundle, 'report.json'), 'utf8')) as { verification: { commands: string[] } };
      expect(report.verification.commands).toEqual(commands);
      expect(reportCommands(readFileSync(path.join(bundle, 'report.html'), 'utf8'))).toEqual(commands);
      expect(readFileSync(path.join(bundle, 'allowed_signers'), 'utf8')).toContain(`${principal} namespaces="runbook-console-audit"`);

      for (const command of commands) {
        const syntax = spawnSync('bash', ['-n', '-c', command], { encoding: 'utf8' });
        expect(syntax.status, `${command}\n${syntax.stderr}`).toBe(0);
      }
      for (const command of commands.filter((c) => c.startsWith('ssh-keygen'))) {
        const args = keygenArgs(command, bundle);
        const expected = args.includes('runbook-console-checkpoint') ? `installation-${installation.id}` : principal;
        expect(args[args.indexOf('-I') + 1], command).toBe(expected);
        const res = bash(command, bundle);
        expect(res.status, `${JSON.stringify(name)}: ${command}\n${res.stdout}${res.stderr}`).toBe(0);
        expect(`${res.stdout}${res.stderr}`).toContain(`signature for ${expected} with ED25519 key`);
      }
      const sums = bash(commands[0] as string, bundle);
      expect(sums.status, sums.stdout).toBe(0);
      // verify.py alone: intact but unanchored (exit 3) — the auditor anchors it with keys held elsewhere.
      if (HAVE_PYTHON) expect(bash(commands[4] as string, bundle).status).toBe(3);
      expect(canaries(root.dir), JSON.stringify(name)).toEqual([]);
    }
  }, 60_000);

  it('the names are hostile: pasted unquoted, the same commands would have run the canary', async () => {
    const bundle = await bundleFor('x;touch${IFS}CANARY;', 100);
    const scratch = tempDir('verify-unquoted-');
    try {
      cpSync(bundle, scratch.dir, { recursive: true });
      const principal = principalFor('x;touch${IFS}CANARY;');
      bash(`ssh-keygen -Y verify -f allowed_signers -I ${principal} -n runbook-console-audit -s report.json.sig < report.json`, scratch.dir);
      expect(existsSync(path.join(scratch.dir, 'CANARY'))).toBe(true);
    } finally {
      scratch.remove();
    }
  });
});
