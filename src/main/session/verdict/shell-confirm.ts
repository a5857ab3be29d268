// mvdan/sh (sh-syntax) confirms the structure shell-syntax.ts proposes. Its JavaScript AST gives, per
// statement, only positions and redirections, so every boundary the verdict relies on is put to it as a
// probe that must parse exactly as proposed:
//   each list (top level and nested) → its statements start where proposed;
//   each statement alone → one statement, same command span, negation and redirections (operator, fd,
//     word and word-part spans, here-document body);
//   each simple command's words, written as ">w1 >w2 …" → redirection words with exactly those spans and parts.
// All probes of a block go to the parser in one text, one probe after another.
import { parse, type File as ShFile, type Stmt as ShStmt } from 'sh-syntax';
import type { ParsedShell, Redirect, Span, Stmt, Word } from './shell-syntax.js';

interface ExpectedPart extends Span {
  lit: boolean;
}

interface ExpectedRedirect {
  op: string;
  fd: string | null;
  opStart: number;
  word: Span;
  /** Null to check only the word's literal text (`lit`). */
  parts: ExpectedPart[] | null;
  /** mvdan/sh's literal value of the word (escapes kept, line continuations dropped) when it is all literal. */
  lit: string | null;
  /** Start of the here-document body, when it has one. */
  body: number | null;
}

interface ExpectedStmt {
  start: number;
  /** Omitted for list probes, which check only where statements start. */
  detail?: { negated: boolean; cmd: Span | null; redirects: ExpectedRedirect[] };
}

interface Probe {
  text: string;
  expect: ExpectedStmt[];
  /** Offset in the block the probe is about, for the message. */
  about: number;
}

/** UTF-8 byte offsets (what sh-syntax reports) → UTF-16 offsets. */
function byteToUnitMap(text: string): Int32Array {
  const map = new Int32Array(Buffer.byteLength(text, 'utf8') + 1);
  let byte = 0;
  for (let unit = 0; unit < text.length; ) {
    const cp = text.codePointAt(unit) as number;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let b = 0; b < bytes; b++) map[byte + b] = unit;
    byte += bytes;
    unit += cp > 0xffff ? 2 : 1;
  }
  map[byte] = text.length;
  return map;
}

/** A literal part as mvdan/sh reports it: as written, less line continuations. */
function rawLiteral(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === '\n') i++;
    else if (text[i] === '\\') out += text.slice(i, ++i + 1);
    else out += text[i];
  }
  return out;
}

class ProbeBuilder {
  readonly probes: Probe[] = [];
  private readonly withHeredoc: Redirect[] = [];

  constructor(
    private readonly src: string,
    parsed: ParsedShell,
  ) {
    const visit = (stmts: Stmt[]) => {
      for (const s of stmts) this.eachStmt(s, (inner) => this.withHeredoc.push(...inner.redirects.filter((r) => r.heredoc)));
    };
    visit(parsed.stmts);
  }

  /** Calls `fn` for the statement and every statement inside it (operands, bodies, substitutions). */
  eachStmt(stmt: Stmt, fn: (s: Stmt) => void): void {
    fn(stmt);
    const words: Word[] = stmt.redirects.map((r) => r.word);
    const cmd = stmt.cmd;
    const lists: Stmt[][] = [];
    if (cmd) {
      switch (cmd.kind) {
        case 'call':
          words.push(...cmd.assigns.map((a) => a.word), ...cmd.words);
          break;
        case 'binary':
          this.eachStmt(cmd.left, fn);
          this.eachStmt(cmd.right, fn);
          break;
        case 'time':
          this.eachStmt(cmd.stmt, fn);
          break;
        case 'subshell':
        case 'group':
          lists.push(cmd.body);
          break;
        case 'if':
          for (const c of cmd.clauses) lists.push(c.cond, c.then);
          if (cmd.otherwise) lists.push(cmd.otherwise);
          break;
        case 'while':
          lists.push(cmd.cond, cmd.body);
          break;
        case 'for':
          words.push(...(cmd.items ?? []));
          lists.push(cmd.body);
          break;
      }
    }
    for (const r of stmt.redirects) if (r.heredoc) words.push(r.heredoc.body);
    for (const list of lists) for (const s of list) this.eachStmt(s, fn);
    for (const w of words) this.eachSubstitution(w, (s) => this.eachStmt(s, fn));
  }

  private eachSubstitution(word: Word, fn: (s: Stmt) => void): void {
    for (const p of word.parts) {
      if (p.kind === 'cmdsubst') p.body.forEach(fn);
      else if (p.kind === 'dbl') this.eachSubstitution({ ...word, parts: p.parts }, fn);
      else if (p.kind === 'param' && p.word) this.eachSubstitution(p.word, fn);
    }
  }

  /** The text of [start, end) plus the bodies of here-documents opened inside it but written after it. */
  private withTails(start: number, end: number): { text: string; bodyAt: Map<Redirect, number> } {
    let text = this.src.slice(start, end);
    const bodyAt = new Map<Redirect, number>();
    const tails = this.withHeredoc
      .filter((r) => r.opStart >= start && r.opStart < end && (r.heredoc as Span).start >= end)
      .sort((a, b) => (a.heredoc as Span).start - (b.heredoc as Span).start);
    for (const r of tails) {
      const h = r.heredoc as Span;
      text += '\n';
      bodyAt.set(r, text.length);
      text += this.src.slice(h.start, h.end);
    }
    return { text, bodyAt };
  }

  /** What mvdan/sh must report for `word` (whose text starts at `shift` in the probe's terms). */
  private expectedWord(word: Word, shift: number): Pick<ExpectedRedirect, 'word' | 'parts' | 'lit'> {
    const allLiteral = word.parts.every((p) => p.kind === 'lit');
    // The literal parts of a mixed word are checked on their own (litProbe): mvdan/sh may split a literal run.
    for (const p of word.parts) if (p.kind === 'lit' && !allLiteral) this.literals.push({ text: rawLiteral(this.src.slice(p.start, p.end)), about: p.start });
    return {
      word: { start: word.start - shift, end: word.end - shift },
      parts: word.parts.map((p) => ({ start: p.start - shift, end: p.end - shift, lit: p.kind === 'lit' })),
      lit: allLiteral ? rawLiteral(this.src.slice(word.start, word.end)) : null,
    };
  }

  private readonly literals: { text: string; about: number }[] = [];

  private expectedRedirect(r: Redirect, shift: number, bodyAt: Map<Redirect, number>): ExpectedRedirect {
    const h = r.heredoc;
    const body = h && h.end > h.start && h.body.end > h.body.start ? (bodyAt.get(r) ?? h.start - shift) : null;
    return { op: r.op, fd: r.fd, opStart: r.opStart - shift, ...this.expectedWord(r.word, shift), body };
  }

  stmtProbe(s: Stmt): void {
    const { text, bodyAt } = this.withTails(s.start, s.end);
    const shift = s.start;
    this.probes.push({
      text,
      about: s.start,
      expect: [
        {
          start: 0,
          detail: {
            negated: s.negated,
            cmd: s.cmd ? { start: s.cmd.start - shift, end: s.cmd.end - shift } : null,
            redirects: s.redirects.map((r) => this.expectedRedirect(r, shift, bodyAt)),
          },
        },
      ],
    });
  }

  listProbe(stmts: Stmt[]): void {
    const first = stmts[0];
    const last = stmts[stmts.length - 1];
    if (!first || !last) return;
    const { text } = this.withTails(first.start, last.end);
    this.probes.push({ text, about: first.start, expect: stmts.map((s) => ({ start: s.start - first.start })) });
  }

  wordsProbe(words: Word[]): void {
    const first = words[0];
    if (!first) return;
    let text = '';
    const redirects: ExpectedRedirect[] = [];
    for (const w of words) {
      if (text) text += ' ';
      const opStart = text.length;
      text += '>';
      const shift = w.start - text.length;
      text += this.src.slice(w.start, w.end);
      redirects.push({ op: '>', fd: null, opStart, ...this.expectedWord(w, shift), body: null });
    }
    this.probes.push({ text, about: first.start, expect: [{ start: 0, detail: { negated: false, cmd: null, redirects } }] });
  }

  /** Each literal run of a mixed word, alone after an "x", must be all literal with the same text. */
  litProbe(): void {
    const first = this.literals[0];
    if (!first) return;
    let text = '';
    const redirects: ExpectedRedirect[] = [];
    for (const l of this.literals) {
      if (text) text += ' ';
      const opStart = text.length;
      text += `>x${l.text}`;
      redirects.push({ op: '>', fd: null, opStart, word: { start: opStart + 1, end: text.length }, parts: null, lit: `x${l.text}`, body: null });
    }
    this.probes.push({ text, about: first.about, expect: [{ start: 0, detail: { negated: false, cmd: null, redirects } }] });
  }
}

export type Confirmation = { ok: true } | { ok: false; offset: number; reason: string };

function sameSpan(actual: { Pos: { Offset: number }; End: { Offset: number } }, expected: Span, map: Int32Array, base: number): boolean {
  return map[actual.Pos.Offset] === base + expected.start && map[actual.End.Offset] === base + expected.end;
}

function compare(actual: ShStmt, expected: ExpectedStmt, map: Int32Array, base: number): string | null {
  if (map[actual.Pos.Offset] !== base + expected.start) return 'a statement starts elsewhere';
  const detail = expected.detail;
  if (!detail) return null;
  if (actual.Negated !== detail.negated) return 'negation differs';
  if (detail.cmd === null ? actual.Cmd !== null : !actual.Cmd || !sameSpan(actual.Cmd, detail.cmd, map, base)) return 'the command spans differently';
  if (actual.Redirs.length !== detail.redirects.length) return 'the redirections differ';
  for (let i = 0; i < detail.redirects.length; i++) {
    const a = actual.Redirs[i];
    const e = detail.redirects[i] as ExpectedRedirect;
    if (!a || a.Op !== e.op || (a.N?.Value ?? null) !== e.fd || map[a.OpPos.Offset] !== base + e.opStart) return 'a redirection differs';
    if (!a.Word || !sameSpan(a.Word, e.word, map, base)) return 'a word spans differently';
    if (e.lit !== null && a.Word.Lit !== e.lit) return 'a word reads differently';
    if (e.parts) {
      // Quotes, parameters and substitutions must be exactly mvdan/sh's parts; a literal run may be several.
      const parts = a.Word.Parts.map((p) => ({ start: map[p.Pos.Offset] as number, end: map[p.End.Offset] as number }));
      for (const mine of e.parts) {
        const [start, end] = [base + mine.start, base + mine.end];
        if (!mine.lit && !parts.some((p) => p.start === start && p.end === end)) return 'a word is made of different parts';
      }
      if (parts.some((p) => !e.parts?.some((mine) => p.start >= base + mine.start && p.end <= base + mine.end))) return 'a word is made of different parts';
    }
    if (e.body !== null && (!a.Hdoc || map[a.Hdoc.Pos.Offset] !== base + e.body)) return 'a here-document body differs';
  }
  return null;
}

/** Confirms `parsed` (of `src`) with mvdan/sh; `top` is mvdan/sh's own parse of the whole of `src`. */
export async function confirmStructure(src: string, parsed: ParsedShell, top: ShFile): Promise<Confirmation> {
  // The top level against the parse of the block itself.
  const topMap = byteToUnitMap(src);
  if (top.Stmts.length !== parsed.stmts.length) return { ok: false, offset: parsed.stmts[0]?.start ?? 0, reason: 'the statements differ' };
  for (let i = 0; i < parsed.stmts.length; i++) {
    const s = parsed.stmts[i] as Stmt;
    if (topMap[(top.Stmts[i] as ShStmt).Pos.Offset] !== s.start) return { ok: false, offset: s.start, reason: 'a statement starts elsewhere' };
  }

  const builder = new ProbeBuilder(src, parsed);
  for (const list of parsed.lists) builder.listProbe(list.stmts);
  for (const top of parsed.stmts) {
    builder.eachStmt(top, (s) => {
      builder.stmtProbe(s);
      if (s.cmd?.kind === 'call') builder.wordsProbe([...s.cmd.assigns.map((a) => a.word), ...s.cmd.words]);
      if (s.cmd?.kind === 'for' && s.cmd.items) builder.wordsProbe(s.cmd.items);
    });
  }
  builder.litProbe();

  let batch = '';
  const expected: { stmt: ExpectedStmt; base: number; about: number }[] = [];
  for (const probe of builder.probes) {
    if (batch) batch += '\n';
    const base = batch.length;
    batch += probe.text;
    for (const stmt of probe.expect) expected.push({ stmt, base, about: probe.about });
  }
  let file: ShFile;
  try {
    file = await parse(batch, { keepComments: false });
  } catch {
    return { ok: false, offset: expected[0]?.about ?? 0, reason: 'a part did not parse on its own' };
  }
  const map = byteToUnitMap(batch);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as (typeof expected)[number];
    const actual = file.Stmts[i];
    if (!actual) return { ok: false, offset: e.about, reason: 'the statements differ' };
    const problem = compare(actual, e.stmt, map, e.base);
    if (problem) return { ok: false, offset: e.about, reason: problem };
  }
  if (file.Stmts.length !== expected.length) return { ok: false, offset: expected[expected.length - 1]?.about ?? 0, reason: 'the statements differ' };
  return { ok: true };
}
