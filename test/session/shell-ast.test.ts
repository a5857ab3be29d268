// shell-ast.ts reads mvdan/sh's tree: its operator tables, offsets and errors are checked against the parser itself.
import { describe, expect, it } from 'vitest';
import { type Command, type Stmt, type Word, OPERATOR_TABLES, parseBash } from '../../src/main/session/shell-ast.js';

function only(text: string): Stmt {
  const parsed = parseBash(text);
  if (!parsed.ok) throw new Error(parsed.message);
  expect(parsed.file.stmts).toHaveLength(1);
  return parsed.file.stmts[0] as Stmt;
}

function cmd<T extends Command['type']>(text: string, type: T): Extract<Command, { type: T }> {
  const c = only(text).cmd;
  expect(c?.type).toBe(type);
  return c as Extract<Command, { type: T }>;
}

const arg = (text: string, k: number): Word => cmd(text, 'CallExpr').args[k] as Word;

describe('shell-ast: operators', () => {
  it('reads every redirection operator', () => {
    for (const op of Object.values(OPERATOR_TABLES.REDIRECT_OPS)) {
      const heredoc = op === '<<' || op === '<<-';
      const stmt = only(`cat ${op} x${heredoc ? '\nbody\nx\n' : ''}`);
      expect(stmt.redirs.map((r) => r.op)).toEqual([op]);
    }
  });

  it('reads pipelines, lists, case terminators, process substitutions and extended globs', () => {
    for (const op of ['&&', '||', '|', '|&'] as const) expect(cmd(`a ${op} b`, 'BinaryCmd').op).toBe(op);
    for (const op of [';;', ';&', ';;&']) expect(cmd(`case a in a) b ${op} esac`, 'CaseClause').items[0]?.op).toBe(op);
    for (const op of ['<(', '>(']) expect(arg(`a ${op}b)`, 1).parts[0]).toMatchObject({ type: 'ProcSubst', op });
    for (const op of ['?(', '*(', '+(', '@(', '!(']) expect(arg(`echo ${op}a)`, 1).parts[0]).toMatchObject({ type: 'ExtGlob', op });
  });

  it('reads parameter operators and [[ ]] tests', () => {
    for (const op of Object.values(OPERATOR_TABLES.PARAM_OPS)) {
      const text = op === '@' ? 'echo ${a@Q}' : `echo \${a${op}b}`;
      expect(arg(text, 1).parts[0]).toMatchObject({ type: 'ParamExp', exp: { op } });
    }
    for (const op of ['*', '@']) expect(arg(`echo \${!a${op}}`, 1).parts[0]).toMatchObject({ type: 'ParamExp', names: op });
    for (const op of Object.values(OPERATOR_TABLES.BINARY_TEST_OPS)) expect(cmd(`[[ a ${op} b ]]`, 'TestClause').x).toMatchObject({ type: 'BinaryTest', op });
    for (const [n, op] of Object.entries(OPERATOR_TABLES.UNARY_TEST_OPS)) {
      if (op === '-e' && n !== '88') continue; // -a is the old spelling of -e
      expect(cmd(`[[ ${op} b ]]`, 'TestClause').x).toMatchObject({ type: 'UnaryTest', op });
    }
  });
});

describe('shell-ast: positions and text', () => {
  it('gives UTF-16 offsets into the text, past multi-byte and astral characters', () => {
    const text = 'echo "é😀 $X" <<EOF\nñ $Y\nEOF\n';
    const stmt = only(text);
    const dq = arg(text, 1).parts[0];
    expect(dq?.type).toBe('DblQuoted');
    if (dq?.type !== 'DblQuoted') return;
    const param = dq.parts.find((p) => p.type === 'ParamExp');
    expect(param && text.slice(param.start, param.end)).toBe('$X');
    const body = stmt.redirs[0]?.hdoc;
    expect(body && text.slice(body.start, body.end)).toBe('ñ $Y\n');
    const quoted = only("cat <<-'EOF'\n\tbody $x\n\tEOF\n").redirs[0]?.hdoc;
    expect(quoted && "cat <<-'EOF'\n\tbody $x\n\tEOF\n".slice(quoted.start, quoted.end)).toBe('\tbody $x\n');
  });

  it('places what is inside backquotes in the original text', () => {
    const text = 'x=`echo \\$y $z`';
    const value = cmd(text, 'CallExpr').assigns[0]?.value;
    const sub = value?.parts[0];
    expect(sub).toMatchObject({ type: 'CmdSubst', backquotes: true });
    if (sub?.type !== 'CmdSubst') return;
    const inner = sub.stmts[0]?.cmd;
    if (inner?.type !== 'CallExpr') throw new Error('expected a call');
    // bash removes the backslash of \$ inside `…` before it parses the command: the word is $y.
    expect(inner.args.map((w) => text.slice(w.start, w.end))).toEqual(['echo', '$y', '$z']);
  });

  it('reads declarations, let and arithmetic as the grammar does', () => {
    const decl = cmd('declare -i n=3 m', 'DeclClause');
    expect(decl.variant.value).toBe('declare');
    expect(decl.args.map((a) => [a.naked, a.name?.value ?? null])).toEqual([
      [true, null],
      [false, 'n'],
      [true, 'm'],
    ]);
    expect(cmd('let x=1', 'LetClause').exprs).toHaveLength(1);
    expect(cmd('for x; do :; done', 'ForClause').loop).toMatchObject({ type: 'WordIter', items: null });
    expect(cmd('for x in; do :; done', 'ForClause').loop).toMatchObject({ type: 'WordIter', items: [] });
  });

  it('keeps every comment', () => {
    const parsed = parseBash("# one\necho a # two\nif x; then # three\n  y\nfi\n# four");
    expect(parsed.ok && parsed.file.comments.map((c) => c.text.trim())).toEqual(['one', 'two', 'three', 'four']);
  });

  it('reports text that is not bash with its line, without throwing', () => {
    const parsed = parseBash('echo ok\necho "unclosed\n');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.line).toBe(2);
    expect(parsed.message).toMatch(/not closed|reached EOF/);
  });
});
