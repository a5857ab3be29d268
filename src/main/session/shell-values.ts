// Variable values in shell blocks are data, never code.
//
// prepareShell (bash on local and ssh targets): a value never enters the code. It goes into the step's
// environment under a name of its own (RUNBOOK_VAR_…), and each <PLACEHOLDER> is rewritten to a quoted
// reference to it — `"${RUNBOOK_VAR_x}"` in a plain word, `${RUNBOOK_VAR_x}` inside "…" or an unquoted
// here-document body — only where the block's syntax proves that bash expands that reference once, as one
// literal argument or text, and never reads the result as code. `$NAME` / `${NAME}` references to run
// variables go to the environment under NAME; unquoted in a plain word they are put in double quotes, so
// a value is never split into several arguments or taken as a glob.
//
// prepareArgv (kubectl lines, run without a shell): each word holding a value is rewritten as one
// single-quoted word, so the kubectl line parser reads exactly one argv word holding the value byte for
// byte; a value that would start a word of its own with `-` (a flag) is refused.
//
// How the contexts are known. Each <PLACEHOLDER> is first replaced by a marker word (letters, digits, _),
// and the block is parsed by mvdan/sh (shell-ast.ts). Where each character stands — quoted or not, in
// arithmetic, a comment, a here-document body, a ${…} operand, inside which word, substitution and pipeline
// stage — is read off that syntax tree (shell-contexts.ts); what each command does with its words (a
// command name, code, a variable name, arithmetic) is shell-roles.ts. Text the parser rejects is refused
// ('parse-error'); a marker the tree does not place whole in one literal is refused ('inside-word'). The
// rewritten block is parsed again and must keep its statements, commands, word counts, redirections and
// comments ('not-provable' otherwise). Values are never pasted into bash code, so a mistake in the roles can
// only put a reference somewhere it is not expanded as intended, and the
// places where bash re-reads a value as code are refused explicitly: arithmetic (unless the value is a
// decimal integer), arguments that commands run (eval, source, trap, sh -c, ssh, awk/sed/jq programs …),
// variable names, command names, and whatever is fed to a command that runs its input (`… | bash`,
// `bash <<EOF`, `psql <<< …`). The lists of such commands cannot be complete; they cover the usual ones.
// `${NAME:-…}` and other expansions with an operator are left as written: bash expands them once (unquoted
// they are split and globbed as the author wrote, never run).
//
// Copies. The checks above follow a value only to where <NAME> / $NAME is written, not into the shell
// variables, pipes, files, positional parameters and functions it is copied into (`y=<N>; $y`,
// `echo <N> | while read l; do eval "$l"; done`, `echo <N> > f; source f`). Exact data-flow tracking is not
// attempted; instead, when a block carries any value (a placeholder with a value, or a named run variable,
// ${#NAME} included: the value is in the environment all the same), the block is judged as a whole, and "unsure" is the dangerous answer:
//  - 'evaluated-block', for every value in the block, when ANY part of the block runs text as code: eval,
//    source / ., trap, alias, a shell (sh bash dash zsh ksh mksh fish busybox …) as a command name anywhere
//    (in { }, ( ), $( ), <( ) >( ), after a pipe, after a wrapper such as nohup, env or kubectl exec --),
//    su, runuser, xargs, exec, command, builtin, coproc, watch, parallel, at, sudo/doas -s/-i, env -S,
//    declare/typeset/local -n, ${!name} and ${name@P}, mapfile -C, a command name that is an expansion
//    ($y, ${y}, "$y", $(…)), a program argument of awk/sed/python/… that holds an expansion, anything
//    piped or fed to a command that runs its input, text run as code that names RUNBOOK_VAR_…, and a block
//    that writes files and runs a command by its path (./x.sh);
//  - 'arithmetic-unsafe-value', for every value holding one of $ ` [ ] ( ), when ANY part of the block
//    evaluates arithmetic: (( )), $(( )), $[ ], let, for (( )), [[ … -eq/-ne/-lt/-le/-gt/-ge … ]], array
//    subscripts, ${x:offset:length}, declare/typeset/local -i, a variable name with a subscript or one
//    given by an expansion (unset "$y", printf -v "$y"), and -v tests. Bash arithmetic runs a command only
//    through a subscript holding a substitution (a[$(…)]), which needs those characters. (`[ a -eq b ]`
//    is not arithmetic: test reads plain integers.) When the block also passes data through commands (a
//    substitution, a pipe, read, printf -v, a file), which could decode any value into those characters
//    (printf %b, base64 -d), only decimal integers may enter it;
//  - 'not-provable', for every value, where bash and mvdan/sh could read the block differently: a carriage
//    return or NUL, a here-document that a line could close earlier for bash (a body line starting with
//    the delimiter, as "EOF)" in $( ), a line ending in a backslash), "\"" inside `…` inside "…".
// Both are on top of the rules above. What stays out of reach: a program literally written by the author
// that reads the environment, a file or its input and runs it (awk '{ system($0) }', perl -e 'system
// $ENV{y}'), and files run by later steps.
//
// Flags. A value starting with `-` that would begin an argument of a command ('flag') is refused unless a
// `--` argument comes before it: the command could read it as an option (git's --upload-pack=… runs a
// command). Glued after text (--name=<X>, x<X>) it is part of that word. A value in a word bash
// brace-expands ({-e,<X>}) is refused: the expansion makes words the analysis does not see. The target of
// `>&` is code: bash expands it again when it is not a descriptor number.
import { shellSingleQuote } from '../../shared/shell-quote.js';
import { parseKubectlLines } from '../targets/kubernetes/kubectl-lines.js';
import { type ShellFile, type Stmt, type Word, parseBash, partsOf } from './shell-ast.js';
import { type Contexts, type Ctx, type Frame, type Lex, type Ref, type WordRec, literalOf, readContexts } from './shell-contexts.js';
import { RESERVED } from './shell-roles.js';
import { PLACEHOLDER } from './substitute.js';

export type ShellValueProblemCode =
  /** Inside '…': bash would print the reference as text, and pasting the value there is what broke before. */
  | 'single-quoted'
  /** Inside $'…' (or $"…"): escapes, not expansions, happen there. */
  | 'ansi-c-quoted'
  /** In the body of a here-document whose delimiter is quoted (<<'EOF'): the body is literal. */
  | 'quoted-heredoc'
  /** In arithmetic ($(( )), (( )), let, [[ -eq ]], subscripts, declare -i …) and not a decimal integer. */
  | 'arithmetic-not-number'
  /** Glued to shell syntax: part of a $name, after a backslash, in an extended glob, a heredoc delimiter … */
  | 'inside-word'
  /** Part of a command name, or of the command a wrapper (sudo, xargs, find -exec …) runs. */
  | 'command-name'
  /** argv only: a value that would be a word of its own starting with '-'. */
  | 'flag'
  /** In an argument that a command runs as code: eval, source, trap, sh -c, ssh, awk, sed, jq … */
  | 'evaluated'
  /** Used as a variable name (read, unset, declare, [[ -v ]], ${!name} …): bash evaluates subscripts in names. */
  | 'variable-name'
  /** Inside the operand of ${name…} (${X:-<V>}, ${X#<V>} …). */
  | 'parameter-expansion'
  /** A $NAME whose name the shell or the dynamic loader acts on (PATH, IFS, BASH_ENV, LD_PRELOAD …). */
  | 'reserved-name'
  /** The block evaluates arithmetic somewhere and the value holds $ ` [ ] ( ): a copy of it could run code there. */
  | 'arithmetic-unsafe-value'
  /** The block runs text as code somewhere (eval, source, a shell, xargs, $cmd …): a copy of any value could reach it. */
  | 'evaluated-block'
  /** The value cannot travel in an environment variable or argv word (NUL, unpaired surrogate). */
  | 'unrepresentable'
  /** The block does not parse as bash. */
  | 'parse-error'
  /** The rewritten block does not parse to the same structure as the block as written. */
  | 'not-provable'
  | (string & {});

export interface ShellValueProblem {
  /** The key the value was found under: "<NAME>" or "NAME". */
  variable: string;
  /** 1-based line within the block's code. */
  line: number;
  code: ShellValueProblemCode;
  message: string;
}

export interface PreparedShell {
  code: string;
  env: Record<string, string>;
  problems: ShellValueProblem[];
}

/** $NAME, ${NAME…}, ${#NAME}, ${!NAME}: the spellings listed when a block cannot be parsed. */
const MENTION = /\$\{?[#!]?([A-Za-z_][A-Za-z0-9_]*)/g;
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/** For bash (local and ssh targets): values go only into the environment; placeholders become quoted references. */
export async function prepareShell(code: string, values: ReadonlyMap<string, string>): Promise<PreparedShell> {
  return prepare(code, values, 'shell');
}

/** For blocks run without a shell (kubectl lines on a kubernetes target): values become whole argv words, never flags. */
export async function prepareArgv(code: string, values: ReadonlyMap<string, string>): Promise<PreparedShell> {
  return prepare(code, values, 'argv');
}

/** Why the block as a whole runs text as code and why it evaluates arithmetic, whatever the values' paths. */
function blockRisks(scan: Contexts, text: string): { evaluates: string | null; arithmetic: string | null } {
  const evaluates = [...scan.evaluators];
  for (const st of scan.codeStages) evaluates.push(st.why);
  for (const r of scan.codeRanges) evaluates.push(r.why);
  if (scan.writesFiles && scan.pathCommand) evaluates.push('it writes files and runs a command by its path');
  // The environment names given to placeholders are predictable: text run as code could read them.
  for (const w of scan.codeWords) if (/RUNBOOK_VAR_/.test(text.slice(w.start, w.end))) evaluates.push(`${w.why}, on text that names RUNBOOK_VAR_…`);
  const arithmetic = [...scan.arithmetic];
  for (const w of scan.words) {
    if (w.role === 'arith') arithmetic.push(w.why);
    if (w.role !== 'varname') continue;
    // A name with a subscript, or one a test reads (-v), has its subscript evaluated as arithmetic.
    const literal = literalOf(w);
    if (literal === null || literal.includes('[') || w.tested) arithmetic.push(w.why);
  }
  return { evaluates: evaluates[0] ?? null, arithmetic: arithmetic[0] ?? null };
}

/** What bash arithmetic needs to run code: a subscript (a[…]) holding a substitution ($( ), ` `). */
const ARITHMETIC_UNSAFE = /[$`[\]()]/;

// ---------------------------------------------------------------------------------------------------------
// Preparing a block

interface Occurrence {
  kind: 'placeholder' | 'reference';
  /** The key the value was found under: "<NAME>" or "NAME". */
  variable: string;
  name: string;
  value: string;
  /** Offsets in the marked text. */
  start: number;
  end: number;
  /** Offsets in the block as written. */
  oStart: number;
  oEnd: number;
  line: number;
  ref?: Ref;
}

interface Marked {
  text: string;
  prefix: string;
  /** Marked-text offset → block offset, for offsets outside markers. */
  toOriginal: (offset: number) => number;
  /** Block offset → its 1-based line in the block. */
  lineOf: (offset: number) => number;
  placeholders: Occurrence[];
}

/** How many of the ascending `sorted` are at most `x`. */
function countAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** 1-based line of an offset of `code`, by binary search over its newlines (found once, not per lookup). */
function lineFinder(code: string): (offset: number) => number {
  const newlines: number[] = [];
  for (let k = code.indexOf('\n'); k !== -1; k = code.indexOf('\n', k + 1)) newlines.push(k);
  return (offset) => 1 + countAtMost(newlines, offset - 1);
}

function markerPrefix(code: string): string {
  for (;;) {
    const prefix = `rbv${Math.random().toString(36).slice(2, 10).replace(/[^a-z0-9]/g, '')}`;
    if (prefix.length >= 9 && !code.includes(prefix)) return prefix;
  }
}

/** Replaces each <PLACEHOLDER> that has a value with a marker word: `<prefix>_<n>_`. */
function markPlaceholders(code: string, values: ReadonlyMap<string, string>): Marked {
  const prefix = markerPrefix(code);
  const lineOf = lineFinder(code);
  let text = '';
  let at = 0;
  // Where the marked text and the block line up again after each marker (ascending in both).
  const shifts: { marked: number; original: number }[] = [{ marked: 0, original: 0 }];
  const placeholders: Occurrence[] = [];
  for (const m of code.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    const variable = values.has(`<${name}>`) ? `<${name}>` : values.has(name) ? name : null;
    if (variable === null) continue;
    text += code.slice(at, m.index);
    const marker = `${prefix}_${placeholders.length}_`;
    const start = text.length;
    text += marker;
    at = m.index + m[0].length;
    shifts.push({ marked: text.length, original: at });
    placeholders.push({
      kind: 'placeholder',
      variable,
      name,
      value: values.get(variable) as string,
      start,
      end: text.length,
      oStart: m.index,
      oEnd: at,
      line: lineOf(m.index),
    });
  }
  text += code.slice(at);
  const markedAt = shifts.map((s) => s.marked);
  const toOriginal = (offset: number) => {
    const best = shifts[Math.max(0, countAtMost(markedAt, offset) - 1)] as { marked: number; original: number };
    return best.original + (offset - best.marked);
  };
  return { text, prefix, toOriginal, lineOf, placeholders };
}

/** Statements, commands (with their number of words), redirections, here-documents, lists and comments: what a rewrite must keep. */
function outline(file: ShellFile): string {
  const out: string[] = [];
  const words = (ws: readonly Word[]) => {
    for (const w of ws) for (const p of partsOf(w)) if (p.type === 'CmdSubst' || p.type === 'ProcSubst') list(p.stmts);
  };
  const list = (stmts: readonly Stmt[]) => {
    out.push('(');
    for (const st of stmts) stmt(st);
    out.push(')');
  };
  const stmt = (st: Stmt) => {
    const c = st.cmd;
    out.push(`${c?.type ?? '-'}${st.negated ? '!' : ''}${st.background ? '&' : ''}`);
    for (const r of st.redirs) {
      out.push(`${r.op}${r.hdoc ? 'h' : ''}`);
      words(r.hdoc ? [r.word, r.hdoc] : [r.word]);
    }
    if (!c) return;
    switch (c.type) {
      case 'CallExpr':
        out.push(`${c.assigns.length}=${c.args.length}`);
        words([...c.args, ...c.assigns.flatMap((a) => (a.value ? [a.value] : []))]);
        break;
      case 'BinaryCmd':
        out.push(c.op);
        stmt(c.x);
        stmt(c.y);
        break;
      case 'Block':
      case 'Subshell':
        list(c.stmts);
        break;
      case 'IfClause':
        for (let k: typeof c | null = c; k; k = k.else) {
          list(k.cond);
          list(k.then);
        }
        break;
      case 'WhileClause':
        list(c.cond);
        list(c.do);
        break;
      case 'ForClause':
        if (c.loop.type === 'WordIter') out.push(`in${c.loop.items?.length ?? '-'}`);
        list(c.do);
        break;
      case 'CaseClause':
        for (const item of c.items) {
          out.push(`${item.patterns.length}${item.op}`);
          list(item.stmts);
        }
        break;
      case 'FuncDecl':
        stmt(c.body);
        break;
      case 'DeclClause':
        out.push(`${c.args.length}`);
        break;
      case 'TimeClause':
        if (c.stmt) stmt(c.stmt);
        break;
      case 'CoprocClause':
        stmt(c.stmt);
        break;
      default:
        break;
    }
  };
  list(file.stmts);
  out.push(`#${file.comments.length}`);
  return out.join(' ');
}

type Verdict =
  /**
   * kind: how bash reads the characters there (and so how a reference is spelled): a plain word, "…"-like
   * text, or an arithmetic operand. arithmetic: bash evaluates the result as an expression somewhere up
   * the chain ('direct' when the value itself is the operand, 'output' when a command's output is).
   */
  | { ok: true; kind: 'plain' | 'dq' | 'arith'; arithmetic: 'direct' | 'output' | null; word: WordRec | null; nested: boolean }
  | { ok: true; kind: 'comment' }
  | { ok: false; code: ShellValueProblemCode; message: string };

const QUOTING: Partial<Record<Lex, { code: ShellValueProblemCode; message: string }>> = {
  sq: { code: 'single-quoted', message: "stands inside '…', where bash expands nothing; put it outside quotes or in \"…\"" },
  ansi: { code: 'ansi-c-quoted', message: "stands inside $'…', where bash expands nothing; put it outside quotes or in \"…\"" },
  locale: { code: 'ansi-c-quoted', message: 'stands inside $"…" (a translatable string); use "…"' },
  qheredoc: { code: 'quoted-heredoc', message: "stands in a here-document with a quoted delimiter (<<'EOF'), whose body is literal; unquote the delimiter" },
  param: { code: 'inside-word', message: 'would become part of a variable name ($NAME<X>); write ${NAME}<X>' },
  syntax: { code: 'inside-word', message: 'is glued to shell syntax (a name being assigned, a number, an operator)' },
  escaped: { code: 'inside-word', message: 'follows a backslash' },
  delim: { code: 'inside-word', message: 'is part of a here-document delimiter' },
  extglob: { code: 'inside-word', message: 'stands in an extended glob pattern' },
};

/** Where a run of characters stands: the same context for all of them, or null. */
function contextOf(scan: Contexts, start: number, end: number): Ctx | null {
  const first = scan.ctx[start];
  if (!first) return null;
  for (let k = start + 1; k < end; k++) {
    const c = scan.ctx[k];
    if (!c || c.lex !== first.lex || c.frame !== first.frame) return null;
  }
  return first;
}

/** Follows the frames outwards: what the enclosing words, substitutions and arithmetic do with the text. */
function judge(lex: Lex, frame: Frame | null, who: string, reference = false): Verdict {
  let arithmetic: 'direct' | 'output' | null = lex === 'arith' ? 'direct' : null;
  let word: WordRec | null = null;
  let nested = false;
  let substituted = false;
  for (let f = frame; f; f = f.parent) {
    if (f.kind !== 'word' && f.kind !== 'stage') nested = true;
    if (f.kind === 'word' && word) nested = true;
    if (f.kind === 'subst') substituted = true;
    if (f.kind === 'arith') arithmetic ??= substituted ? 'output' : 'direct';
    // A reference there is expanded once, as data; a placeholder would need quoting whose meaning
    // depends on the operator and on the quotes around the ${…}.
    if (f.kind === 'operand' && !reference) return { ok: false, code: 'parameter-expansion', message: `${who} stands in the operand of \${…}; put the value in a variable of its own` };
    if (f.kind === 'stage' && f.stage?.role === 'code') return { ok: false, code: 'evaluated', message: `${who} would be read as code: ${f.stage.why}` };
    if (f.kind === 'word' && f.word) {
      word ??= f.word;
      const w = f.word;
      if (w.role === 'code') return { ok: false, code: 'evaluated', message: `${who} would be read as code: ${w.why}` };
      if (w.role === 'name') return { ok: false, code: 'command-name', message: `${who} would be part of ${w.why === 'the command name' ? 'a command name' : w.why}: a value must not choose what runs` };
      if (w.role === 'varname') return { ok: false, code: 'variable-name', message: `${who} would be a variable name (${w.why}): bash evaluates a[…] subscripts in names as code` };
      if (w.role === 'arith') arithmetic ??= substituted ? 'output' : 'direct';
    }
  }
  if (lex === 'comment') return { ok: true, kind: 'comment' };
  const quoting = QUOTING[lex];
  if (quoting) return { ok: false, code: quoting.code, message: `${who} ${quoting.message}` };
  return { ok: true, kind: lex === 'arith' ? 'arith' : lex === 'plain' ? 'plain' : 'dq', arithmetic, word, nested };
}

function unrepresentable(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

function envNameFor(name: string, taken: (candidate: string) => boolean): string {
  const base = `RUNBOOK_VAR_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  let candidate = base;
  for (let n = 2; taken(candidate); n++) candidate = `${base}_${n}`;
  return candidate;
}

function prepare(code: string, values: ReadonlyMap<string, string>, mode: 'shell' | 'argv'): PreparedShell {
  const refused = (problems: ShellValueProblem[]): PreparedShell => ({ code, env: {}, problems });
  const marked = markPlaceholders(code, values);
  // Bash reads a run variable's value only where the block names it ($X, ${X…}, X in arithmetic).
  const named = [...values.keys()].some((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && new RegExp(`(?<![A-Za-z0-9_])${k}(?![A-Za-z0-9_])`).test(code));
  if (marked.placeholders.length === 0 && !named) return { code, env: {}, problems: [] };

  // For a block that cannot be read: every placeholder, and every spelling of a run variable that could be a reference.
  const everyOccurrence = (codeName: ShellValueProblemCode, message: string): ShellValueProblem[] => [
    ...marked.placeholders.map((o) => ({ variable: o.variable, line: o.line, code: codeName, message: `<${o.name}>: ${message}` })),
    ...[...code.matchAll(MENTION)]
      .filter((m) => values.has(m[1] as string))
      .map((m) => ({ variable: m[1] as string, line: marked.lineOf(m.index), code: codeName, message: `${m[0]}: ${message}` })),
  ];

  // mvdan/sh reads a carriage return outside quotes as a blank, bash as part of a word; it stops at a NUL.
  if (/[\r\0]/.test(marked.text)) return refused(everyOccurrence('not-provable', 'the block holds a carriage return or a NUL character, which bash and the parser read differently'));
  const parsed = parseBash(marked.text);
  if (!parsed.ok) return refused(everyOccurrence('parse-error', `the block does not parse as bash (line ${parsed.line}: ${parsed.message})`));

  const markerRe = new RegExp(`^${marked.prefix}_[0-9]+_`);
  const isMarkerAt = (offset: number) => markerRe.exec(marked.text.slice(offset, offset + marked.prefix.length + 12))?.[0].length ?? 0;
  const scan = readContexts(marked.text, parsed.file, (name) => values.has(name), isMarkerAt);
  if (scan.unprovable.length > 0) {
    return refused(everyOccurrence('not-provable', `bash may read this block differently from the parser (${scan.unprovable[0]}), so no value may enter it`));
  }

  const occurrences: Occurrence[] = [...marked.placeholders];
  for (const ref of scan.refs) {
    const oStart = marked.toOriginal(ref.start);
    occurrences.push({
      kind: 'reference',
      variable: ref.name,
      name: ref.name,
      value: values.get(ref.name) as string,
      start: ref.start,
      end: ref.end,
      oStart,
      oEnd: marked.toOriginal(ref.end),
      line: marked.lineOf(oStart),
      ref,
    });
  }
  occurrences.sort((a, b) => a.start - b.start);

  const problems: ShellValueProblem[] = [];
  const problem = (o: Occurrence, codeName: ShellValueProblemCode, message: string) => problems.push({ variable: o.variable, line: o.line, code: codeName, message });
  const who = (o: Occurrence) => (o.kind === 'placeholder' ? `<${o.name}>` : o.ref?.simple ? code.slice(o.oStart, o.oEnd) : `\${${o.name}…}`);
  const accepted: Accepted[] = [];

  /** The values the block carries (to the environment), each at its first occurrence. */
  const carried = new Map<string, Occurrence>();
  for (const o of occurrences) {
    // ${#NAME} too: the value still goes into the environment, where a copy of its name can reach it.
    if (o.kind === 'placeholder' && scan.ctx[o.start]?.lex === 'comment') continue;
    if (!carried.has(o.variable)) carried.set(o.variable, o);
  }
  if (mode === 'shell' && carried.size > 0) {
    // The analysis below follows a value to where it is written, not into the variables, files, pipes and
    // functions it is copied into; so a block that runs code or evaluates arithmetic anywhere is judged whole.
    const risks = blockRisks(scan, marked.text);
    for (const o of carried.values()) {
      const name = spelled(o);
      if (risks.evaluates) {
        problems.push({ variable: o.variable, line: o.line, code: 'evaluated-block', message: `${name}: the block runs text as code (${risks.evaluates}); a copy of the value (in a variable, a pipe, a file, a function argument) could reach it, so no value may enter this block` });
      }
      if (risks.arithmetic && ARITHMETIC_UNSAFE.test(o.value)) {
        problems.push({ variable: o.variable, line: o.line, code: 'arithmetic-unsafe-value', message: `${name}: the block evaluates arithmetic (${risks.arithmetic}), where a copy of a value holding $ \` [ ] ( ) can run code (a[$(…)]); the value must not contain them` });
      } else if (risks.arithmetic && scan.transforms.length > 0 && !INTEGER.test(o.value)) {
        // Through a command (printf %b, base64 -d …) any value can come out as a[$(…)]: only a number is safe.
        problems.push({ variable: o.variable, line: o.line, code: 'arithmetic-unsafe-value', message: `${name}: the block evaluates arithmetic (${risks.arithmetic}) and passes data through commands (${scan.transforms[0]}), which could turn a value into a[$(…)] there; the value must be a decimal integer` });
      }
    }
  }

  for (const o of occurrences) {
    let verdict: Verdict;
    if (o.kind === 'placeholder') {
      const c = contextOf(scan, o.start, o.end);
      verdict = c ? judge(c.lex, c.frame, who(o)) : { ok: false, code: 'inside-word', message: `${who(o)} is split across shell syntax (after a backslash, inside a name …)` };
    } else {
      const ref = o.ref as Ref;
      verdict = judge(ref.lex, ref.frame, who(o), true);
      // ${#NAME} is a number whatever the value: nothing of the value reaches the code.
      if (ref.lengthOnly) verdict = { ok: true, kind: 'dq', arithmetic: null, word: null, nested: true };
      if (verdict.ok && ref.evaluates) verdict = { ok: false, code: 'evaluated', message: `${who(o)} reads the value as a name or a prompt (\${!…}, \${…@P}), which bash evaluates` };
      if (verdict.ok && mode === 'shell' && RESERVED.test(o.name)) {
        verdict = { ok: false, code: 'reserved-name', message: `$${o.name}: a run variable named ${o.name} would change what bash and the programs it starts do; rename it` };
      }
    }
    if (!verdict.ok) {
      problem(o, verdict.code, verdict.message);
      continue;
    }
    if (verdict.kind === 'comment') continue;
    if (unrepresentable(o.value)) {
      problem(o, 'unrepresentable', `${who(o)}: the value holds a NUL character or an unpaired surrogate, which cannot be passed to a process`);
      continue;
    }
    if (verdict.arithmetic && !INTEGER.test(o.value)) {
      const where = verdict.arithmetic === 'direct' ? 'is used in arithmetic' : 'is in a command whose output is used in arithmetic';
      problem(o, 'arithmetic-not-number', `${who(o)} ${where}, where bash evaluates text as an expression (a[$(…)] runs code); the value must be a decimal integer`);
      continue;
    }
    if (verdict.word?.braces) {
      problem(o, 'inside-word', `${who(o)} stands in a word that bash brace-expands ({a,b}, {1..3}) into several words`);
      continue;
    }
    if (mode === 'shell' && verdict.kind !== 'arith' && o.value.startsWith('-') && beginsText(verdict.word, o, marked)) {
      problem(o, 'flag', `${who(o)}: the value starts with "-" and would begin a word (or a copy of one), which a command may read as an option; put it after text of the word (--name=<X>)`);
      continue;
    }
    accepted.push({ o, kind: verdict.kind, word: verdict.word, nested: verdict.nested });
  }

  return mode === 'shell'
    ? finishShell(code, marked, scan, accepted, problems, values, outline(parsed.file))
    : finishArgv(code, marked, accepted, problems, outline(parsed.file));
}

/** How an occurrence is named in a message: <NAME> or $NAME. */
const spelled = (o: Occurrence) => (o.kind === 'placeholder' ? `<${o.name}>` : `$${o.name}`);

type Accepted = { o: Occurrence; kind: 'plain' | 'dq' | 'arith'; word: WordRec | null; nested: boolean };

/** Expansions that may be empty, in here-document text before a value. */
const MAYBE_EMPTY = /\$\{[^}]*\}|\$[A-Za-z_0-9@*#?$!-][A-Za-z_0-9]*|\$\([^)]*\)|`[^`]*`/g;

/**
 * Whether the value may be the first text of its word (or, in a here-document, of its line, which `read`
 * copies): nothing but other values, expansions and quotes before it. Any word counts, not only a
 * command's arguments: `x=<V>; sort "$x"` and `set -- <V>` copy it to where an option is read, and `--`
 * ends options only for some commands and only where it belongs to them.
 */
function beginsText(word: WordRec | null, o: Occurrence, marked: Marked): boolean {
  const markers = new RegExp(`${marked.prefix}_[0-9]+_`, 'g');
  if (!word) {
    const lineStart = marked.text.lastIndexOf('\n', o.start - 1) + 1;
    return marked.text.slice(lineStart, o.start).replace(markers, '').replace(MAYBE_EMPTY, '').trim() === '';
  }
  const own = marked.text.slice(o.start, o.end);
  let before = '';
  for (const piece of word.pieces) {
    if (typeof piece !== 'string') {
      if (piece === o.ref) return before === '';
      continue; // another value, which may be empty
    }
    const at = o.kind === 'placeholder' ? piece.indexOf(own) : -1;
    if (at >= 0) return before + piece.slice(0, at).replace(markers, '') === '';
    before += piece.replace(markers, '');
  }
  return true;
}

function finishShell(
  code: string,
  marked: Marked,
  scan: Contexts,
  accepted: Accepted[],
  problems: ShellValueProblem[],
  values: ReadonlyMap<string, string>,
  shape: string,
): PreparedShell {
  const env: Record<string, string> = {};
  for (const { o } of accepted) if (o.kind === 'reference') env[o.name] = o.value;

  // A run variable in the environment can still be read by code a command runs: bash -c '… $NAME …'.
  const codeText = [...scan.codeWords, ...scan.codeStages.flatMap((st) => st.words.map((w) => ({ ...w, why: st.why }))), ...scan.codeRanges];
  for (const w of codeText) {
    const text = marked.text.slice(w.start, w.end);
    for (const name of Object.keys(env)) {
      if (new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).test(text)) {
        const oStart = marked.toOriginal(w.start);
        problems.push({ variable: name, line: marked.lineOf(oStart), code: 'evaluated', message: `${name} is named in text that runs as code (${w.why}), which would read its value` });
      }
    }
  }
  if (problems.length > 0) return { code, env: {}, problems: dedupe(problems) };

  const taken = (candidate: string) => candidate in env || values.has(candidate) || code.includes(candidate);
  const envNames = new Map<string, string>();
  const replacements: { start: number; end: number; text: string }[] = [];
  for (const { o, kind } of accepted) {
    if (o.kind === 'placeholder') {
      let envName = envNames.get(o.variable);
      if (!envName) {
        envName = envNameFor(o.name, (c) => taken(c) || [...envNames.values()].includes(c));
        envNames.set(o.variable, envName);
        env[envName] = o.value;
      }
      // In arithmetic the value is one operand whatever its sign: n-<N> with N = -1 is n-(-1), not n--1.
      const reference = kind === 'plain' ? `"\${${envName}}"` : kind === 'arith' ? `(\${${envName}})` : `\${${envName}}`;
      replacements.push({ start: o.oStart, end: o.oEnd, text: reference });
    } else if (kind === 'plain' && o.ref?.simple && o.ref.frame?.kind === 'word') {
      // Unquoted, bash would split the value into words and expand globs in it.
      replacements.push({ start: o.oStart, end: o.oEnd, text: `"\${${o.name}}"` });
    }
  }
  const out = applyReplacements(code, replacements);
  // The rewritten block must parse to the same outline as the block with markers in place of values.
  const after = parseBash(out);
  if (!after.ok || outline(after.file) !== shape) {
    return notProvable(code, accepted, 'the block with references in place of values does not keep its structure');
  }
  return { code: out, env, problems: [] };
}

function notProvable(code: string, accepted: Accepted[], message: string): PreparedShell {
  return { code, env: {}, problems: accepted.map(({ o }) => ({ variable: o.variable, line: o.line, code: 'not-provable', message: `${spelled(o)}: ${message}` })) };
}

function finishArgv(code: string, marked: Marked, accepted: Accepted[], problems: ShellValueProblem[], shape: string): PreparedShell {
  const byWord = new Map<WordRec, Occurrence[]>();
  const markerRe = new RegExp(`${marked.prefix}_([0-9]+)_`, 'g');
  for (const { o, kind, word, nested } of accepted) {
    if (kind !== 'plain' && kind !== 'dq' || !word || nested || word.dynamic) {
      problems.push({ variable: o.variable, line: o.line, code: 'inside-word', message: `${spelled(o)}: a kubectl line takes a value only in a word of literal text` });
      continue;
    }
    byWord.set(word, [...(byWord.get(word) ?? []), o]);
  }
  const replacements: { start: number; end: number; text: string }[] = [];
  const words: { sentinel: string; value: string; start: number; end: number }[] = [];
  for (const [word, found] of byWord) {
    // The word's text with the values put in; the author's text before the first value tells a flag.
    let text = '';
    let prefix: string | null = null;
    for (const piece of word.pieces) {
      if (typeof piece !== 'string') {
        prefix ??= text;
        text += found.find((o) => o.ref === piece)?.value ?? '';
        continue;
      }
      let at = 0;
      for (const m of piece.matchAll(markerRe)) {
        text += piece.slice(at, m.index);
        prefix ??= text;
        text += marked.placeholders[Number(m[1])]?.value ?? m[0];
        at = m.index + m[0].length;
      }
      text += piece.slice(at);
    }
    if (prefix === '' && text.startsWith('-')) {
      for (const o of found) problems.push({ variable: o.variable, line: o.line, code: 'flag', message: `${spelled(o)}: the value would start a word of its own with "-", which kubectl reads as an option` });
      continue;
    }
    const start = marked.toOriginal(word.start);
    const end = marked.toOriginal(word.end);
    replacements.push({ start, end, text: shellSingleQuote(text) });
    words.push({ sentinel: `${marked.prefix}w${words.length}w`, value: text, start, end });
  }
  if (problems.length > 0) return { code, env: {}, problems: dedupe(problems) };
  const out = applyReplacements(code, replacements);
  // Proof by the reader that runs it: with each rewritten word replaced by a sentinel word, the kubectl line
  // parser reads the same lines as from the output, where each sentinel stands for exactly its value.
  const probe = parseKubectlLines(applyReplacements(code, words.map((w) => ({ start: w.start, end: w.end, text: w.sentinel }))));
  const got = parseKubectlLines(out);
  if (probe.ok !== got.ok) return notProvable(code, accepted, 'the kubectl line parser does not read the value as one word');
  if (probe.ok && got.ok) {
    const expect = probe.lines.map((line) => line.args.map((arg) => words.find((w) => w.sentinel === arg)?.value ?? arg));
    const same = expect.length === got.lines.length && expect.every((args, k) => JSON.stringify(args) === JSON.stringify(got.lines[k]?.args));
    const used = words.every((w) => probe.lines.some((line) => line.args.includes(w.sentinel)));
    if (!same || !used) return notProvable(code, accepted, 'the kubectl line parser does not read the value as one word');
  }
  const after = parseBash(out);
  if (!after.ok || outline(after.file) !== shape) return notProvable(code, accepted, 'the block with values in place does not keep its structure');
  return { code: out, env: {}, problems: [] };
}

function applyReplacements(code: string, replacements: { start: number; end: number; text: string }[]): string {
  replacements.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const r of replacements) {
    if (r.start < at) continue;
    out += code.slice(at, r.start) + r.text;
    at = r.end;
  }
  return out + code.slice(at);
}

function dedupe(problems: ShellValueProblem[]): ShellValueProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = `${p.variable}\0${p.line}\0${p.code}\0${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line);
}
