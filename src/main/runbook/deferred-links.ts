// Where a decision leads can be a section further down, which the section-by-section parse has not seen
// when the decision's section closes. This linker notes each question and answers with a placeholder; once
// every section is known, `settle` asks links.ts's SectionLinker and writes the answers in.
import type { Section, Step } from '../../shared/runbook-model.js';
import { SectionLinker, type TargetRef } from './links.js';

type Question = Parameters<SectionLinker['resolve']>;

const PLACEHOLDER = '\u0000leadsTo:';

export class DeferredSectionLinker extends SectionLinker {
  private readonly questions: Question[] = [];

  constructor() {
    super([]);
  }

  override resolve(ref: TargetRef | null, from: { line: number; sectionId: string }, negative: boolean): string | null {
    this.questions.push([ref, from, negative]);
    return `${PLACEHOLDER}${this.questions.length - 1}`;
  }

  /** Replaces every placeholder in the steps' decisions with the section it leads to (or null). */
  settle(steps: readonly Step[], sections: readonly Section[], rawTitles: ReadonlyMap<string, string>): void {
    if (this.questions.length === 0) return;
    const linker = new SectionLinker(sections, rawTitles);
    const answers = new Map<number, string | null>();
    const answer = (value: string | null): string | null => {
      if (value === null || !value.startsWith(PLACEHOLDER)) return value;
      const index = Number(value.slice(PLACEHOLDER.length));
      if (!answers.has(index)) {
        const question = this.questions[index];
        answers.set(index, question ? linker.resolve(...question) : null);
      }
      return answers.get(index) ?? null;
    };
    for (const step of steps) {
      for (const choice of step.decision?.choices ?? []) choice.leadsTo = answer(choice.leadsTo);
    }
  }
}
