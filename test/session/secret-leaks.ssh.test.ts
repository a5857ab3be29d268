// An SSH key's passphrase, typed by the operator at preflight and reused by the run without asking again
// (the host remembers the answer: rememberingHostKeyAnswers), against a real sshd on 127.0.0.1, through
// the run engine's own assembly (prepareRun, preflight, startRun) and a real journal. The host can tell
// the session nothing: it was asked before the session existed, and not asked again. The ssh executor
// must report the passphrase it uses (ctx.secretInUse), so that a step that prints it — plainly, on
// stderr, base64-encoded — leaves it in no byte under the run directory and in nothing the session
// reports. The control: the same steps printing a value that is no secret leave it everywhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK } from '../../src/main/session/mask.js';
import { type SshdHandle, sshdAvailable, startSshd } from '../infra/sshd.js';
import { sshdTarget } from '../support/targets.js';
import { type EngineRun, allBytes, runThroughEngine } from './engine-run.js';

const available = sshdAvailable('ssh passphrase leak tests');
const PLAIN = 'plain-control-5521';

/** Steps on the ssh target that print `variable`'s value: on stdout, on stderr, and base64-encoded. */
function steps(variable: string): string {
  const step = (title: string, code: string) => `- [ ] ${title} ${variable}\n  \`\`\`bash {"target":"web"}\n  ${code}\n  \`\`\`\n`;
  return [
    step('Stdout', `echo "value: <${variable}>"`),
    step('Stderr', `echo "value: <${variable}>" >&2`),
    step('Base64', `printf '%s' "<${variable}>" | base64`),
  ].join('');
}

const RUNBOOK = `# A step that prints what it was given

${steps('ECHO')}${steps('PLAIN')}`;

interface Ran extends EngineRun {
  asked: string[];
}

describe.skipIf(!available)('an ssh key passphrase typed at preflight, through the run engine', () => {
  let sshd: SshdHandle;
  let root: string;
  let n = 0;

  beforeAll(async () => {
    sshd = await startSshd({ agent: false });
    root = mkdtempSync(path.join(tmpdir(), 'secret-leaks-ssh-'));
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** A whole run as the CLI makes it: the operator's typed answers reach the session only once it exists. */
  async function runAll(echo: string): Promise<Ran> {
    n++;
    const asked: string[] = [];
    const ran = await runThroughEngine({
      root,
      dir: path.join(root, `run-${n}`),
      runId: `run-ssh-leak-${String(n).padStart(4, '0')}`,
      text: RUNBOOK,
      targets: { targets: { web: sshdTarget(sshd, { identityFile: sshd.encryptedKey.path }) } },
      given: new Map([['ECHO', echo], ['PLAIN', PLAIN]]),
      env: {},
      baseDir: root,
      ask: (question) => {
        asked.push(question);
        return sshd.encryptedKey.passphrase;
      },
    });
    return { ...ran, asked };
  }

  /** What each of `variable`'s steps printed, as the session reported it. */
  const printed = (ran: Ran, variable: string, title: string) =>
    ran.events.flatMap((e) => (e.type === 'output' && e.step.title === `${title} ${variable}` ? [e.chunk.data] : [])).join('');

  it('the passphrase is in no byte written and nothing reported, printed plainly, on stderr or base64-encoded', async () => {
    const passphrase = sshd.encryptedKey.passphrase;
    const ran = await runAll(passphrase);
    // Asked once, at preflight, before the session existed; the run's own connection reused the answer.
    expect(ran.asked).toEqual([`Passphrase for SSH key ${sshd.encryptedKey.path}:`]);
    expect(ran.summary.ok).toBe(true);
    // The steps did print it: the session masked it.
    expect(printed(ran, 'ECHO', 'Stdout')).toBe(`value: ${MASK}\n`);
    expect(printed(ran, 'ECHO', 'Stderr')).toBe(`value: ${MASK}\n`);
    expect(printed(ran, 'ECHO', 'Base64')).toBe(`${MASK}\n`);
    const bytes = allBytes(ran.dir);
    const reported = JSON.stringify({ summary: ran.summary, events: ran.events.map((e) => (e.type === 'output' ? e.chunk.data : e.type === 'block-end' ? e.outcome : null)) });
    for (const form of [passphrase, Buffer.from(passphrase).toString('base64')]) {
      expect(bytes.includes(form), `${form} written under ${ran.dir}`).toBe(false);
      expect(reported.includes(form), `${form} in what the session reported`).toBe(false);
    }
  });

  it('control: a value that is no secret, printed by the same steps, is everywhere', async () => {
    const ran = await runAll('not-a-secret-8841');
    expect(ran.summary.ok).toBe(true);
    for (const variable of ['ECHO', 'PLAIN']) {
      const value = variable === 'ECHO' ? 'not-a-secret-8841' : PLAIN;
      expect(printed(ran, variable, 'Stdout')).toBe(`value: ${value}\n`);
      expect(printed(ran, variable, 'Stderr')).toBe(`value: ${value}\n`);
      expect(printed(ran, variable, 'Base64')).toBe(`${Buffer.from(value).toString('base64')}\n`);
    }
    // In the output blobs (stdout and stderr printed the same bytes: one blob, named by its hash).
    const bytes = allBytes(ran.dir);
    for (const value of ['not-a-secret-8841', PLAIN]) {
      expect(bytes.includes(`value: ${value}\n`)).toBe(true);
      expect(bytes.includes(Buffer.from(value).toString('base64'))).toBe(true);
    }
  });
});
