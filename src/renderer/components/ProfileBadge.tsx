// The profile a step or section is marked with.
import type { Profile } from '../../shared/runbook-model.js';
import { PROFILE_LABEL } from '../lib/runbook-facts.js';

export function ProfileBadge({ profile }: { profile: Profile | null }) {
  if (!profile) return null;
  return (
    <span className={`badge profile-${profile}`} data-testid="profile-badge">
      {PROFILE_LABEL[profile]}
    </span>
  );
}
