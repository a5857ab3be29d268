// A list-heavy runbook of any size, written by the project for its benchmarks (and the tests that check the
// parse stays linear): sections of 20 task items, each with nested bullets, a nested ordered list and an
// indented ```bash fence; items in tight runs of five; a top-level fence holding a blank line and a
// column-0 "# comment" after each section; references to definitions at the very end. Deterministic.

const REFERENCES = 50;

/** About `targetBytes` of markdown (ASCII, so characters and bytes agree), ending with its definitions. */
export function listHeavyRunbook(targetBytes) {
  const parts = ['# Rotate the service keys of every pool\n\n'];
  let bytes = parts[0].length;
  for (let s = 1; bytes < targetBytes; s++) {
    const lines = [`## Pool ${s}: rotate its keys`, '', `Read [the rotation guide][guide-${s % REFERENCES}] first and tell the on-call channel.`, ''];
    for (let i = 1; i <= 20; i++) {
      lines.push(
        `- [ ] Step ${s}.${i}: check that node ${i} of pool ${s} is healthy`,
        `  - the pods answer on port ${8000 + i}`,
        '  - the log shows no errors since the last deploy',
        '  1. drain the node',
        '  2. wait until its pods run elsewhere',
        '  ```bash',
        `  kubectl -n pool-${s} get pods -l node=${i} -o wide`,
        `  kubectl -n pool-${s} rollout status deploy/web-${i}`,
        '  ```',
      );
      if (i % 5 === 0) lines.push('');
    }
    lines.push('```bash', `# pool ${s}: the rotation itself`, `vault write -f transit/keys/pool-${s}/rotate`, '', '# then check the new version', `vault read transit/keys/pool-${s}`, '```', '', '');
    const text = lines.join('\n');
    parts.push(text);
    bytes += text.length;
  }
  parts.push('## References\n\n', ...Array.from({ length: REFERENCES }, (_, i) => `[guide-${i}]: https://runbooks.example/guides/${i}\n`));
  return parts.join('');
}
