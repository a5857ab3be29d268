// A question from the host while a step runs: trust a host key or apply a reviewed change (yes/no, with
// No focused so a stray Enter refuses), type a protected target's name to go on, or give a value the
// target needs (a passphrase or password: typed here, sent to the host, never recorded or shown again).
import { type FormEvent, useState } from 'react';
import type { PendingQuestion } from '../../../shared/run-api.js';
import { useRunActions } from '../../run/useRun.js';

export function QuestionModal({ question }: { question: PendingQuestion }) {
  const { act, dispatch } = useRunActions();
  const [typed, setTyped] = useState('');
  const answer = async (value: boolean | string) => {
    const result = await act((api, runId) => api['runs.answer']({ runId, questionId: question.questionId, answer: value }));
    if (result) dispatch({ type: 'state', state: result.state });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (question.kind === 'type-name' ? typed === question.expected : typed !== '') void answer(typed);
  };
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="question-text" data-testid="question" data-kind={question.kind}>
        <p id="question-text" className="question-text">
          {question.text}
        </p>
        {question.kind === 'confirm' ? (
          <div className="row">
            <button type="button" className="primary" onClick={() => void answer(true)}>
              Yes
            </button>
            <button type="button" onClick={() => void answer(false)} autoFocus>
              No
            </button>
          </div>
        ) : (
          <form onSubmit={submit}>
            <label className="field">
              {question.kind === 'type-name' ? (
                <span>
                  Type <strong className="mono">{question.expected}</strong> to go on
                </span>
              ) : (
                <span>{question.kind === 'secret' ? 'Not shown, not recorded' : 'Value'}</span>
              )}
              <input
                aria-label={question.kind === 'type-name' ? 'Type the name to confirm' : 'Answer'}
                type={question.kind === 'secret' ? 'password' : 'text'}
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                autoFocus
                autoComplete="off"
              />
            </label>
            <div className="row">
              <button type="submit" className={question.kind === 'type-name' ? 'danger' : 'primary'} disabled={question.kind === 'type-name' ? typed !== question.expected : typed === ''}>
                {question.kind === 'type-name' ? 'Go on' : 'Give'}
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
