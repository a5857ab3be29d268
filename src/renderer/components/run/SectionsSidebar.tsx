// The run's sections with done/total each (steps hidden by the profile left out) and overall progress.
import type { RunProgress } from '../../lib/progress.js';

export function SectionsSidebar({ progress, onJump }: { progress: RunProgress; onJump: (sectionId: string) => void }) {
  const percent = progress.total ? Math.round((progress.done / progress.total) * 100) : 100;
  return (
    <nav className="sections-nav" aria-label="Sections">
      <div className="overall" data-testid="overall-progress">
        <div className="row spread">
          <strong>Progress</strong>
          <span>
            {progress.done}/{progress.total}
          </span>
        </div>
        <progress max={progress.total || 1} value={progress.done} aria-label={`${percent}% done`} />
      </div>
      <ol className="section-list">
        {progress.sections.map(({ section, level, done, total, failed }) => (
          <li key={section.id} className={`level-${Math.min(level, 4)}`}>
            <button type="button" className="link" onClick={() => onJump(section.id)} data-testid="section-link">
              <span className="section-name">{section.title || '(untitled)'}</span>
              {total > 0 && (
                <span className={`count${done === total ? ' complete' : ''}${failed ? ' has-failed' : ''}`} data-testid="section-progress">
                  {done}/{total}
                </span>
              )}
            </button>
          </li>
        ))}
      </ol>
      <p className="muted small-text keys-help">
        <kbd>j</kbd>/<kbd>k</kbd> select · <kbd>Enter</kbd> run · <kbd>Esc</kbd> cancel
      </p>
    </nav>
  );
}
