// Runbook texts more than one test uses: the cut-over with a GO / NO-GO decision (decisions, in the console and
// on the CLI), transcript steps whose example output is compared with what they print, and a large runbook for
// load tests. Each test composes the runbook it needs from these parts.

/** A section of one checklist step with a bash block. */
export const stepSection = (title: string, step: string, command: string) => `## ${title}\n\n- [ ] ${step}\n  \`\`\`bash\n  ${command}\n  \`\`\`\n`;

/** The decision: GO goes on to Switch, NO-GO to Back out. */
export const GO_NO_GO = `## Go / No-Go

Decide GO / NO-GO with the lead.

- GO → continue with [Switch](#switch)
- NO-GO → [Back out](#back-out)
`;
/** A step between the decision and Switch (GO passes it over). */
export const ANNOUNCE = stepSection('Announce', 'Tell the channel', 'echo told');
export const SWITCH = stepSection('Switch', 'Switch the traffic', 'echo switched');
export const BACK_OUT = stepSection('Back out', 'Restore the old route', 'echo restored');

/** "# Cut-over" and its sections, in order. */
export const cutoverRunbook = (...sections: string[]) => `# Cut-over\n\n${sections.join('\n')}`;

/**
 * Two checklist steps of console transcripts: one prints its example output, one prints a line that differs
 * from its example (`b2` for `b`).
 */
export const TRANSCRIPT_STEPS = `- [ ] Say hello
  \`\`\`console
  $ echo hello
  hello
  \`\`\`
- [ ] List the letters
  \`\`\`console
  $ printf 'a\\nb2\\nc\\n'
  a
  b
  c
  \`\`\`
`;

/**
 * A runbook of `bytes` bytes or a little more, for load tests: sections of a task with a console transcript (a
 * command and `outputLines` lines of its output), and a step done by hand.
 */
export function largeRunbook(bytes: number, { outputLines = 60 }: { outputLines?: number } = {}): string {
  const output = Array.from({ length: outputLines }, (_, k) => `  pod-${k}   1/1   Running   0   ${k}d`).join('\n');
  const parts = ['# A large runbook\n\n'];
  let size = parts[0]?.length ?? 0;
  for (let i = 0; size < bytes; i++) {
    const section = `## Section ${i}\n\n- [ ] Check the pods of ns-${i}\n  \`\`\`console\n  $ kubectl get pods -n ns-${i}\n${output}\n  \`\`\`\n- [ ] Confirm section ${i} by hand\n\n`;
    parts.push(section);
    size += section.length;
  }
  return parts.join('');
}

/**
 * A certificate rotation's first steps (a shell step, a chain check running `chainCheck`, a step by hand),
 * then `rest`: the runbook the guard, Resume and format-2 tests seal early, change and take back.
 */
export const rotateRunbook = (chainCheck: string, rest: string) => `# Rotate the certificate

## Prepare

- [ ] Copy the new certificate
  \`\`\`bash
  echo copied
  \`\`\`
- [ ] Check the chain
  \`\`\`bash
  ${chainCheck}
  \`\`\`
- [ ] Tell the channel by hand
${rest}`;

/** A RESTRICTED runbook: a read-only look, then a change that touches $MARKER (the canary of what ran). */
export const RESTRICTED_CHANGE = `---
profile: restricted
---
# Restricted change
- [ ] Read-only look 🔴
  \`\`\`bash
  ls / >/dev/null; echo looked
  \`\`\`
- [ ] Change something 🔴
  \`\`\`bash
  touch "$MARKER"
  \`\`\`
`;
