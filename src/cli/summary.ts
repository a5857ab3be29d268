// The readable form of `runbook parse`: the section tree with each step, its profile and its blocks.
import { formatDiagnostic } from '../main/runbook/diagnostics.js';
import type { Runbook, Section, Step } from '../shared/runbook-model.js';

const PROFILE_BADGE: Record<string, string> = { standard: 'STANDARD', regulated: 'REGULATED+', restricted: 'RESTRICTED' };

function countBy<T>(items: readonly T[], key: (t: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

/** A block's action, and how it was read when that is not as written: `shell transcript`, `promql ×3`. */
function blockLabel(block: Step['blocks'][number]): string {
  if (block.reading?.kind === 'transcript' && block.action === 'shell') return 'shell transcript';
  if (block.reading?.kind === 'queries') return `promql ×${block.queries?.length ?? 0}`;
  return block.action;
}

function stepLine(step: Step, indent: string): string {
  const box = step.kind === 'signoff' ? '[sign]' : step.kind === 'decision' ? '[decide]' : step.kind === 'input' ? '[input]' : step.kind === 'manual' ? '[by hand]' : step.checked ? '[x]' : '[ ]';
  const badge = step.profile ? ` ${PROFILE_BADGE[step.profile]}` : '';
  const blocks = step.blocks.length > 0 ? `  {${step.blocks.map(blockLabel).join(', ')}}` : '';
  const extra = [
    step.checks.length ? `${step.checks.length} checks` : '',
    step.fillIns.length ? `${step.fillIns.length} blanks` : '',
    step.variables.length ? `needs ${step.variables.join(' ')}` : '',
    step.decision ? step.decision.options.map((o) => { const to = step.decision?.choices.find((c) => c.label === o)?.leadsTo; return to ? `${o} → ${to}` : o; }).join(' / ') : '',
    step.notes.length ? `${step.notes.length} notes` : '',
  ].filter(Boolean);
  return `${indent}${box} ${step.title}${badge}  (line ${step.line})${blocks}${extra.length ? `  ${extra.join('; ')}` : ''}`;
}

export function formatSummary(runbook: Runbook): string {
  const byId = new Map(runbook.steps.map((s) => [s.id, s]));
  const blocks = runbook.steps.flatMap((s) => s.blocks);
  const out: string[] = [runbook.title, '='.repeat(Math.min(runbook.title.length, 80))];
  if (runbook.file) out.push(`file: ${runbook.file}`);
  out.push(`sha256: ${runbook.sha256}`);
  out.push(`steps: ${runbook.steps.length}${runbook.steps.length ? ` (${countBy(runbook.steps, (s) => s.kind)})` : ''}`);
  out.push(`code blocks: ${blocks.length}${blocks.length ? ` (${countBy(blocks, (b) => b.action)})` : ''}`);
  out.push(`profiles: ${runbook.steps.length ? countBy(runbook.steps, (s) => s.profile ?? 'unmarked') : 'none'}`);
  const walk = (section: Section, depth: number) => {
    const steps = section.stepIds.map((id) => byId.get(id)).filter((s): s is Step => s !== undefined);
    if (steps.length === 0 && !hasSteps(section)) return;
    const indent = '  '.repeat(depth);
    out.push('', `${indent}${section.depth > 0 ? '#'.repeat(section.depth) + ' ' : ''}${section.title}`);
    for (const step of steps) out.push(stepLine(step, `${indent}  `));
    for (const child of section.sections) walk(child, depth + 1);
  };
  for (const section of runbook.sections) walk(section, 0);
  if (runbook.warnings.length > 0) {
    out.push('', 'warnings:');
    for (const w of runbook.warnings) out.push(`  ${formatDiagnostic(w)}`);
  }
  return out.join('\n');
}

function hasSteps(section: Section): boolean {
  return section.stepIds.length > 0 || section.sections.some(hasSteps);
}
