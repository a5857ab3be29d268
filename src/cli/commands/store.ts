// `runbook store init | push | verify | runs`: the team evidence store in PostgreSQL (src/main/store/).
// The URL comes from --url or $RUNBOOK_STORE_URL, its password from the URL or $RUNBOOK_STORE_PASSWORD;
// what is printed names the store as user@host:port/database (sslmode), never with its password.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { JOURNAL_FILE } from '../../main/audit/record.js';
import { EXIT, FAILURES } from '../../main/audit/reasons.js';
import { StoreUnreachable, withStoreConnection } from '../../main/store/connect.js';
import { initStore, setPerson } from '../../main/store/schema.js';
import { StoreRefusal } from '../../main/store/records.js';
import { StoreDiverged, pushRun } from '../../main/store/ship.js';
import { BlobMissing } from '../../main/store/blobs.js';
import { STORE_URL_ENV, type StoreEndpoint, parseStoreUrl } from '../../main/store/url.js';
import { storedRunIds, storedRunSummaries, verifyStoredRun } from '../../main/store/verify-store.js';
import { ExportError } from '../../main/audit/export.js';
import { FileMacKeyStore } from '../../main/audit/key-store.js';
import { VerifyFailure } from '../../main/audit/reasons.js';
import { SshSignerError } from '../../main/audit/ssh-signers.js';
import { MAC_KEY_FILE } from '../../main/audit/verify.js';
import { exportStoredRun } from '../../main/store/export-store.js';
import { CliExit } from '../cli-exit.js';
import { loadInstallationForCli } from '../installation-notice.js';
import { type SshKeyOptions, signerFromOptions } from '../ssh-key-options.js';
import { forTerminal } from '../terminal-output.js';

export interface StoreUrlOption {
  url?: string;
}

const out = (line: string) => process.stdout.write(`${forTerminal(line)}\n`);

/**
 * Reads `url` (given as `option`), connects for `purpose`, runs `use` and disconnects, whatever happens. A
 * URL that cannot be read is a usage error; a store that cannot be reached exits `unreachable`.
 */
export async function withStoreAt<T>(url: string, option: string, purpose: string, unreachable: number, use: (client: pg.Client, endpoint: StoreEndpoint) => Promise<T>): Promise<T> {
  let endpoint: StoreEndpoint;
  try {
    endpoint = parseStoreUrl(url);
  } catch (error) {
    throw new CliExit(EXIT.usage, `${option}: ${(error as Error).message}`);
  }
  try {
    return await withStoreConnection(endpoint, { purpose }, (client) => use(client, endpoint));
  } catch (error) {
    if (error instanceof StoreUnreachable) throw new CliExit(unreachable, `${option}: ${error.message}`);
    throw error;
  }
}

/** The `store` commands' store: --url, else $RUNBOOK_STORE_URL. */
function withStore<T>(options: StoreUrlOption, purpose: string, use: (client: pg.Client, endpoint: StoreEndpoint) => Promise<T>): Promise<T> {
  const url = options.url ?? process.env[STORE_URL_ENV];
  if (!url) throw new CliExit(EXIT.usage, `no store given: pass --url postgresql://USER@HOST/DATABASE?sslmode=verify-full&sslrootcert=CA.pem (or set $${STORE_URL_ENV})`);
  return withStoreAt(url, '--url', purpose, EXIT.failed, use);
}

export async function storeInitCommand(options: StoreUrlOption & { role?: string }): Promise<void> {
  await withStore(options, 'init', async (client, endpoint) => {
    const result = await initStore(client, options.role ? { role: options.role } : {}).catch((error: unknown) => {
      throw new CliExit(EXIT.failed, `init on ${endpoint.shown}: ${(error as Error).message}`);
    });
    out(`store ${endpoint.shown}: schema runbook_store at version ${result.version}${result.applied.length ? ` (applied now: ${result.applied.map((m) => `${m.version} ${m.description}`).join('; ')})` : ' (up to date)'}`);
    out(`role ${result.role} may (no UPDATE, DELETE or TRUNCATE on anything in the schema):`);
    for (const grant of result.grants) out(`  ${grant}`);
    out(`give each operator's login the role:  GRANT ${result.role} TO their_login;`);
  });
}

export async function storePushCommand(dir: string, options: StoreUrlOption): Promise<void> {
  if (!existsSync(path.join(dir, JOURNAL_FILE))) throw new CliExit(EXIT.usage, `${dir}: no ${JOURNAL_FILE} here (give a run directory or an exported bundle)`);
  await withStore(options, 'push', async (client, endpoint) => {
    try {
      const pushed = await pushRun(client, dir);
      out(`run ${pushed.runId}: shipped ${pushed.shipped} records to ${endpoint.shown} (it held ${pushed.already} of ${pushed.total}); it holds the ${pushed.blobs} files they name`);
    } catch (error) {
      if (error instanceof StoreDiverged) throw new CliExit(EXIT.failed, `FAIL E_STORE_DIFFERS: ${error.message} (record ${error.seq}); nothing was shipped`);
      if (error instanceof StoreRefusal) throw new CliExit(EXIT.failed, `the store refuses this run's records: ${error.message}`);
      if (error instanceof BlobMissing) throw new CliExit(EXIT.failed, `the records are in the store, but not every file they name: ${error.message}`);
      throw error;
    }
  });
}

export async function storeVerifyCommand(options: StoreUrlOption & { run?: string; pin?: string[]; json?: boolean }): Promise<void> {
  await withStore(options, 'verify', async (client, endpoint) => {
    const runIds = options.run ? [options.run] : await storedRunIds(client);
    const results = [];
    for (const runId of runIds) results.push(await verifyStoredRun(client, runId, { pins: options.pin ?? [] }));
    const failed = results.filter((r) => !r.result.ok);
    const unanchored = results.filter((r) => r.result.ok && !r.result.anchored);
    if (options.json) process.stdout.write(`${JSON.stringify({ store: endpoint.shown, runs: results }, null, 2)}\n`);
    else {
      for (const { runId, records, result, filesMissing } of results) {
        if (!result.ok) {
          out(`FAIL  ${runId}: ${result.failure.code} ${result.failure.detail} — ${FAILURES[result.failure.code]}`);
          continue;
        }
        // What a signature covers is all that stands against an edit made with the hash column recomputed.
        const sealed = result.sealedSize === null ? 'nothing of it sealed' : `sealed at ${result.sealedSize}`;
        const tail = result.sealedSize === null ? records : records - result.sealedSize - 1;
        const after = tail > 0 ? `; ${tail} record(s) not covered by any seal (an edit there with its hash recomputed cannot be told)` : '';
        const anchor = result.anchored ? 'anchored' : 'NOT ANCHORED (give --pin with the installation key you hold)';
        const files = filesMissing ? `; ${filesMissing} file(s) the records name are not in the store, so no file was checked` : '; every file the records name matches its hash';
        out(`${result.anchored ? 'OK   ' : 'INTACT'} ${runId}: ${records} records intact (chain, ${sealed}, signatures ${anchor}${result.macChecked ? ', MACs' : ''})${after}${files}`);
      }
      out(`${results.length - failed.length} of ${results.length} stored runs verified on ${endpoint.shown}${unanchored.length ? `, ${unanchored.length} of them not anchored` : ''}`);
    }
    if (failed.length > 0) throw new CliExit(EXIT.failed, `${failed.length} stored run(s) failed verification`);
    if (unanchored.length > 0) throw new CliExit(EXIT.unanchored, '');
  });
}

export async function storeRunsCommand(options: StoreUrlOption & { json?: boolean; verify?: boolean; pin?: string[] }): Promise<void> {
  await withStore(options, 'runs', async (client, endpoint) => {
    const runs = await storedRunSummaries(client);
    // --verify: each run through store verify's checks, its verdict beside it (what a list can say in a word).
    const verdicts = new Map<string, string>();
    if (options.verify) {
      for (const r of runs) {
        const { result } = await verifyStoredRun(client, r.runId, { pins: options.pin ?? [] });
        verdicts.set(r.runId, result.ok ? (result.anchored ? 'ok' : 'intact, not anchored') : `FAIL ${result.failure.code}`);
      }
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ store: endpoint.shown, runs: runs.map((r) => ({ ...r, ...(options.verify ? { verify: verdicts.get(r.runId) } : {}) })) }, null, 2)}\n`);
      return;
    }
    out(`${runs.length} runs in ${endpoint.shown}`);
    for (const r of runs) {
      const verdict = verdicts.has(r.runId) ? `  verify: ${verdicts.get(r.runId)}` : '';
      out(`${r.runId}  ${r.started}  ${r.state.padEnd(11)} ${r.profile.padEnd(10)} ${r.operator} (shipped by ${r.shippedBy})  "${r.title}" (sha256 ${r.runbookSha256.slice(0, 12)}…)  ${r.records} records, last ${r.lastType}${r.sealedSize === null ? ', not sealed' : `, sealed at ${r.sealedSize}`}${verdict}`);
    }
  });
}

export async function storePersonCommand(login: string, person: string, options: StoreUrlOption): Promise<void> {
  await withStore(options, 'person', async (client, endpoint) => {
    await setPerson(client, login, person);
    out(`${endpoint.shown}: login ${login} is ${person}: it answers approvals only as ${person}, and never a run shipped by another login of ${person}`);
  });
}

export async function storeExportCommand(options: StoreUrlOption & SshKeyOptions & { run: string; out: string; pdf?: boolean }): Promise<void> {
  // Signed by a person's key, never by this machine's installation key (which did not seal the run).
  if (!options.key && !options.agent) throw new CliExit(EXIT.usage, 'a bundle from the store is signed with an SSH key you hold: give --key FILE or --agent');
  const signer = await signerFromOptions(options);
  await withStore(options, 'export', async (client, endpoint) => {
    try {
      const result = await exportStoredRun(client, options.run, { out: options.out, operatorSigner: signer, pdf: Boolean(options.pdf), keys: new FileMacKeyStore(), installation: await loadInstallationForCli() });
      out(`exported run ${result.runId} from ${endpoint.shown} to ${result.out} (${result.files.length} files), signed by ${result.principal} ${result.signerFingerprint}`);
      if (!result.files.includes(MAC_KEY_FILE)) out(`note: this machine does not hold the run's MAC key, so the bundle has none: its verifiers check chain, seals and signatures, not the MACs`);
      out(`verify: cd ${result.out} && sha256sum -c SHA256SUMS && python3 verify.py .  (see VERIFY.md)`);
    } catch (error) {
      if (error instanceof ExportError || error instanceof SshSignerError) throw new CliExit(EXIT.failed, error.message);
      if (error instanceof VerifyFailure) throw new CliExit(EXIT.failed, `run ${options.run}: the stored run does not verify, so it is not exported: ${error.message}`);
      throw error;
    }
  });
}
