// An attacker's tests for prepareShell after the move to mvdan/sh's syntax tree (shell-ast.ts →
// shell-contexts.ts, roles in shell-roles.ts). The attacker controls only the values; the block is the
// runbook author's. The guarantee under test: either the block is refused (problems, code unchanged, env {})
// or, run with `bash -c code` and `env`, every value arrives byte for byte where its placeholder was and
// nothing in it runs. Every accepted attack below is run for real on local bash, and a CANARY file that
// the hostile values try to create must never exist.
//
// Layout:
//  - positive controls: benign values in the usual places are accepted and arrive;
//  - contexts that hold: many tricky placeholder positions × many hostile values, all refused or literal;
//  - findings of the first attack on the tree walker, one test per finding, each asserting the guarantee
//    for the concrete block and value that broke it (the value ran, arrived altered, or a benign block was
//    refused); all fixed but one, still `it.fails`: a here-document in a CRLF block, a parse error for
//    mvdan/sh (refused, so safe, but a benign block refused);
//  - gaps the command/variable lists of shell-roles.ts had, each a value executed on this machine before.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type PreparedShell, prepareShell } from '../../src/main/session/shell-values.js';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
import { hostileValues } from './shell-values.contexts.js';

const dir = mkdtempSync(path.join(tmpdir(), 'shell-values-attack-'));
const CANARY = path.join(dir, 'CANARY');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => rmSync(CANARY, { force: true }));

const local = createLocalExecutor('local', { kind: 'local', cwd: dir }, {
  baseDir: dir,
  env: {},
  ask: async () => null,
  confirm: async () => false,
  stepEnv: () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' }),
});

/** Runs prepared code as a local step does: bash -c, the values only in the environment. */
async function run(prepared: PreparedShell): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  await local.start({
    blockId: 'b',
    action: 'shell',
    code: prepared.code,
    env: prepared.env,
    timeoutMs: 10_000,
    onOutput: (c) => {
      if (c.stream === 'stdout') stdout += c.data;
      else stderr += c.data;
    },
  }).result;
  return { stdout, stderr };
}

const canary = (s: string) => s.replaceAll('CANARY', CANARY);
const values = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, canary(v)]));

/**
 * The guarantee for one block and its values: refused cleanly, or run with no canary and (when `prints`
 * is given) exactly the expected output. Returns what happened, for assertions of its own.
 */
async function holds(code: string, vals: Record<string, string>, prints?: string): Promise<PreparedShell & { stdout?: string }> {
  rmSync(CANARY, { force: true });
  const prepared = await prepareShell(code, values(vals));
  const what = `${JSON.stringify(code)} with ${JSON.stringify(vals)}`;
  if (prepared.problems.length > 0) {
    expect(prepared.code, `refused but code changed: ${what}`).toBe(code);
    expect(prepared.env, `refused but env set: ${what}`).toEqual({});
    return prepared;
  }
  const r = await run(prepared);
  expect(existsSync(CANARY), `value RAN: ${what} → ${JSON.stringify(prepared.code)} (stderr ${JSON.stringify(r.stderr)})`).toBe(false);
  if (prints !== undefined) expect(r.stdout, `value ALTERED: ${what} → ${JSON.stringify(prepared.code)} (stderr ${JSON.stringify(r.stderr)})`).toBe(prints);
  return { ...prepared, stdout: r.stdout };
}

/** Accepted, and the output is exactly `prints`. */
async function accepted(code: string, vals: Record<string, string>, prints: string): Promise<void> {
  const prepared = await prepareShell(code, values(vals));
  expect(prepared.problems, `benign block REFUSED: ${JSON.stringify(code)}`).toEqual([]);
  await holds(code, vals, prints);
}

/** Refused, with `problem` among the problems. */
async function refused(code: string, vals: Record<string, string>, problem?: string): Promise<void> {
  const prepared = await holds(code, vals);
  expect(prepared.problems.length, `not refused: ${JSON.stringify(code)} → ${JSON.stringify(prepared.code)}`).toBeGreaterThan(0);
  if (problem) expect(prepared.problems.map((p) => p.code)).toContain(problem);
}

/** The hostile values of the shared contexts, and more aimed at the tree walker. */
const HOSTILE = [
  ...hostileValues('CANARY'),
  'touch CANARY', // runs if the reference ends up unquoted as a command
  'touch CANARY;',
  '}',
  '"',
  '\\',
  '\\"',
  '"\\\'`$',
  '-n',
  '--help',
  '-',
  'a b',
  ' leading and trailing ',
  '\ttab',
  'x\r\ny\r\n',
  ')',
  ';',
  '|',
  '&',
  '<(touch CANARY)',
  '>(touch CANARY)',
  '${X:-$(touch CANARY)}',
  '\\$(touch CANARY)',
  "$'\\x41'",
  'EOF',
  '\nEOF\ntouch CANARY\n',
  '[$(touch CANARY)]=1',
  'é ✓ 🎉 𝕏 \u200b \u0301',
];

/** What `printf '[%s]' …` prints for each value. */
const br = (...vs: string[]) => vs.map((v) => `[${v}]`).join('');
/** Command substitution strips trailing newlines. */
const cs = (v: string) => v.replace(/\n+$/, '');

// ---------------------------------------------------------------------------------------------------------

describe('positive controls: benign values are accepted and arrive', () => {
  const V = { V: 'node-1.example' };
  it('plain words, "…", words glued to text, $( ), here-strings', () =>
    accepted(`printf '[%s]' <V> "in <V> q" a<V>b "$(printf '%s' <V>)"; cat <<< <V>`, V, '[node-1.example][in node-1.example q][anode-1.exampleb][node-1.example]node-1.example\n'));
  it('here-documents: <<, <<- with tabs, two on one line, inside $( )', () =>
    accepted(
      'cat <<EOF\nbody <V>\nEOF\ncat <<-EOF\n\t\tindented <V>\n\tEOF\ncat <<A; cat <<B\na <V>\nA\nb <V>\nB\nprintf \'[%s]\' "$(cat <<EOF\nin <V>\nEOF\n)"',
      V,
      'body node-1.example\nindented node-1.example\na node-1.example\nb node-1.example\n[in node-1.example]',
    ));
  it('for lists, case words and patterns, [[ == ]], declarations, assignments before a command', () =>
    accepted(
      'for i in <V> x; do printf \'[%s]\' "$i"; done\ncase <V> in <V>) printf ok;; esac\n[[ <V> == <V> ]] && printf ok\nf() { local l=<V>; declare d=<V>; export e=<V>; printf \'[%s]\' "$l$d$e"; }; f\nX=<V> printenv X',
      V,
      '[node-1.example][x]okok[node-1.examplenode-1.examplenode-1.example]node-1.example\n',
    ));
  it('integers in arithmetic, subscripts and [[ -gt ]]', () =>
    accepted('a=(p q r); echo $(( <N> + 1 )) "${a[<N>]}"; [[ <N> -gt 0 ]] && echo pos', { N: '2' }, '3 r\npos\n'));
  it('$NAME run variables, quoted where bash would split them', () =>
    accepted('printf \'[%s]\' $X "$X" ${X} "${X}"\ncat <<EOF\n$X\nEOF', { X: 'a  *' }, '[a  *][a  *][a  *][a  *]a  *\n'));
});

// ---------------------------------------------------------------------------------------------------------

interface Context {
  code: string;
  /** Output when the value arrives literally; absent: only "refused or no canary". */
  prints?: (v: string) => string;
  /** Every hostile value must be refused (with this problem, when given). */
  refuse?: string | true;
}

const CONTEXTS: Context[] = [
  // Backslashes before and after placeholders, in every quoting context.
  { code: "printf '[%s]' \\<V>", refuse: 'inside-word' },
  { code: "printf '[%s]' \"\\<V>\"", refuse: 'inside-word' },
  { code: 'cat <<EOF\n\\<V>\nEOF', refuse: 'inside-word' },
  { code: "printf '[%s]' \\\\<V>", prints: (v) => br(`\\${v}`) },
  { code: "printf '[%s]' \"\\\\\"<V>", prints: (v) => br(`\\${v}`) },
  { code: "printf '[%s]' \"\\\\<V>\"", prints: (v) => br(`\\${v}`) },
  { code: 'cat <<EOF\n\\\\<V>\nEOF', prints: (v) => `\\${v}\n` },
  { code: "printf '[%s]' <V>\\\\", prints: (v) => br(`${v}\\`) },
  { code: "printf '[%s]' \"<V>\\\\\"", prints: (v) => br(`${v}\\`) },
  { code: "printf '[%s]' \\\"<V>\\\"", prints: (v) => br(`"${v}"`) },
  { code: "printf '[%s]' \"\\\"<V>\\\"\"", prints: (v) => br(`"${v}"`) },
  { code: 'cat <<EOF\n\\"<V>\\"\nEOF', prints: (v) => `\\"${v}\\"\n` },
  { code: "printf '[%s]' \\$<V> \"\\$<V>\"", prints: (v) => br(`$${v}`, `$${v}`) },
  { code: 'cat <<EOF\n\\$<V>\nEOF', prints: (v) => `$${v}\n` },
  { code: "printf '[%s]' <V>\\\n<V> \\\n  <V>", prints: (v) => br(`${v}${v}`, v) },
  { code: "printf '[%s]' \"<V>\\\n<V>\"", prints: (v) => br(`${v}${v}`) },
  // Backquotes, nested, with quotes inside.
  { code: "printf '[%s]' \"`printf '%s' <V>`\"", prints: (v) => br(cs(v)) },
  { code: "printf '[%s]' \"`printf '%s' \"<V>\"`\"", prints: (v) => br(cs(v)) },
  // The middle substitution is unquoted as written: its output is split, as the author wrote it.
  { code: "printf '[%s]' \"`printf '%s' \\`printf '%s' <V>\\``\"" },
  { code: "x=`printf '%s' \\\"<V>\\\"`; printf '[%s]' \"$x\"", prints: (v) => br(cs(`"${v}"`)) },
  { code: "x=`printf '%s' \"<V>\"`; printf '[%s]' \"$x\"", prints: (v) => br(cs(v)) },
  { code: "printf '[%s]' \"`cat <<EOF\n<V>\nEOF\n`\"", prints: (v) => br(cs(v)) },
  { code: 'echo `echo \\$(<V>)`', refuse: 'command-name' },
  // ${…} operands and names.
  { code: 'echo "${X:-<V>}"', refuse: 'parameter-expansion' },
  { code: 'echo ${X:-<V>}', refuse: 'parameter-expansion' },
  { code: 'X=abc; echo "${X/<V>/y}" ${X//<V>}', refuse: 'parameter-expansion' },
  { code: 'echo "${X:-"$(printf %s <V>)"}"', refuse: 'parameter-expansion' },
  { code: 'echo ${#<V>}', refuse: 'inside-word' },
  { code: 'echo "${<V>}"', refuse: 'inside-word' },
  { code: 'echo $<V>', refuse: 'inside-word' },
  // Arithmetic, subscripts.
  { code: 'a=(1 2); echo $((a[<V>]))', refuse: true },
  { code: 'a=(1 2); echo "${a[<V>]}" ${a[1]}', refuse: true },
  { code: 'a[<V>]=1', refuse: true },
  { code: 'x=(1); x+=([<V>]=2)', refuse: true },
  { code: 'declare -A m=([<V>]=1)', refuse: true },
  { code: 'X=abc; echo "${X:<V>}"', refuse: true },
  { code: 'echo $[<V>]', refuse: true },
  { code: 'for ((i=0; i<<V>; i++)); do :; done', refuse: true },
  { code: 'echo "$(( $(printf %s <V>) ))"', refuse: true },
  { code: '[[ "$(echo <V>)" -eq 1 ]]', refuse: true },
  // [[ ]], case, extglob.
  { code: '[[ x =~ <V> ]] && echo y || echo n', prints: () => 'n\n' },
  { code: '[[ x =~ (a|<V>) ]] && echo y || echo n', prints: () => 'n\n' },
  { code: '[[ <V> == <V> ]] && echo same', prints: () => 'same\n' },
  { code: '[[ x == <V> ]] && echo y || echo n', prints: () => 'n\n' },
  { code: 'case x in <V>) echo m;; *) echo n;; esac', prints: () => 'n\n' },
  { code: 'case x in (y|<V>) echo m;; *) echo n;; esac', prints: () => 'n\n' },
  { code: "case <V> in x) echo m;; *) printf '[%s]' <V>;; esac", prints: (v) => br(v) },
  { code: 'case x in @(<V>)) echo m;; esac', refuse: 'inside-word' },
  { code: 'echo +(<V>)', refuse: 'inside-word' },
  // Here-documents.
  { code: 'cat <<-EOF\n\t<V>\n\t\tx<V>\n\tEOF', prints: (v) => `${v}\nx${v}\n` },
  { code: 'cat <<A; cat <<B\n<V>\nA\n-<V>-\nB', prints: (v) => `${v}\n-${v}-\n` },
  { code: 'cat <<A <<B\nignored <V>\nA\n<V>\nB', prints: (v) => `${v}\n` },
  { code: 'cat <<E<V>\nx\nE<V>', refuse: true },
  { code: "cat <<'EOF'\n<V>\nEOF", refuse: 'quoted-heredoc' },
  { code: 'cat <<"E"\n<V>\nE', refuse: 'quoted-heredoc' },
  { code: 'cat <<\\E\n<V>\nE', refuse: 'quoted-heredoc' },
  { code: "printf '[%s]' \"$(cat <<EOF\n<V>\nEOF\n)\"", prints: (v) => br(cs(`${v}\n`)) },
  { code: 'cat <<EOF | cat\n<V>\nEOF', prints: (v) => `${v}\n` },
  { code: 'cat <<EOF # <V> in a comment\n<V>\nEOF', prints: (v) => `${v}\n` },
  { code: 'cat << EOF\n<V>\nEOF\nprintf \'[%s]\' <V>', prints: (v) => `${v}\n${br(v)}` },
  // Compound commands and keywords.
  { code: "for i in <V> \"<V>\"; do printf '[%s]' \"$i\"; done", prints: (v) => br(v, v) },
  { code: 'for <V> in a; do :; done', refuse: 'variable-name' },
  { code: '<V>() { :; }', refuse: 'command-name' },
  { code: 'function <V> { :; }', refuse: 'command-name' },
  { code: "function f { printf '[%s]' <V>; }; f", prints: (v) => br(v) },
  { code: 'select x in <V>; do break; done </dev/null', prints: () => '\n' },
  { code: 'coproc <V>', refuse: true },
  { code: 'coproc cat <V>', refuse: 'evaluated-block' },
  { code: "time printf '[%s]' <V>", prints: (v) => br(v) },
  { code: 'time <V>', refuse: 'command-name' },
  { code: "! printf '[%s]' <V>", prints: (v) => br(v) },
  { code: '! <V>', refuse: 'command-name' },
  { code: "if [ \"<V>\" = x ]; then :; else printf '[%s]' <V>; fi", prints: (v) => br(v) },
  { code: "while printf '[%s]' <V>; do break; done", prints: (v) => br(v) },
  { code: "{ printf '[%s]' <V>; } | cat", prints: (v) => br(v) },
  { code: "(printf '[%s]' <V>) 2>&1", prints: (v) => br(v) },
  // Declarations, let, assignments.
  { code: "declare x=<V>; printf '[%s]' \"$x\"", prints: (v) => br(v) },
  { code: "f() { local x=<V> y=(<V> <V>); printf '[%s]' \"$x\" \"${y[@]}\"; }; f", prints: (v) => br(v, v, v) },
  { code: "export x=<V>; readonly r=<V>; printf '[%s]' \"$x\" \"$r\"", prints: (v) => br(v, v) },
  { code: "declare -a a=(<V>); a+=(<V>); printf '[%s]' \"${a[@]}\"", prints: (v) => br(v, v) },
  { code: "declare -A m=([k]=<V>); printf '[%s]' \"${m[k]}\"" },
  { code: "x=(<V> [1]=y); printf '[%s]' \"${x[0]}\"" },
  { code: 'declare <V>', refuse: 'variable-name' },
  { code: 'export <V>', refuse: 'variable-name' },
  { code: 'local -n r=<V>', refuse: true },
  { code: 'declare -n r=<V>', refuse: true },
  { code: 'declare -i n=<V>', refuse: true },
  { code: 'declare -a a=<V>', refuse: 'evaluated' },
  { code: 'let n=<V>', refuse: true },
  { code: 'let "n = <V>"', refuse: true },
  { code: 'X=<V> printenv X', prints: (v) => `${v}\n` },
  { code: "X=<V> Y=<V> env | grep -c '^[XY]=' >/dev/null; echo done", prints: () => 'done\n' },
  { code: 'PATH=<V> ls', refuse: 'evaluated' },
  { code: 'IFS=<V> read -r x <<< a', refuse: true },
  { code: 'read -r <V> <<< hi', refuse: 'variable-name' },
  { code: 'printf -v <V> %s hi', refuse: 'variable-name' },
  { code: 'unset <V>', refuse: 'variable-name' },
  { code: '[[ -v <V> ]]', refuse: 'variable-name' },
  // exec, command, builtin, eval-likes.
  { code: "exec printf '[%s]' <V>", refuse: 'evaluated-block' },
  { code: "command printf '[%s]' <V>", refuse: 'evaluated-block' },
  { code: "builtin printf '[%s]' <V>", refuse: 'evaluated-block' },
  { code: '<V> --version', refuse: 'command-name' },
  { code: 'sudo -n <V>', refuse: 'command-name' },
  { code: 'nohup <V> &', refuse: 'command-name' },
  { code: 'echo <V> | sh', refuse: true },
  { code: 'echo <V> > >(bash)', refuse: true },
  // Redirections.
  { code: "printf x > <V> 2>/dev/null; printf '[%s]' done", prints: () => br('done') },
  { code: "printf x >/dev/null 2> <V>; printf '[%s]' done", prints: () => br('done') },
  { code: "printf x &> <V> 2>/dev/null; printf '[%s]' done", prints: () => br('done') },
  { code: "printf x {fd}> <V> >/dev/null 2>&1; printf '[%s]' done", prints: () => br('done') },
  { code: 'exec {<V>}>/dev/null', refuse: true },
  { code: 'cat < <V> >/dev/null 2>&1; echo done', prints: () => 'done\n' },
  { code: 'cat <<< <V>', prints: (v) => `${v}\n` },
  { code: "cat <(printf '[%s]' <V>)", prints: (v) => br(v) },
  { code: "cat < <(printf '[%s]' \"<V>\")", prints: (v) => br(v) },
  // Other quotes, comments, words.
  { code: 'echo $"<V>"', refuse: 'ansi-c-quoted' },
  { code: "echo $'<V>'", refuse: 'ansi-c-quoted' },
  { code: "echo '<V>'", refuse: 'single-quoted' },
  { code: "printf '[%s]' <V> # <V> '<V>' $(<V>)", prints: (v) => br(v) },
  { code: "printf '[%s]' \"a\"<V>'b'$'c'<V>", prints: (v) => br(`a${v}bc${v}`) },
  { code: "printf '[%s]' ~<V>", prints: (v) => br(`~${v}`) },
  { code: "printf '[%s]' {a,<V>} <V>{,.bak}", prints: (v) => br('a', v, v, `${v}.bak`) },
  { code: "printf '[%s]' $$<V> >/dev/null; printf '[%s]' ${#}<V> $1<V>", prints: (v) => br(`0${v}`, v) },
  { code: "printf '[%s]' <V>\r\nprintf '[%s]' \"<V>\"\r\n", prints: (v) => br(`${v}\r`, `${v}\r`) },
  // $NAME references.
  { code: "printf '[%s]' $V \"$V\" ${V} \"${V}\" x$V", prints: (v) => br(v, v, v, v, `x${v}`) },
  { code: 'cat <<EOF\n$V ${V}\nEOF', prints: (v) => `${v} ${v}\n` },
  { code: 'echo $(( V + 1 ))', refuse: true },
  { code: '$V --version', refuse: 'command-name' },
  { code: 'echo "${!V}"', refuse: true },
];

describe('contexts that hold: every hostile value is refused or arrives literally, nothing runs', () => {
  for (const c of CONTEXTS) {
    it(c.code.replace(/\n/g, '⏎').replace(/\r/g, '␍').replace(/\t/g, '⇥'), async () => {
      const reference = /\$\{?!?V\b/.test(c.code) && !c.code.includes('<V>');
      for (const v of HOSTILE) {
        const vals = { V: v };
        const value = canary(v);
        const prints = c.prints?.(value);
        const result = await holds(c.code, vals, prints);
        if (c.refuse) {
          expect(result.problems.length, `not refused: ${JSON.stringify(c.code)} with ${JSON.stringify(v)} → ${result.code}`).toBeGreaterThan(0);
          if (typeof c.refuse === 'string') expect(result.problems.map((p) => p.code)).toContain(c.refuse);
        }
        if (result.problems.length === 0 && v.length > 3 && !reference) expect(result.code).not.toContain(value);
      }
    });
  }

  it('a value holding NUL is refused, never truncated', () => refused("printf '[%s]' <V>", { V: 'a\0$(touch CANARY)' }, 'unrepresentable'));
});

// ---------------------------------------------------------------------------------------------------------
// Findings. Each test asserts the guarantee for a block and value that broke it before the fix.

describe('BUG: `>&` / `1>&` with a value as target — bash expands the target word a second time', () => {
  // bash turns `>& word` (stdout) into `&> word` when the expanded word is not a number, and expands the
  // already expanded text again: $( ), ` ` and a[$( )] in the value run. shell-contexts.ts treats the
  // target as a plain data word ("${RUNBOOK_VAR_LOG}").
  it('printf done >& <LOG>   (LOG = $(touch CANARY))', () => holds('printf done >& <LOG>', { LOG: '$(touch CANARY)' }));
  it('printf done >&"out-<LOG>.log"   (LOG = `touch CANARY`)', () => holds('printf done >&"out-<LOG>.log"', { LOG: '`touch CANARY`' }));
  it('printf done 1>&<LOG>   (LOG = a[$(touch CANARY)])', () => holds('printf done 1>&<LOG>', { LOG: 'a[$(touch CANARY)]' }));
  it('printf done >& $LOG   (run variable LOG = $(touch CANARY))', () => holds('printf done >& $LOG', { LOG: '$(touch CANARY)' }));
  // For contrast, these do not re-expand and are fine today.
  it('&> <LOG>, 2>& <LOG> and <& <LOG> expand once', async () => {
    for (const code of ['printf x &> <LOG>', 'printf x 2>& <LOG>', 'cat <& <LOG>']) await holds(code, { LOG: '$(touch CANARY)' });
  });
});

describe('BUG: backquotes inside "…" — mvdan/sh and bash disagree on \\\\\\" there', () => {
  // In "`…`" bash first turns \\ into \ and \" into ", then parses the inner command. For \\\" mvdan/sh
  // sees an opening quote (so the placeholder looks like it stands inside "…" and becomes a bare
  // ${RUNBOOK_VAR_V}), while bash sees \" — an escaped quote — and the reference stands unquoted,
  // here as a command of its own: the value is split into words and run.
  const BLOCK = 'echo "`printf x \\\\\\"; <V> y; \\\\\\"`"';
  it('(the block as bash reads it)', () => expect(BLOCK).toBe(String.raw`echo "` + '`' + String.raw`printf x \\\"; <V> y; \\\"` + '`"'));
  it('echo "`printf x \\\\\\"; <V> y; \\\\\\"`"   (V = touch CANARY): the value runs', () => holds(BLOCK, { V: 'touch CANARY' }));
  it('the same with a run variable: echo "`printf x \\\\\\"; $CMD; \\\\\\"`"   (CMD = touch CANARY)', () =>
    holds('echo "`printf x \\\\\\"; $CMD; \\\\\\"`"', { CMD: 'touch CANARY' }));
  it('x="`printf %s \\\\\\"<V>\\\\\\"`" — the value is split and globbed (altered)', () =>
    holds("x=\"`printf '%s' \\\\\\\"<V>\\\\\\\"`\"; printf '[%s]' \"$x\"", { V: 'a  *' }, '["a  *"]'));
  // The plain \" form is judged "plain" by the walker (so "${…}" is written) while bash sees "…" there: the
  // reference ends up between "" and "" — unquoted — and is split and globbed.
  it('x="`printf %s \\"<V>\\"`" — the value is split and globbed (altered)', () =>
    holds("x=\"`printf '%s' \\\"<V>\\\"`\"; printf '[%s]' \"$x\"", { V: 'a  *' }, '[a  *]'));
});

describe('BUG: here-document ends where bash ends it, not where mvdan/sh does', () => {
  // Where bash closes a here-document earlier than mvdan/sh, the rest of mvdan's "body" is code to bash,
  // and a placeholder there was written as a bare ${RUNBOOK_VAR_V} (the here-document spelling): bash
  // splits it into words and runs it as a command. Any value then chooses a command (reboot, touch …).
  it('backslash-newline inside the delimiter line: EO\\⏎F closes it for bash', () =>
    holds('cat <<EOF\nEO\\\nF\n<V>\nEOF', { V: 'touch CANARY' }));
  it('EOF\\⏎ followed by an empty line closes it for bash', () => holds('cat <<EOF\nEOF\\\n\n<V>\nEOF', { V: 'touch CANARY' }));
  it('<<- with a tab: \\tEO\\⏎F', () => holds('cat <<-EOF\n\tEO\\\nF\n<V>\nEOF', { V: 'touch CANARY' }));
  it('two here-documents on one line, the first closed by E\\⏎O\\⏎F', () =>
    holds('cat <<EOF <<EOG\na\nE\\\nO\\\nF\nb\nEOG\n<V>\nEOF\nEOG', { V: 'touch CANARY' }));
  it('a run variable in the same place: $CMD', () => holds('cat <<EOF\nEO\\\nF\n$CMD\nEOF', { CMD: 'touch CANARY' }));
  it('inside $( ), closed by "EOF)": bash ends the here-document and the substitution there', () =>
    holds('x=$(cat <<EOF\na\nEOF)\n<V>\nEOF\n)', { V: 'touch CANARY' }));
  it('inside <( ), closed by "EOF)"', () => holds('cat <(cat <<EOF\na\nEOF)\n<V>\nEOF\n)', { V: 'touch CANARY' }));
  it('mixed line endings: <<EOF␍ is closed by "EOF␍" for bash, mvdan/sh waits for "EOF"', () =>
    holds('cat <<EOF\r\nx\r\nEOF\r\n<V>\nEOF\n', { V: 'touch CANARY' }));
});

describe('BUG: ${#NAME} puts an unchecked value into the environment', () => {
  // ${#Y} is exempt from every check (only the length is used) — yet Y's value is still exported under Y.
  // Arithmetic elsewhere in the block evaluates a variable's value recursively, so a second value that
  // is just the name "Y" (no $ ` [ ] ( ), so the block-wide arithmetic rule lets it through) makes bash
  // evaluate Y's value as an expression: a[$(…)] runs.
  it('echo "${#Y}"; n=<V>; (( n > 1 ))   (Y = a[$(touch CANARY)], V = Y)', () =>
    holds('echo "${#Y}"; n=<V>; (( n > 1 )) && echo big', { Y: 'a[$(touch CANARY)]', V: 'Y' }));
  it('(Y alone in ${#Y} is fine: its length is printed)', () => holds('echo "${#Y}"', { Y: 'a[$(touch CANARY)]' }, `${canary('a[$(touch CANARY)]').length}\n`));
});

describe('BUG: the block-wide arithmetic rule checks the raw value, not what the block turns it into', () => {
  // 'arithmetic-unsafe-value' refuses values holding $ ` [ ] ( ) when the block evaluates arithmetic.
  // A copy decoded on the way (printf %b, echo -e, base64 -d …) has those characters back.
  const ENCODED = 'a\\x5b\\x24\\x28touch CANARY\\x29\\x5d'; // a[$(touch CANARY)] as printf %b escapes
  it("y=$(printf '%b' \"<V>\"); (( y > 1 ))", () => holds("y=$(printf '%b' \"<V>\"); (( y > 1 )) && echo big", { V: ENCODED }));
  it("printf -v y '%b' \"<V>\"; [[ $y -gt 1 ]]", () => holds("printf -v y '%b' \"<V>\"; [[ $y -gt 1 ]] && echo big", { V: ENCODED }));
  it('y=$(echo <V> | base64 -d); (( y ))', () =>
    holds('y=$(echo <V> | base64 -d); (( y )) && echo big', { V: Buffer.from(canary('a[$(touch CANARY)]')).toString('base64') }));
});

describe('BUG: an integer is pasted into arithmetic as bare text', () => {
  // `${RUNBOOK_VAR_N}` in $(( )) is spliced into the expression text; after a name and `-`, a negative value
  // makes `n--1` (a post-decrement), so the accepted integer does not arrive as the operand written.
  it('n=5; echo $(( n-<N> ))   (N = -1) prints 6', () => holds('n=5; echo $(( n-<N> ))', { N: '-1' }, '6\n'));
});

describe('BUG: a benign block is refused', () => {
  // A runbook saved with CRLF line endings: bash runs this here-document (its delimiter is "EOF␍").
  it.fails('a here-document in a CRLF block is a parse error', () => accepted('cat <<EOF\r\n<V>\r\nEOF\r\n', { V: 'node-1' }, 'node-1\r\n'));
});

// ---------------------------------------------------------------------------------------------------------
// Limitations of the role lists (shell-roles.ts): commands that run their arguments through a shell, and
// environment variables that programs run, which the lists do not know. Each is a value executed here.

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('LIMITATION: wrappers not in WRAPPERS run `sh -c "…<V>…"` with the value inside', () => {
  for (const wrapper of ['setarch x86_64', 'prlimit --nofile=1024', 'setpriv', 'sg root -c'] as const) {
    const code = wrapper === 'sg root -c' ? 'sg root -c "echo <V>"' : `${wrapper} sh -c "echo <V>"`;
    // The secure answer is a refusal, as for `nice sh -c "echo <V>"` today.
    it(`${code}  (refused like nice sh -c; executed here${has(wrapper.split(' ')[0] as string) ? '' : ', binary absent'})`, async () => {
      const result = await holds(code, { V: '$(touch CANARY)' });
      expect(result.problems.length).toBeGreaterThan(0);
    });
  }
  it('(for contrast: nice sh -c is refused)', () => refused('nice sh -c "echo <V>"', { V: '$(touch CANARY)' }, 'evaluated'));
  // docker exec / docker run take the container command without `--`: the value runs in the container.
  for (const code of ['docker exec web sh -c "echo <V>"', 'docker run --rm alpine sh -c "psql -c \'select <V>\'"', 'ip netns exec ns sh -c "ping <V>"']) {
    it(`${code}  (accepted; runs the value in a shell)`, async () => {
      const prepared = await prepareShell(code, values({ V: '$(touch CANARY)' }));
      expect(prepared.problems.length).toBeGreaterThan(0);
    });
  }
});

describe('LIMITATION: environment variables that programs run (RESERVED covers bash and the loader only)', () => {
  (has('git') ? it : it.skip)('GIT_SSH_COMMAND=<V> git ls-remote ssh://h/r   (V = touch CANARY;)', () =>
    holds('GIT_SSH_COMMAND=<V> git ls-remote ssh://h/r >/dev/null 2>&1; echo done', { V: 'touch CANARY;' }));
});

describe('LIMITATION (documented: "whether it is an option … is the command\'s business"): a value that is a whole option word', () => {
  (has('git') ? it : it.skip)('git ls-remote <V> .   (V = --upload-pack=touch CANARY;)', () =>
    holds('git ls-remote <V> . >/dev/null 2>&1; echo done', { V: '--upload-pack=touch CANARY;' }));
});
