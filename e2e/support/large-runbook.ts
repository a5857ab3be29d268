// A runbook of about `bytes` bytes for load tests: sections of a task with a console transcript (a command
// and its output), and a step done by hand.
export function largeRunbook(bytes: number): string {
  const output = Array.from({ length: 60 }, (_, k) => `  pod-${k}   1/1   Running   0   ${k}d`).join('\n');
  const parts = ['# A large runbook\n\n'];
  let size = parts[0]?.length ?? 0;
  for (let i = 0; size < bytes; i++) {
    const section = `## Section ${i}\n\n- [ ] Check the pods of ns-${i}\n  \`\`\`console\n  $ kubectl get pods -n ns-${i}\n${output}\n  \`\`\`\n- [ ] Confirm section ${i} by hand\n\n`;
    parts.push(section);
    size += section.length;
  }
  return parts.join('');
}
