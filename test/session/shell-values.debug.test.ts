import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'vitest';
// @ts-ignore
import { prepareShell as oldPrepare } from '/tmp/sv-orig/shell-values.ts';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
const dir = mkdtempSync(path.join(tmpdir(), 'sv-old-'));
const C = path.join(dir, 'C');
const local = createLocalExecutor('local', { kind: 'local', cwd: dir }, { baseDir: dir, env: {}, ask: async () => null, confirm: async () => false, stepEnv: () => ({ PATH: process.env.PATH ?? '' }) });
const A = `a[$(touch ${C})]`, T = `touch ${C}`;
const blocks: [string, string, string][] = [
  ['limit="<LIMIT>"; if (( limit > 100 )); then echo big; fi', 'LIMIT', A], ['y=$N; echo $((y))', 'N', A], ['y=<N>; [[ $y -gt 1 ]]', 'N', A],
  ['read y <<< <N>; [[ $y -gt 1 ]]', 'N', A], ['printf -v y %s <N>; echo $((y))', 'N', A], ['for y in <N>; do echo $((y)); done', 'N', A],
  ["export y=<N>; bash -c 'echo $((y))'", 'N', A], ['declare -i n; read n <<< <N>; echo $n', 'N', A], ['y=<N>; x=abc; echo "${x:y}"', 'N', A],
  ['y=<N>; unset "$y"', 'N', A], ['y=<N>; [ -v "$y" ] && echo set', 'N', A], ['declare -n r; r=<N>; echo $r', 'N', A], ['y=<N>; echo "${!y}"', 'N', A],
  ['y=<N>; $y', 'N', T], ['y=<N>; ${y}', 'N', T], ['y=<N>; "$y"', 'N', T], ['y=<N>; nohup $y', 'N', T], ['cmd=$CMD; eval "$cmd"', 'CMD', T],
  ['x=<N>; bash -c "$x"', 'N', T], ['set -- <N>; eval "$1"', 'N', T], ['f() { sh -c "$1"; }; f <N>', 'N', T],
  ['echo <N> | while read l; do eval "$l"; done', 'N', T], ['y=<N>; awk "BEGIN { system(\\"$y\\") }"', 'N', T], ['y=<N>; echo "$y" | python3', 'N', T],
  ['echo <N> | { sh; }', 'N', T], ['echo <N> | (sh)', 'N', T], ['echo <N> > >(sh); sleep 0.3', 'N', T], ['cat <<EOF | sh\n<N>\nEOF', 'N', T],
  ['coproc sh; echo <N> >&${COPROC[1]}; sleep 0.3', 'N', T], ['echo <N> > f; source f', 'N', T], ['echo <N> > s.sh; bash s.sh', 'N', T],
  ['echo <N> > s.sh; chmod +x s.sh; ./s.sh', 'N', T], ['echo <N> | xargs -I{} sh -c {}', 'N', T],
];
it('old module', async () => {
  for (const [code, name, v] of blocks) {
    rmSync(C, { force: true });
    const p = await oldPrepare(code, new Map([[name, v]]));
    if (p.problems.length === 0) await local.start({ blockId: 'b', action: 'shell', code: p.code, env: p.env, onOutput: () => undefined }).result;
    console.log(`${p.problems.length ? 'refused ' + p.problems.map((x: { code: string }) => x.code) : 'passed'} canary=${existsSync(C)} :: ${code.replace(/\n/g, '⏎')}`);
  }
  rmSync(dir, { recursive: true, force: true });
}, 60000);
