// What each security profile demands before a run may start. STANDARD: the record itself. REGULATED: a
// named operator. RESTRICTED: also PostgreSQL only over verify-full TLS (and, enforced where the question
// is asked, no trust on first use of an SSH host key). Problems are listed before anything runs.
import type { Profile } from '../../shared/runbook-model.js';
import { profileRank } from './plan.js';
import type { RunPlan } from './plan.js';

export interface ProfileFacts {
  /** The operator named explicitly (--operator, settings), not merely the OS account. */
  operatorNamed: boolean;
}

export const RETENTION_DAYS: Record<Profile, number | null> = { standard: null, regulated: 365, restricted: 2555 };

export function atLeast(profile: Profile, floor: Profile): boolean {
  return profileRank(profile) >= profileRank(floor);
}

export function profileProblems(profile: Profile, plan: RunPlan, facts: ProfileFacts): string[] {
  const problems: string[] = [];
  if (atLeast(profile, 'regulated') && !facts.operatorNamed) {
    problems.push(`profile ${profile}: the operator must be named (--operator NAME)`);
  }
  if (!atLeast(profile, 'restricted')) return problems;
  const seen = new Set<string>();
  for (const planned of plan.steps) {
    if (planned.skip) continue;
    for (const { binding } of planned.blocks) {
      if (seen.has(binding.targetName)) continue;
      seen.add(binding.targetName);
      const t = binding.target;
      if (t.kind === 'postgres' && t.sslmode !== 'verify-full') {
        problems.push(`profile restricted: postgres target "${binding.targetName}" must use sslmode verify-full (it has ${t.sslmode ?? 'prefer'})`);
      }
    }
  }
  return problems;
}
