// What each security profile demands before a run may start. STANDARD: the record itself. REGULATED: a
// named operator. RESTRICTED: also PostgreSQL only over verify-full TLS (and, enforced where the question
// is asked, no trust on first use of an SSH host key). Problems are listed before anything runs.
import type { Profile } from '../../shared/runbook-model.js';
import { profileRank } from './plan.js';
import type { RunPlan } from './plan.js';
import type { Target } from '../../shared/targets.js';

export interface ProfileFacts {
  /** The operator named explicitly (--operator, settings), not merely the OS account. */
  operatorNamed: boolean;
}

export const RETENTION_DAYS: Record<Profile, number | null> = { standard: null, regulated: 365, restricted: 2555 };

export function atLeast(profile: Profile, floor: Profile): boolean {
  return profileRank(profile) >= profileRank(floor);
}

/** What the profile forbids about using one target (RESTRICTED: PostgreSQL only over verify-full), or null. */
export function targetProblem(profile: Profile, name: string, target: Target): string | null {
  if (!atLeast(profile, 'restricted')) return null;
  if (target.kind === 'postgres' && target.sslmode !== 'verify-full') return `profile restricted: postgres target "${name}" must use sslmode verify-full (it has ${target.sslmode ?? 'prefer'})`;
  return null;
}

export function profileProblems(profile: Profile, plan: RunPlan, facts: ProfileFacts): string[] {
  const problems: string[] = [];
  if (atLeast(profile, 'regulated') && !facts.operatorNamed) {
    problems.push(`profile ${profile}: the operator must be named (--operator NAME)`);
  }
  const seen = new Set<string>();
  for (const planned of plan.steps) {
    if (planned.skip) continue;
    for (const { binding } of planned.blocks) {
      if (seen.has(binding.targetName)) continue;
      seen.add(binding.targetName);
      const problem = targetProblem(profile, binding.targetName, binding.target);
      if (problem) problems.push(problem);
    }
  }
  return problems;
}
