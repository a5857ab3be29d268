import type { Block, Profile, Step } from '../../shared/runbook-model.js';

const PROFILE_LABEL: Record<Profile, string> = { standard: 'STANDARD', regulated: 'REGULATED+', restricted: 'RESTRICTED' };

function ProfileBadge({ profile }: { profile: Profile | null }) {
  if (!profile) return null;
  return (
    <span className={`badge profile-${profile}`} data-testid="profile-badge">
      {PROFILE_LABEL[profile]}
    </span>
  );
}

function BlockView({ block }: { block: Block }) {
  return (
    <figure className="block" data-testid="block" data-action={block.action}>
      <figcaption>
        <span className={`badge action-${block.action}`} title={block.reason} data-testid="block-action">
          {block.action}
        </span>
        <span className="block-lang">{block.lang ?? 'no language'}</span>
        {block.name && <span className="block-name">{block.name}</span>}
        {block.target && <span className="block-target">→ {block.target}</span>}
        <span className="block-line">line {block.line}</span>
      </figcaption>
      <pre>
        <code>{block.code}</code>
      </pre>
    </figure>
  );
}

export function StepCard({ step }: { step: Step }) {
  return (
    <article className={`step kind-${step.kind}`} data-testid="step" data-step-id={step.id}>
      <header className="step-header">
        <span className="step-box" aria-hidden="true">
          {step.kind === 'signoff' ? '✍' : step.kind === 'decision' ? '⑂' : step.checked ? '☑' : '☐'}
        </span>
        <span className="step-title" data-testid="step-title">
          {step.title}
        </span>
        <ProfileBadge profile={step.profile} />
        {step.kind !== 'step' && <span className={`badge kind-badge`}>{step.kind}</span>}
        <span className="step-line">line {step.line}</span>
      </header>
      {step.body && <p className="step-body">{step.body}</p>}
      {step.checks.length > 0 && (
        <ul className="checks">
          {step.checks.map((c) => (
            <li key={c.line}>
              {c.checked ? '☑' : '☐'} {c.title}
            </li>
          ))}
        </ul>
      )}
      {step.decision && <p className="decision">Options: {step.decision.options.join(' / ')}</p>}
      {step.signoff && <p className="signoff">Signers: {step.signoff.roles.join(', ') || '—'}</p>}
      {step.fillIns.length > 0 && (
        <p className="fillins">Blanks: {step.fillIns.map((f) => f.label || '(unlabelled)').join(', ')}</p>
      )}
      {step.expected.length > 0 && (
        <ul className="expected">
          {step.expected.map((e, i) => (
            <li key={`${i}-${e}`}>Expected: {e}</li>
          ))}
        </ul>
      )}
      {step.variables.length > 0 && <p className="variables">Needs: {step.variables.join(', ')}</p>}
      {step.blocks.map((b) => (
        <BlockView key={b.id} block={b} />
      ))}
    </article>
  );
}
