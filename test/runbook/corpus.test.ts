// Public runbooks written by others: every one parses, and every code block lands in exactly one step.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/main/runbook/index.js';
import { RunbookSchema } from '../../src/shared/runbook-model.js';
import { markdownFiles, sharedDir } from '../support/shared.js';

const corpus = sharedDir('corpus');
const seeds = sharedDir('seeds');
const files = [...(corpus ? markdownFiles(corpus) : []), ...(seeds ? markdownFiles(seeds) : [])];

function codeNodeCount(text: string): number {
  const root = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm).parse(text.replace(/\r\n?/g, '\n')) as Root;
  let n = 0;
  const walk = (node: { type: string; children?: unknown[] }) => {
    if (node.type === 'code') n++;
    for (const child of (node.children ?? []) as { type: string }[]) walk(child);
  };
  walk(root);
  return n;
}

describe.skipIf(files.length === 0)('corpus and seeds', () => {
  it.each(files.map((f) => [path.basename(f), f]))('%s parses into a valid model that places every code block once', async (_name, file) => {
    const rb = await loadRunbook(file);
    RunbookSchema.parse(rb);
    const blocks = rb.steps.flatMap((s) => s.blocks);
    expect(blocks).toHaveLength(codeNodeCount(readFileSync(file, 'utf8')));
    expect(new Set(blocks.map((b) => b.id)).size).toBe(blocks.length);
    expect(new Set(rb.steps.map((s) => s.id)).size).toBe(rb.steps.length);
    const lines = rb.steps.map((s) => s.line);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });
});

describe.skipIf(!corpus)('corpus specifics', () => {
  const load = (name: string) => loadRunbook(path.join(corpus as string, name));

  it('CRLF files keep their line numbers and carry no carriage returns into the model', async () => {
    const rb = await load('k8s-website__ko-run-replicated-stateful-application.md');
    const raw = readFileSync(path.join(corpus as string, 'k8s-website__ko-run-replicated-stateful-application.md'), 'utf8');
    expect(raw).toContain('\r\n');
    expect(rb.steps.length).toBeGreaterThan(0);
    for (const s of rb.steps) {
      expect(s.title).not.toContain('\r');
      for (const b of s.blocks) {
        expect(b.code).not.toContain('\r');
        expect(raw.split('\n')[b.line - 1]).toMatch(/^\s*(```|~~~)/);
      }
    }
  });

  it('an unclosed fence is reported with its line, and the document still parses', async () => {
    const rb = await load('gitlab-runbooks__pg-ha.md');
    expect(rb.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/never closed/) })]));
  });

  it('numbered procedures with indented fences become ordered steps holding their code', async () => {
    const rb = await load('openshift-runbooks__CollectorNodeDown.md');
    const ordered = rb.steps.filter((s) => s.origin === 'ordered');
    expect(ordered.length).toBeGreaterThan(3);
    expect(ordered.some((s) => s.blocks.length > 0)).toBe(true);
  });

  it('documents without checkboxes get heading steps', async () => {
    const rb = await load('k8s-website__safely-drain-node.md');
    const heading = rb.steps.filter((s) => s.origin === 'heading');
    expect(heading.map((s) => s.title)).toContain('Use kubectl drain to remove a node from service');
    expect(heading[0]?.blocks.every((b) => b.lang === 'shell' && b.action === 'shell')).toBe(true);
  });

  it('promql fences are Prometheus queries; powershell is shown, not run', async () => {
    const prom = await load('openshift-runbooks__VirtLauncherPodsStuckFailed.md');
    expect(prom.steps.flatMap((s) => s.blocks).filter((b) => b.lang === 'promql').every((b) => b.action === 'promql')).toBe(true);
    const ps = await load('k8s-website__change-runtime-containerd.md');
    const powershell = ps.steps.flatMap((s) => s.blocks).filter((b) => b.lang === 'powershell');
    expect(powershell.length).toBe(3);
    expect(powershell.every((b) => b.action === 'display')).toBe(true);
  });

  it('the largest file (136 KB) parses', async () => {
    const rb = await load('sig-release__release-1.19-release-notes-draft.md');
    expect(rb.title.length).toBeGreaterThan(0);
  });
});
