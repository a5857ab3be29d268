// A question from the host while a step runs (trust a host key, type a protected target's name to go on).
import { type FormEvent, useState } from 'react';
import type { Question } from '../../run/run-view-state.js';
import { useRunActions } from '../../run/useRun.js';

export function QuestionModal({ question }: { question: Question }) {
  const { act, dispatch } = useRunActions();
  const [typed, setTyped] = useState('');
  const answer = async (value: boolean | string) => {
    await act((api, runId) => api['runs.answer']({ runId, questionId: question.questionId, answer: value }));
    dispatch({ type: 'answered', questionId: question.questionId });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (question.kind === 'type-name' && typed === question.expected) void answer(typed);
  };
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="question-text" data-testid="question">
        <p id="question-text" className="question-text">
          {question.text}
        </p>
        {question.kind === 'confirm' ? (
          <div className="row">
            <button type="button" className="primary" onClick={() => void answer(true)} autoFocus>
              Yes
            </button>
            <button type="button" onClick={() => void answer(false)}>
              No
            </button>
          </div>
        ) : (
          <form onSubmit={submit}>
            <label className="field">
              <span>
                Type <strong className="mono">{question.expected}</strong> to go on
              </span>
              <input aria-label="Type the name to confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus autoComplete="off" />
            </label>
            <div className="row">
              <button type="submit" className="danger" disabled={typed !== question.expected}>
                Go on
              </button>
              <button type="button" onClick={() => void answer(false)}>
                Refuse
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
