// axe-core (a devDependency, bundled: nothing from the network) run in the page: inject it, run it, and
// keep the violations by impact so a test can hold the console to "no critical, no serious".
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[]; summary: string }[];
}

/** Runs axe-core on the page as it is now (WCAG 2.x A/AA and best practices); returns every violation. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // The page's own globals are reached through the root element (the test project has no DOM typings).
  const html = page.locator('html');
  if (!(await html.evaluate((root) => 'axe' in (root.ownerDocument.defaultView ?? {})))) await page.addScriptTag({ path: AXE });
  return html.evaluate(async (root) => {
    type Axe = { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: AxeViolation['impact']; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> };
    const axe = (root.ownerDocument.defaultView as unknown as { axe: Axe }).axe;
    const result = await axe.run(root.ownerDocument, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.map(String), summary: n.failureSummary ?? '' })) }));
  });
}

/** The critical and serious violations, one line each (rule, impact, the elements), for an assertion message. */
export function seriousOnes(violations: AxeViolation[]): string[] {
  return violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 6).join(', ')}${v.nodes.length > 6 ? ` … ${v.nodes.length} in all` : ''}`);
}

/** Every violation, one line each, for a report. */
export function summary(violations: AxeViolation[]): string[] {
  return violations.map((v) => `${v.impact ?? 'none'} ${v.id}: ${v.nodes.length}`);
}
