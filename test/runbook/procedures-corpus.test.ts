// Procedures without code, decisions, gates, inputs and callouts in runbooks written by others
// (../shared/corpus and ../shared/seeds; skipped with a message where absent). What each file should give
// was established by reading it; the assertions name lines and section ids, not the authors' sentences.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/main/runbook/index.js';
import type { Runbook, Step } from '../../src/shared/runbook-model.js';
import { markdownFiles, sharedDir } from '../support/shared.js';

const corpus = sharedDir('corpus');
const seeds = sharedDir('seeds');
const files = [...(corpus ? markdownFiles(corpus) : []), ...(seeds ? markdownFiles(seeds) : [])];
const LABELS = new Set(['note', 'notes', 'nb', 'warning', 'important', 'tip', 'caution', 'danger', 'example', 'examples', 'before', 'after', 'state', 'info']);
const OLD_ORIGINS = new Set(['task', 'ordered', 'lead-in', 'block', 'table', 'lines']);
const byLine = (rb: Runbook, line: number): Step | undefined => rb.steps.find((s) => s.line === line);

describe.skipIf(files.length === 0)('every public runbook', () => {
  it.each(files.map((f) => [path.basename(f), f]))('%s: no step is titled by a callout label; steps found in prose hold no code to run', async (_name, file) => {
    const rb = await loadRunbook(file);
    for (const step of rb.steps) {
      expect(LABELS.has(step.title.toLowerCase().replace(/[:!]+$/, '')), `${step.id} is titled by a callout label`).toBe(false);
      if (step.origin === 'list' || step.origin === 'gate' || step.kind === 'manual' || step.kind === 'input') {
        expect(step.blocks.every((b) => b.action === 'display'), `${step.id} holds code to run`).toBe(true);
      }
      // The sources that made steps before keep their kinds: a task, a procedure item, a lead-in, a block.
      if (OLD_ORIGINS.has(step.origin) && step.origin !== 'lines' && step.origin !== 'table') expect(['step', 'signoff', 'decision']).toContain(step.kind);
      // Every note's code is a block of its step.
      for (const note of step.notes) for (const id of note.blockIds) expect(step.blocks.some((b) => b.id === id)).toBe(true);
    }
  });
});

describe.skipIf(!corpus)('procedures the corpus wrote without code', () => {
  const load = (name: string) => loadRunbook(path.join(corpus as string, name));

  it('a numbered troubleshooting list without code (CollectorNodeDown) gives three manual steps; its impact and notes lists give none', async () => {
    const rb = await load('openshift-runbooks__CollectorNodeDown.md');
    expect([181, 182, 184].map((l) => [byLine(rb, l)?.kind, byLine(rb, l)?.origin])).toEqual([
      ['manual', 'list'],
      ['manual', 'list'],
      ['manual', 'list'],
    ]);
    expect(rb.steps.filter((s) => s.sectionId === 'impact' || s.sectionId === 'notes')).toEqual([]);
  });

  it('descriptive lists (impact, meaning) stay prose even where their items start with verbs (RuncDeprecated)', async () => {
    const rb = await load('openshift-runbooks__RuncDeprecated.md');
    expect(rb.steps.filter((s) => s.sectionId === 'impact' || s.sectionId === 'meaning')).toEqual([]);
    // Positive control: its heading steps with code are still there, holding their blocks.
    expect(rb.steps.filter((s) => s.origin === 'heading' && s.kind === 'step').length).toBe(4);
  });

  it('labelled descriptive bullets after a procedure item stay prose (VirtLauncherPodsStuckFailed)', async () => {
    const rb = await load('openshift-runbooks__VirtLauncherPodsStuckFailed.md');
    expect([70, 71, 72].map((l) => byLine(rb, l))).toEqual([undefined, undefined, undefined]);
    expect(rb.steps.filter((s) => s.origin === 'ordered')).toHaveLength(9);
  });

  it('a rollback section of one instruction is a manual step (gitaly token rotation)', async () => {
    const rb = await load('gitlab-runbooks__gitaly-token-rotation.md');
    expect(rb.steps.find((s) => s.id === 'rollback')).toMatchObject({ kind: 'manual', origin: 'heading', line: 43 });
  });

  it('a numbered heading of bulleted instructions gives a step per bullet (GKE upgrade, step 0.2)', async () => {
    const rb = await load('gitlab-runbooks__k8s-cluster-upgrade.md');
    expect([131, 133, 135, 136, 138, 140].map((l) => byLine(rb, l)?.kind)).toEqual(Array(6).fill('manual'));
  });

  it('a bold "Note:" before code is a note of the step that runs the code, not its title (storage rebalancing)', async () => {
    const rb = await load('gitlab-runbooks__storage-rebalancing.md');
    const step = rb.steps.find((s) => s.blocks.some((b) => b.line === 103));
    expect(step?.origin).toBe('block');
    expect(step?.notes.map((n) => n.kind)).toEqual(['note']);
  });

  it('GitHub alerts are notes: a dozen in the branch-creation handbook, none a step', async () => {
    const rb = await load('sig-release__branch-creation.md');
    const flat = (list: Runbook['sections']): Runbook['sections'] => list.flatMap((s) => [s, ...flat(s.sections)]);
    const alerts = [...rb.steps.flatMap((s) => s.notes), ...flat(rb.sections).flatMap((s) => s.notes)].filter((n) => n.label.startsWith('[!'));
    expect(alerts.length).toBe(12);
    expect(byLine(rb, 143)).toMatchObject({ kind: 'manual', origin: 'heading' });
  });

  it('tables of contents give no steps (release handbooks)', async () => {
    const rb = await load('sig-release__release-team-lead-progress.md');
    expect([14, 20, 21].map((l) => byLine(rb, l))).toEqual([undefined, undefined, undefined]);
  });
});

describe.skipIf(!seeds)('gates in the seeds', () => {
  it('success criteria become ten steps the operator confirms; the automatic roll-back triggers stay prose', async () => {
    const rb = await loadRunbook(path.join(seeds as string, 'federation-release-checklist.md'));
    const gates = rb.steps.filter((s) => s.sectionId === 'success-criteria');
    expect(gates).toHaveLength(10);
    expect(gates.every((s) => s.kind === 'manual' && s.blocks.length === 0)).toBe(true);
    expect(rb.steps.filter((s) => s.sectionId.endsWith('automatic-rollback-triggers'))).toEqual([]);
  });
});
