// Transcripts and languages (issue 12, items 1 and 6) on public runbooks written by others
// (../shared/corpus and ../shared/seeds; skipped with a message where absent).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/main/runbook/index.js';
import { promptOf } from '../../src/main/runbook/prompts.js';
import { transcriptProblem } from '../../src/main/session/plan.js';
import type { Block, Runbook } from '../../src/shared/runbook-model.js';
import { markdownFiles, sharedDir } from '../support/shared.js';

const corpus = sharedDir('corpus');
const seeds = sharedDir('seeds');
const files = [...(corpus ? markdownFiles(corpus) : []), ...(seeds ? markdownFiles(seeds) : [])];
const blocksOf = (rb: Runbook) => rb.steps.flatMap((s) => s.blocks);
const at = (rb: Runbook, line: number): Block => {
  const b = blocksOf(rb).find((x) => x.line === line);
  if (!b) throw new Error(`no block at line ${line} of ${rb.file}`);
  return b;
};

describe.skipIf(files.length === 0)('every block of the corpus and the seeds', () => {
  it.each(files.map((f) => [path.basename(f), f]))('%s: what runs is never a prompt or a transcript\'s output', async (_name, file) => {
    const rb = await loadRunbook(file);
    for (const b of blocksOf(rb)) {
      expect(b.source).toBeDefined();
      expect(b.reading).toBeDefined();
      if (b.reading?.kind !== 'transcript' || b.action !== 'shell') {
        // Read as written: the code is the block.
        expect(b.code).toBe(b.source);
        continue;
      }
      // The commands: no line of them is a prompt, and the parser agrees on where each ends.
      for (const line of b.code.split('\n')) expect(promptOf(line)?.kind === 'shell' && !/^\s*#/.test(line), `${file}:${b.line}: ${line}`).toBe(false);
      // The parser agrees on where each command ends, or (a command that is not bash even as written) the plan refuses it.
      const problem = transcriptProblem(b);
      if (problem !== null) expect(problem, `${file}:${b.line}`).toMatch(/does not parse as bash on its own/);
      const source = new Set(b.source?.split('\n'));
      for (const line of (b.expectedOutput ?? '').split('\n').filter(Boolean)) expect(source.has(line)).toBe(true);
    }
    // Never PostgreSQL for what is not: every sql block is in a PostgreSQL or sql fence, and no sql code holds a prompt.
    for (const b of blocksOf(rb).filter((x) => x.action === 'sql')) {
      expect(['sql', 'psql', 'postgres', 'postgresql', 'pgsql', 'plpgsql']).toContain(b.lang);
      for (const line of b.code.split('\n')) expect(promptOf(line)?.kind, line).not.toBe('repl');
    }
  });
});

describe.skipIf(!corpus)('corpus specifics', () => {
  const load = (name: string) => loadRunbook(path.join(corpus as string, name));

  it('console fences holding commands without prompts run; console fences of output are shown', async () => {
    const mcp = await load('openshift-runbooks__MachineConfigControllerPausedPoolKubeletCA.md');
    const consoles = blocksOf(mcp).filter((b) => b.lang === 'console');
    expect(consoles.length).toBeGreaterThan(5);
    expect(consoles.every((b) => b.action === 'shell' && b.reading?.kind === 'as-written')).toBe(true);
    expect(at(mcp, 95).variables).toEqual(['MCP_NAME']);
    const etcd = await load('k8s-website__configure-upgrade-etcd.md');
    const output = blocksOf(etcd).filter((b) => b.lang === 'console');
    expect(output.length).toBeGreaterThan(3);
    expect(output.every((b) => b.action === 'display' && b.reading?.kind === 'output')).toBe(true);
    // Positive control: the shell fences around them run as written.
    expect(blocksOf(etcd).filter((b) => b.lang === 'shell').every((b) => b.action === 'shell' && b.code === b.source)).toBe(true);
  });

  it('"$" transcripts in bash fences run their commands only', async () => {
    const runc = await load('openshift-runbooks__RuncDeprecated.md');
    expect(at(runc, 131).code).toBe('oc get mcp worker\noc get mcp master');
    expect(at(runc, 125).code).toBe('oc get machineconfigs | grep containerrun');
    expect(at(runc, 68).code).toBe('oc delete machineconfig \\\n  00-override-master-generated-crio-default-container-runtime');
  });

  it('transcripts that go into another shell or cannot be told apart are shown with the reason', async () => {
    const runc = await load('openshift-runbooks__RuncDeprecated.md');
    expect(at(runc, 29).reason).toMatch(/prompt changes from "\$" to "#"/);
    expect(at(runc, 41).reason).toMatch(/interactive session \(oc exec -it\)/);
    expect(at(runc, 62).reason).toMatch(/backslash followed by spaces/);
    expect(at(runc, 150).reason).toMatch(/"sh-5\.1#" of a shell started inside another session/);
    for (const line of [29, 41, 62, 150, 156]) expect(at(runc, line).action).toBe('display');
    const fs = await load('promop-runbooks__NodeFilesystemSpaceFillingUp.md');
    expect(at(fs, 56).reason).toMatch(/interactive session \(kubectl debug\)/);
  });

  it('unlabelled blocks with prompts are transcripts: a user@host prompt, a root prompt before ps output', async () => {
    const upgrade = await load('gitlab-runbooks__k8s-cluster-upgrade.md');
    const b = at(upgrade, 61);
    expect([b.action, b.code]).toEqual(['shell', 'kubectl get nodes | grep sidekiq-catchall']);
    expect(b.expectedOutput?.split('\n').length).toBeGreaterThan(5);
    const walg = await load('gitlab-runbooks__postgresql-backups-wale-walg.md');
    expect([at(walg, 392).action, at(walg, 392).code]).toEqual(['shell', "ps aux | grep 'wal-push'"]);
    expect(at(walg, 125).code).toBe('sudo tail /var/log/wal-g/wal-g.log');
  });

  it('psql and gpg sessions are shown, never run as shell or SQL', async () => {
    const pg = await load('gitlab-runbooks__pg-ha.md');
    for (const line of [34, 45, 55, 75, 85]) {
      expect(at(pg, line).action).toBe('display');
      expect(at(pg, line).reason).toMatch(/prompt of/);
    }
    // Positive control: a lone "# command" in a shell fence is a comment there (no output, no other prompt).
    expect(at(pg, 13).reason).toBe('the block holds only comments or nothing');
    const grants = await load('gitlab-runbooks__user_grants_permission.md');
    expect(at(grants, 55).reason).toMatch(/PostgreSQL \(psql\)/);
    expect(at(grants, 42).reason).toMatch(/reads as SQL/);
    expect(blocksOf(grants).filter((b) => b.lang === 'sql').every((b) => b.action === 'sql')).toBe(true);
    const yubikey = await load('gitlab-runbooks__yubikey.md');
    for (const line of [116, 374, 778]) expect(at(yubikey, line).reason).toMatch(/prompt of gpg/);
    // "<keyid from `gpg --list-keys`>" is no placeholder: bash would read redirections there, so the run refuses it.
    expect(at(yubikey, 732).action).toBe('shell');
    expect(transcriptProblem(at(yubikey, 732))).toMatch(/line 733 does not parse as bash on its own/);
    expect(transcriptProblem(at(yubikey, 741))).toBeNull();
  });

  it('positive controls: scripts with comments, placeholders and continuation lines stay as they were', async () => {
    const kubeadm = await load('k8s-website__kubeadm-upgrade.md');
    const shell = blocksOf(kubeadm).filter((b) => b.lang === 'shell');
    expect(shell.length).toBeGreaterThan(10);
    expect(shell.every((b) => b.action === 'shell' && b.code === b.source && b.reading?.kind === 'as-written')).toBe(true);
    const yubikey = await load('gitlab-runbooks__yubikey.md');
    expect(at(yubikey, 641).optionalVariables).toEqual(['gnupg_SSH_AUTH_SOCK_by']);
    expect(at(yubikey, 496).variables).toEqual(['MOUNTPOINT']);
  });

  it('promql fences stay Prometheus queries, one query each', async () => {
    const virt = await load('openshift-runbooks__VirtLauncherPodsStuckFailed.md');
    const promql = blocksOf(virt).filter((b) => b.lang === 'promql');
    expect(promql.length).toBe(5);
    expect(promql.every((b) => b.action === 'promql' && b.queries?.length === 1)).toBe(true);
  });
});

describe.skipIf(!seeds)('seed specifics', () => {
  it('MySQL in a sql fence and SQL in a bash fence are shown; the PostgreSQL block runs', async () => {
    const rb = await loadRunbook(path.join(seeds as string, 'federation-release-checklist.md'));
    expect(at(rb, 281).reason).toMatch(/MySQL \("SHOW GLOBAL STATUS"\)/);
    expect(at(rb, 351).reason).toMatch(/bash fence holds SQL/);
    expect(at(rb, 409).action).toBe('sql');
  });
});
