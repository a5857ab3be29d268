// The team evidence store's schema in PostgreSQL, and `runbook store init`. The database itself keeps the
// stored record whole: each run's records arrive in sequence, each names the previous one's hash (checked
// by a trigger that computes the hash itself), and no record is ever changed or removed — not by the
// writer role, which holds only INSERT and SELECT, and not by anyone else while the triggers are in place
// (an administrator who drops them and edits a row is found by `runbook store verify`).
//
// Migrations are numbered and applied once each, in one transaction under an advisory lock, so `init` can
// be run again (by two administrators at once, too) and only adds what is missing.
import type pg from 'pg';

export const STORE_SCHEMA = 'runbook_store';
export const DEFAULT_WRITER_ROLE = 'runbook_writer';
/** A role name we create and grant to: letters, digits and underscores, as an unquoted identifier would be. */
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
// Any fixed number: two `init`s at once take turns.
const INIT_LOCK = 7_341_902_115;

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'records: one row per journal line, in sequence, chained, never changed',
    sql: `
CREATE TABLE ${STORE_SCHEMA}.records (
  run_id      text        NOT NULL CHECK (run_id ~ '^[A-Za-z0-9-]{8,64}$'),
  seq         bigint      NOT NULL CHECK (seq >= 0),
  line        text        NOT NULL CHECK (position(E'\\n' in line) = 0),
  hash        text        NOT NULL,
  prev        text        NOT NULL,
  type        text        NOT NULL,
  recorded_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  shipped_by  name        NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX records_by_type ON ${STORE_SCHEMA}.records (type, run_id);
-- The runs: each one's first record (records are contiguous from 0, so a run's count is its last seq + 1).
CREATE INDEX records_runs ON ${STORE_SCHEMA}.records (recorded_at, run_id) WHERE seq = 0;

-- What a record says about itself must be what its columns say; the hash, the times and who shipped it
-- are the database's own, whatever the client sent; seq 0 is a run.started with the genesis prev, every
-- other record follows the stored one before it and is shipped by the login that shipped that one (so
-- one writer cannot add to another's run).
--
-- The line must be JSON (PostgreSQL's json parser) and end as a canonical journal line does (RFC 8785:
-- keys sorted, so prev, run, seq, time and type are its last five, each a plain value). They are read from
-- there, not through json operators: a journal line may hold JSON's escape of a NUL, which json keeps but
-- cannot extract a field past, and jsonb refuses.
CREATE FUNCTION ${STORE_SCHEMA}.check_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  at integer;
  envelope text[];
  previous text;
  previous_by name;
BEGIN
  BEGIN
    IF json_typeof(NEW.line::json) IS DISTINCT FROM 'object' THEN
      RAISE EXCEPTION 'not an object';
    END IF;
  EXCEPTION WHEN others THEN
    RAISE EXCEPTION 'record % of run %: the line is not a JSON object', NEW.seq, NEW.run_id USING ERRCODE = 'check_violation';
  END;
  -- The envelope starts at the line's last ,"prev":" (found from the end, as the verifier cuts the MAC): the
  -- pattern is matched against those few hundred bytes only, with plain classes (bounded repeats such as
  -- {64} make PostgreSQL's regex engine slow); lengths and formats are checked apart.
  at := strpos(reverse(NEW.line), reverse(',"prev":"'));
  envelope := CASE WHEN at = 0 THEN NULL ELSE regexp_match(right(NEW.line, at + 8), '^,"prev":"([0-9a-f]+)","run":"([A-Za-z0-9-]+)","seq":([0-9]+),"time":"([0-9T:.Z-]+)","type":"([a-z.-]+)"}$') END;
  IF envelope IS NULL OR length(envelope[1]) <> 64 OR length(envelope[5]) > 41 OR envelope[5] !~ '^[a-z]'
     OR envelope[4] !~ '^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]([.][0-9]+)?Z$' THEN
    RAISE EXCEPTION 'record % of run %: the line does not end as a canonical journal line (prev, run, seq, time, type)', NEW.seq, NEW.run_id USING ERRCODE = 'check_violation';
  END IF;
  -- seq as the line writes it: the column's decimal form, so a leading zero or a sign cannot pass.
  IF envelope[1] IS DISTINCT FROM NEW.prev OR envelope[2] IS DISTINCT FROM NEW.run_id OR envelope[3] IS DISTINCT FROM NEW.seq::text OR envelope[5] IS DISTINCT FROM NEW.type THEN
    RAISE EXCEPTION 'record % of run %: its columns do not match its line', NEW.seq, NEW.run_id USING ERRCODE = 'check_violation';
  END IF;
  NEW.hash := encode(sha256(convert_to(NEW.line, 'UTF8')), 'hex');
  NEW.recorded_at := envelope[4]::timestamptz;
  NEW.received_at := clock_timestamp();
  NEW.shipped_by := session_user;
  IF NEW.seq = 0 THEN
    IF NEW.type <> 'run.started' OR NEW.prev <> repeat('0', 64) THEN
      RAISE EXCEPTION 'record 0 of run % must be its run.started, with no previous record', NEW.run_id USING ERRCODE = 'check_violation';
    END IF;
  ELSE
    SELECT r.hash, r.shipped_by INTO previous, previous_by FROM ${STORE_SCHEMA}.records r WHERE r.run_id = NEW.run_id AND r.seq = NEW.seq - 1;
    IF previous IS NULL THEN
      RAISE EXCEPTION 'record % of run % is out of sequence: record % is not stored', NEW.seq, NEW.run_id, NEW.seq - 1 USING ERRCODE = 'check_violation', HINT = 'runbook-store:out-of-sequence';
    END IF;
    IF previous_by <> session_user THEN
      RAISE EXCEPTION 'record % of run %: the run is shipped by %, not by %', NEW.seq, NEW.run_id, previous_by, session_user USING ERRCODE = 'check_violation', HINT = 'runbook-store:not-owner';
    END IF;
    IF previous <> NEW.prev THEN
      RAISE EXCEPTION 'record % of run % does not follow the stored record %: its prev is not that record''s hash', NEW.seq, NEW.run_id, NEW.seq - 1 USING ERRCODE = 'check_violation', HINT = 'runbook-store:wrong-prev';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER records_check BEFORE INSERT ON ${STORE_SCHEMA}.records FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.check_record();

CREATE FUNCTION ${STORE_SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%.%: stored records are never changed or removed (% refused)', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER records_never_change BEFORE UPDATE OR DELETE ON ${STORE_SCHEMA}.records FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.refuse_change();
CREATE TRIGGER records_never_truncated BEFORE TRUNCATE ON ${STORE_SCHEMA}.records FOR EACH STATEMENT EXECUTE FUNCTION ${STORE_SCHEMA}.refuse_change();
`,
  },
  {
    version: 2,
    description: 'approvals: requests for a second person\'s signature and the answers offered, across machines',
    sql: `
-- A request names a stored step.started record (what will run, where, as whom): the approver reads that very
-- line from records and signs its hash. Only the login that ships the run may ask, and only while the record
-- is stored; the message to sign and the times are the server's.
CREATE TABLE ${STORE_SCHEMA}.approval_requests (
  run_id       text        NOT NULL,
  seq          bigint      NOT NULL,
  hash         text        NOT NULL,
  wait_seconds integer     NOT NULL CHECK (wait_seconds BETWEEN 1 AND 86400),
  requested_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  requested_by name        NOT NULL,
  PRIMARY KEY (run_id, seq),
  FOREIGN KEY (run_id, seq) REFERENCES ${STORE_SCHEMA}.records (run_id, seq)
);
CREATE INDEX approval_requests_open ON ${STORE_SCHEMA}.approval_requests (expires_at);

CREATE FUNCTION ${STORE_SCHEMA}.check_request() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  stored ${STORE_SCHEMA}.records%ROWTYPE;
BEGIN
  SELECT * INTO stored FROM ${STORE_SCHEMA}.records r WHERE r.run_id = NEW.run_id AND r.seq = NEW.seq;
  IF stored.run_id IS NULL THEN
    RAISE EXCEPTION 'record % of run % is not stored: an approval is asked for a stored step.started', NEW.seq, NEW.run_id USING ERRCODE = 'foreign_key_violation', HINT = 'runbook-store:not-stored';
  END IF;
  IF stored.type <> 'step.started' THEN
    RAISE EXCEPTION 'record % of run % is a %, not a step.started', NEW.seq, NEW.run_id, stored.type USING ERRCODE = 'check_violation', HINT = 'runbook-store:not-a-step';
  END IF;
  IF stored.shipped_by <> session_user THEN
    RAISE EXCEPTION 'run % is shipped by %, not by %: only its operator asks for approvals', NEW.run_id, stored.shipped_by, session_user USING ERRCODE = 'check_violation', HINT = 'runbook-store:not-owner';
  END IF;
  NEW.hash := stored.hash;
  NEW.requested_at := clock_timestamp();
  NEW.expires_at := NEW.requested_at + make_interval(secs => NEW.wait_seconds);
  NEW.requested_by := session_user;
  RETURN NEW;
END
$$;
CREATE TRIGGER approval_requests_check BEFORE INSERT ON ${STORE_SCHEMA}.approval_requests FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.check_request();

-- Who each login is, as the administrator knows them (runbook store person): an approver's login answers only
-- under their own name, and never a request made by a login of the same person. Logins not listed here are
-- held to the rules below only; the writer role reads this table and cannot change it.
CREATE TABLE ${STORE_SCHEMA}.people (
  login  name PRIMARY KEY,
  person text NOT NULL CHECK (person ~ '^[^[:cntrl:]]{1,200}$')
);

-- An answer is an approver's armoured SSH signature over the request's hash, with the name they sign as. The
-- operator's run checks it against the approvers list its run.started recorded and journals it, granted or
-- not; the database only keeps answers to open requests, from someone other than the run's own login (or
-- its person), and few enough per login and per request that nobody can flood a journal, or crowd out
-- another approver, through it.
CREATE TABLE ${STORE_SCHEMA}.approval_answers (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id      text        NOT NULL,
  seq         bigint      NOT NULL,
  approver    text        NOT NULL CHECK (approver ~ '^[^[:cntrl:]]{1,200}$'),
  signature   text        NOT NULL CHECK (length(signature) <= 16384),
  answered_at timestamptz NOT NULL,
  answered_by name        NOT NULL,
  FOREIGN KEY (run_id, seq) REFERENCES ${STORE_SCHEMA}.approval_requests (run_id, seq)
);
CREATE INDEX approval_answers_by_request ON ${STORE_SCHEMA}.approval_answers (run_id, seq, id);

CREATE FUNCTION ${STORE_SCHEMA}.check_answer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  request ${STORE_SCHEMA}.approval_requests%ROWTYPE;
  answerer text;
  requester text;
BEGIN
  SELECT * INTO request FROM ${STORE_SCHEMA}.approval_requests q WHERE q.run_id = NEW.run_id AND q.seq = NEW.seq;
  IF request.run_id IS NULL THEN
    RAISE EXCEPTION 'no approval was asked for record % of run %', NEW.seq, NEW.run_id USING ERRCODE = 'foreign_key_violation', HINT = 'runbook-store:no-request';
  END IF;
  NEW.answered_at := clock_timestamp();
  NEW.answered_by := session_user;
  IF NEW.answered_at > request.expires_at THEN
    RAISE EXCEPTION 'the approval request for record % of run % closed at %', NEW.seq, NEW.run_id, request.expires_at USING ERRCODE = 'check_violation', HINT = 'runbook-store:expired';
  END IF;
  IF request.requested_by = session_user THEN
    RAISE EXCEPTION 'run % is %''s own: its login cannot answer its approval requests', NEW.run_id, session_user USING ERRCODE = 'check_violation', HINT = 'runbook-store:own-request';
  END IF;
  SELECT p.person INTO answerer FROM ${STORE_SCHEMA}.people p WHERE p.login = session_user;
  SELECT p.person INTO requester FROM ${STORE_SCHEMA}.people p WHERE p.login = request.requested_by;
  IF answerer IS NOT NULL AND answerer = requester THEN
    RAISE EXCEPTION 'logins % and % are both %: a person cannot answer their own run''s approval requests', session_user, request.requested_by, answerer USING ERRCODE = 'check_violation', HINT = 'runbook-store:own-request';
  END IF;
  IF answerer IS NOT NULL AND NEW.approver <> answerer THEN
    RAISE EXCEPTION 'login % answers as %, not as %', session_user, answerer, NEW.approver USING ERRCODE = 'check_violation', HINT = 'runbook-store:not-this-login';
  END IF;
  -- Bounded per login, so one login's flood leaves room for everyone else's answer; and in all. (Counted
  -- without a lock: two answers at the same moment may pass a limit by one, which bounds nothing less.)
  IF (SELECT count(*) FROM ${STORE_SCHEMA}.approval_answers a WHERE a.run_id = NEW.run_id AND a.seq = NEW.seq AND a.answered_by = session_user) >= 5 THEN
    RAISE EXCEPTION 'login % has answered the approval request for record % of run % five times already', session_user, NEW.seq, NEW.run_id USING ERRCODE = 'check_violation', HINT = 'runbook-store:too-many';
  END IF;
  IF (SELECT count(*) FROM ${STORE_SCHEMA}.approval_answers a WHERE a.run_id = NEW.run_id AND a.seq = NEW.seq) >= 100 THEN
    RAISE EXCEPTION 'the approval request for record % of run % has had 100 answers already', NEW.seq, NEW.run_id USING ERRCODE = 'check_violation', HINT = 'runbook-store:too-many';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER approval_answers_check BEFORE INSERT ON ${STORE_SCHEMA}.approval_answers FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.check_answer();

-- Who waits is told at once: the approvers of a new request, the operator's run of a new answer (the
-- payload is the run's id; listeners read the rows themselves, so a lost notification costs only time).
CREATE FUNCTION ${STORE_SCHEMA}.announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(CASE TG_TABLE_NAME WHEN 'approval_requests' THEN 'runbook_store_requests' ELSE 'runbook_store_answers' END, NEW.run_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER approval_requests_announce AFTER INSERT ON ${STORE_SCHEMA}.approval_requests FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.announce();
CREATE TRIGGER approval_answers_announce AFTER INSERT ON ${STORE_SCHEMA}.approval_answers FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.announce();

CREATE TRIGGER approval_requests_never_change BEFORE UPDATE OR DELETE ON ${STORE_SCHEMA}.approval_requests FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.refuse_change();
CREATE TRIGGER approval_requests_never_truncated BEFORE TRUNCATE ON ${STORE_SCHEMA}.approval_requests FOR EACH STATEMENT EXECUTE FUNCTION ${STORE_SCHEMA}.refuse_change();
CREATE TRIGGER approval_answers_never_change BEFORE UPDATE OR DELETE ON ${STORE_SCHEMA}.approval_answers FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.refuse_change();
CREATE TRIGGER approval_answers_never_truncated BEFORE TRUNCATE ON ${STORE_SCHEMA}.approval_answers FOR EACH STATEMENT EXECUTE FUNCTION ${STORE_SCHEMA}.refuse_change();
`,
  },
  {
    version: 3,
    description: 'blobs: the files a run\'s records name (its runbook, step outputs), in parts, never changed',
    sql: `
-- A blob is named by the SHA-256 of its bytes (records name it so: blobs/<sha256>) and kept in parts of at
-- most 1 MiB, in order. Only the login that ships a run adds its blobs, after its first record is stored;
-- whether the parts make up the bytes their name says is checked where they are read back (store export and
-- the bundle's verifiers hash every blob), as for any copy.
CREATE TABLE ${STORE_SCHEMA}.blob_parts (
  run_id      text        NOT NULL,
  sha256      text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]+$' AND length(sha256) = 64),
  part        integer     NOT NULL CHECK (part >= 0),
  bytes       bytea       NOT NULL CHECK (length(bytes) <= 1048576),
  last        boolean     NOT NULL,
  -- Every part but the last is whole: a file's part count follows from its size, which its record gives.
  CHECK (last OR length(bytes) = 1048576),
  received_at timestamptz NOT NULL,
  shipped_by  name        NOT NULL,
  PRIMARY KEY (run_id, sha256, part)
);

CREATE FUNCTION ${STORE_SCHEMA}.check_blob_part() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owner name;
BEGIN
  SELECT r.shipped_by INTO owner FROM ${STORE_SCHEMA}.records r WHERE r.run_id = NEW.run_id AND r.seq = 0;
  IF owner IS NULL THEN
    RAISE EXCEPTION 'run % has no stored records: its blobs follow its first record', NEW.run_id USING ERRCODE = 'check_violation', HINT = 'runbook-store:out-of-sequence';
  END IF;
  IF owner <> session_user THEN
    RAISE EXCEPTION 'run % is shipped by %, not by %', NEW.run_id, owner, session_user USING ERRCODE = 'check_violation', HINT = 'runbook-store:not-owner';
  END IF;
  IF NEW.part > 0 AND NOT EXISTS (SELECT 1 FROM ${STORE_SCHEMA}.blob_parts b WHERE b.run_id = NEW.run_id AND b.sha256 = NEW.sha256 AND b.part = NEW.part - 1 AND NOT b.last) THEN
    RAISE EXCEPTION 'part % of blob % of run % does not follow a stored part', NEW.part, NEW.sha256, NEW.run_id USING ERRCODE = 'check_violation', HINT = 'runbook-store:out-of-sequence';
  END IF;
  NEW.received_at := clock_timestamp();
  NEW.shipped_by := session_user;
  RETURN NEW;
END
$$;
CREATE TRIGGER blob_parts_check BEFORE INSERT ON ${STORE_SCHEMA}.blob_parts FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.check_blob_part();
CREATE TRIGGER blob_parts_never_change BEFORE UPDATE OR DELETE ON ${STORE_SCHEMA}.blob_parts FOR EACH ROW EXECUTE FUNCTION ${STORE_SCHEMA}.refuse_change();
CREATE TRIGGER blob_parts_never_truncated BEFORE TRUNCATE ON ${STORE_SCHEMA}.blob_parts FOR EACH STATEMENT EXECUTE FUNCTION ${STORE_SCHEMA}.refuse_change();
`,
  },
];

export interface InitResult {
  /** The migrations this call applied (none when the schema was up to date). */
  applied: Migration[];
  version: number;
  role: string;
  /** What the writer role may do, as the database reports it: "SELECT on runbook_store.records", … */
  grants: string[];
}

export class StoreInitError extends Error {}

/**
 * Creates or brings up to date the store's schema, and the writer role with exactly INSERT and SELECT on
 * its tables. Run by an administrator (a role that may create schemas and roles). Idempotent.
 */
export async function initStore(client: pg.Client, options: { role?: string } = {}): Promise<InitResult> {
  const role = options.role ?? DEFAULT_WRITER_ROLE;
  if (!ROLE_NAME.test(role)) throw new StoreInitError(`--role "${role}": a role name here is lower-case letters, digits and underscores (at most 63), starting with a letter or underscore`);
  const schema = client.escapeIdentifier(STORE_SCHEMA);
  const writer = client.escapeIdentifier(role);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [INIT_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.migrations (
      version     integer     PRIMARY KEY,
      description text        NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
      applied_by  name        NOT NULL DEFAULT session_user
    )`);
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${schema}.migrations`)).rows.map((r) => r.version));
    const applied: Migration[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${schema}.migrations (version, description) VALUES ($1, $2)`, [migration.version, migration.description]);
      applied.push(migration);
    }
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (exists.rowCount === 0) await client.query(`CREATE ROLE ${writer} NOLOGIN`);
    // Nobody but the owner and the writer role reaches the schema; the writer may read and add, nothing else.
    await client.query(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`);
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM PUBLIC`);
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${writer}`);
    await client.query(`REVOKE ALL ON SCHEMA ${schema} FROM ${writer}`);
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${writer}`);
    await client.query(`GRANT SELECT, INSERT ON ${schema}.records, ${schema}.approval_requests, ${schema}.approval_answers, ${schema}.blob_parts TO ${writer}`);
    await client.query(`GRANT SELECT ON ${schema}.migrations, ${schema}.people TO ${writer}`);
    await client.query('COMMIT');
    return { applied, version: Math.max(...MIGRATIONS.map((m) => m.version)), role, grants: await grantsOf(client, role) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The table privileges `role` holds in the store's schema, as the database reports them. */
export async function grantsOf(client: pg.Client, role: string): Promise<string[]> {
  const { rows } = await client.query<{ privilege_type: string; table_name: string }>(
    `SELECT privilege_type, table_name FROM information_schema.role_table_grants
      WHERE grantee = $1 AND table_schema = $2 ORDER BY table_name, privilege_type`,
    [role, STORE_SCHEMA],
  );
  return rows.map((r) => `${r.privilege_type} on ${STORE_SCHEMA}.${r.table_name}`);
}

/** The schema version the store is at, or null when `init` never ran there. */
export async function storeVersion(client: pg.Client): Promise<number | null> {
  const present = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [`${STORE_SCHEMA}.migrations`]);
  if (!present.rows[0]?.present) return null;
  const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${STORE_SCHEMA}.migrations`);
  return rows[0]?.v ?? null;
}

/** Says who a login is (an administrator's call): that login answers approvals only as `person`, and never a request made by another login of the same person. */
export async function setPerson(client: pg.Client, login: string, person: string): Promise<void> {
  await client.query(`INSERT INTO ${STORE_SCHEMA}.people (login, person) VALUES ($1, $2) ON CONFLICT (login) DO UPDATE SET person = EXCLUDED.person`, [login, person]);
}
