// Keeps the model small in memory while a large runbook is parsed (issue 12). A step is built from strings
// that point into bigger ones: V8 keeps a slice (a title, a body, a block's code) as a view of its parent (the
// chunk's text or the whole document), and a text with one character outside Latin-1 makes every string cut
// from it two bytes a character. So each finished step is copied into strings of its own (a JSON round trip,
// which writes the same JSON by construction), the values that repeat from block to block (reasons, readings,
// languages) are shared, and empty lists and attribute objects are one frozen instance.
import type { Block, BlockReading, Diagnostic, Note, Step } from '../../shared/runbook-model.js';

const EMPTY_LIST: readonly never[] = Object.freeze([]);
const EMPTY_OBJECT: Readonly<Record<string, unknown>> = Object.freeze({});

/** The shared empty list, typed for any list field of the model (frozen: writing to it throws). */
export function emptyList<T>(): T[] {
  return EMPTY_LIST as unknown as T[];
}

function shared<T>(list: T[]): T[] {
  return list.length === 0 ? emptyList<T>() : list;
}

/** A string of its own: not a view of a larger one, one byte a character when it can be. */
export function ownString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

export class ModelCompactor {
  private readonly values = new Map<string, string>();
  private readonly readings = new Map<string, BlockReading>();

  /** `s`, or an equal string already in the model (for values that repeat: reasons, languages). */
  private value(s: string): string {
    const known = this.values.get(s);
    if (known !== undefined) return known;
    this.values.set(s, s);
    return s;
  }

  private reading(r: BlockReading): BlockReading {
    const key = `${r.kind}\u0000${r.reason}`;
    let known = this.readings.get(key);
    if (!known) {
      known = Object.freeze({ kind: r.kind, reason: this.value(r.reason) });
      this.readings.set(key, known);
    }
    return known;
  }

  /** A copy of the step that holds no view into the text and shares what repeats; writes the same JSON. */
  step(step: Step): Step {
    const copy = JSON.parse(JSON.stringify(step)) as Step;
    // The section's id is already a string of its own (outline.ts): shared, not copied once per step.
    copy.sectionId = step.sectionId;
    copy.checks = shared(copy.checks);
    copy.expected = shared(copy.expected);
    copy.fillIns = shared(copy.fillIns);
    copy.variables = shared(copy.variables);
    copy.notes = copy.notes.length === 0 ? emptyList<Note>() : copy.notes.map((n) => this.note(n));
    copy.blocks = copy.blocks.length === 0 ? emptyList<Block>() : copy.blocks.map((b) => this.block(b, copy.id));
    return copy;
  }

  private block(block: Block, stepId: string): Block {
    // The block's id is the step's and a suffix: made from the step's id, it shares its characters.
    if (block.id.startsWith(stepId)) block.id = stepId + block.id.slice(stepId.length);
    if (block.lang !== null) block.lang = this.value(block.lang);
    if (block.source !== undefined && block.source === block.code) block.source = block.code;
    block.reason = this.value(block.reason);
    if (Object.keys(block.attributes).length === 0) block.attributes = EMPTY_OBJECT as Record<string, unknown>;
    block.expected = shared(block.expected);
    block.variables = shared(block.variables);
    if (block.reading !== undefined) block.reading = this.reading(block.reading);
    if (block.queries !== undefined) block.queries = shared(block.queries);
    if (block.optionalVariables !== undefined) block.optionalVariables = shared(block.optionalVariables);
    return block;
  }

  private note(note: Note): Note {
    note.blockIds = shared(note.blockIds);
    return note;
  }

  /** Notes of a section, copied like a step's. */
  notes(notes: readonly Note[]): Note[] {
    return notes.map((n) => this.note(JSON.parse(JSON.stringify(n)) as Note));
  }

  /** Diagnostics, copied like a step. */
  diagnostics(list: readonly Diagnostic[]): Diagnostic[] {
    return list.length === 0 ? [] : (JSON.parse(JSON.stringify(list)) as Diagnostic[]);
  }
}
