// One query sent on the session, collecting one result set per statement as the server completes it.
//
// pg's own Query resolves with every result only when the whole multi-statement text succeeded; on an
// error it rejects and the result sets of the statements that did run are lost. A block's earlier result
// sets are evidence, so we implement pg's Submittable hooks (as pg-cursor and pg-query-stream do) and keep
// each result set the moment its CommandComplete arrives. Two shapes:
//   - simple protocol: the text as is, any number of statements (how psql -c and whole blocks run);
//   - extended protocol: one statement with bind parameters ($1…$n), sent as text values.
import type pg from 'pg';
import type { ResultSet } from '../types.js';
import { isDatabaseError, type DatabaseError } from './errors.js';
import { parserFor } from './values.js';

/** The server message shapes our hooks read (pg-protocol's classes, declared here to stay on pg's public surface). */
interface FieldDescription {
  name: string;
  dataTypeID: number;
}
interface RowDescription {
  fields: FieldDescription[];
}
interface DataRow {
  fields: (string | null)[];
}
interface CommandComplete {
  text: string;
}
interface CopyData {
  chunk: Buffer;
}
/** pg's Connection with the two methods @types/pg leaves out. */
type WireConnection = pg.Connection & {
  sendCopyFail(message: string): void;
  bind(config: { values: (string | null)[] }): void;
  parse(query: { text: string; types: never[] }): void;
  describe(message: { type: 'P' }): void;
  execute(config: Record<string, never>): void;
};

export interface StatementOutcome {
  resultSets: ResultSet[];
  /** The server's error (the statement that failed is the one after the last result set). */
  sqlError: DatabaseError | null;
  /** The connection broke (or was dropped) before the server answered. */
  connectionError: Error | null;
  /** Rows not kept because a result set passed the row limit (its rowCount is still exact). */
  droppedRows: number;
  /**
   * We refused a COPY … FROM STDIN: the server then reports SQLSTATE 57014 (query_canceled), which must
   * not be read as a timeout or a cancel.
   */
  copyInRefused: boolean;
}

export interface StatementQueryOptions {
  text: string;
  /** Present: the extended protocol with these values. Absent: the simple protocol. */
  values?: (string | null)[];
  /** Keeps this many rows per result set at most; the rest are counted, not held in memory. */
  maxRows: number;
  /** COPY … TO STDOUT data, as it arrives. */
  onCopyOut(text: string): void;
}

/** "INSERT 0 5" → { command: "INSERT", rowCount: 5 }; "CREATE TABLE" → { command: "CREATE TABLE", rowCount: null }. */
export function parseCommandTag(tag: string): { command: string; rowCount: number | null } {
  const m = /^(.*?)((?: \d+)+)?$/.exec(tag) as RegExpExecArray;
  const numbers = m[2]?.trim().split(' ') ?? [];
  const last = numbers[numbers.length - 1];
  return { command: m[1] as string, rowCount: last === undefined ? null : Number(last) };
}

export class StatementQuery implements pg.Submittable {
  readonly outcome: Promise<StatementOutcome>;
  private resolve!: (outcome: StatementOutcome) => void;
  private readonly resultSets: ResultSet[] = [];
  private current: { columns: string[]; parse: ((text: string) => unknown)[]; rows: unknown[][]; dropped: number } | null = null;
  private droppedRows = 0;
  private copyInRefused = false;
  private readonly decoder = new TextDecoder();
  private settled = false;

  constructor(private readonly options: StatementQueryOptions) {
    this.outcome = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  submit(connection: pg.Connection): void {
    const wire = connection as WireConnection;
    const { text, values } = this.options;
    if (values === undefined) {
      wire.query(text);
      return;
    }
    // Parse, Bind, Describe, Execute, Sync in one write, as pg's Query does for prepared statements.
    wire.stream.cork?.();
    try {
      wire.parse({ text, types: [] });
      wire.bind({ values });
      wire.describe({ type: 'P' });
      wire.execute({});
      wire.sync();
    } finally {
      wire.stream.uncork?.();
    }
  }

  handleRowDescription(message: RowDescription): void {
    this.current = {
      columns: message.fields.map((f) => f.name),
      parse: message.fields.map((f) => parserFor(f.dataTypeID)),
      rows: [],
      dropped: 0,
    };
  }

  handleDataRow(message: DataRow): void {
    const current = this.current;
    if (!current) return;
    if (current.rows.length >= this.options.maxRows) {
      current.dropped++;
      this.droppedRows++;
      return;
    }
    current.rows.push(message.fields.map((value, i) => (value === null ? null : (current.parse[i] as (t: string) => unknown)(value))));
  }

  handleCommandComplete(message: CommandComplete): void {
    const { command, rowCount } = parseCommandTag(message.text);
    const current = this.current;
    this.resultSets.push({ command, columns: current?.columns ?? [], rows: current?.rows ?? [], rowCount: rowCount ?? (current ? current.rows.length + current.dropped : null) });
    this.current = null;
  }

  /** An empty statement (only comments) produces no result set. */
  handleEmptyQuery(): void {}

  handlePortalSuspended(): void {}

  /** COPY … FROM STDIN has no data source here: tell the server, which then reports the COPY as failed. */
  handleCopyInResponse(connection: pg.Connection): void {
    this.copyInRefused = true;
    (connection as WireConnection).sendCopyFail('COPY FROM STDIN is not supported by Runbook Console; use COPY … FROM a server-side file or INSERT');
  }

  handleCopyData(message: CopyData): void {
    const text = this.decoder.decode(message.chunk, { stream: true });
    if (text) this.options.onCopyOut(text);
  }

  handleReadyForQuery(): void {
    this.settle({ sqlError: null, connectionError: null });
  }

  handleError(error: Error, connection: pg.Connection): void {
    if (!isDatabaseError(error)) {
      this.settle({ sqlError: null, connectionError: error });
      return;
    }
    // pg forgets the query on an ErrorResponse; the server still sends ReadyForQuery. Waiting for it means
    // the session is idle again and getTransactionStatus() is current when the caller looks.
    const done = () => {
      connection.removeListener('readyForQuery', done);
      connection.removeListener('end', done);
      this.settle({ sqlError: error, connectionError: null });
    };
    connection.on('readyForQuery', done);
    connection.on('end', done);
  }

  private settle(fields: Pick<StatementOutcome, 'sqlError' | 'connectionError'>): void {
    if (this.settled) return;
    this.settled = true;
    const rest = this.decoder.decode();
    if (rest) this.options.onCopyOut(rest);
    this.resolve({ resultSets: this.resultSets, droppedRows: this.droppedRows, copyInRefused: this.copyInRefused, ...fields });
  }
}
