// One result set of a SQL or PromQL block as an HTML table (values as text, never as markup).
import type { BlockEnd } from '../../run/run-view-state.js';

type ResultSet = BlockEnd['resultSets'][number];

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function ResultTable({ set }: { set: ResultSet }) {
  const shown = set.rows.length;
  return (
    <figure className="result-set" data-testid="result-set">
      {set.command && <figcaption className="muted mono">{set.command}</figcaption>}
      {set.columns.length > 0 && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                {set.columns.map((c, i) => (
                  <th key={i}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {set.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((v, i) => (
                    <td key={i} className={v === null ? 'null' : undefined}>
                      {cell(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small-text">
        {set.rowCount === null ? `${shown} rows` : set.rowCount > shown ? `${shown} of ${set.rowCount} rows shown (all are in the record)` : `${set.rowCount} rows`}
      </p>
    </figure>
  );
}
