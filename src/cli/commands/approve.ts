// `runbook approve --store URL`: the approver's side of a RESTRICTED approval through the team store.
// Without --run it lists the open requests (waiting for one with --wait); with --run and --record it shows
// that request, read from the store's own copy of the run (the exact command, the target, the runbook and its
// hash, who runs it), checks that the line to sign follows the run's run.started in the stored chain, signs
// the line's hash with the approver's SSH key (or takes a signature made with stock ssh-keygen), checks it
// against the approvers list the run recorded before sending anything, and then waits to read in the store
// what the operator's run recorded of it.
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { APPROVAL_NAMESPACE, approvalCommand, decideApproval } from '../../main/audit/approval.js';
import { findPrincipals, parseAllowedSigners } from '../../main/audit/allowed-signers.js';
import { EXIT } from '../../main/audit/reasons.js';
import { parsePublicKeyLine } from '../../main/audit/ssh-keys.js';
import { parseSshsig, signSshsig } from '../../main/audit/sshsig.js';
import { REQUESTS_CHANNEL, type RequestDetails, StoreApprovalRefusal, answerApproval, findRequest, openRequests, requestDetails } from '../../main/store/approvals.js';
import { STORE_URL_ENV } from '../../main/store/url.js';
import { CliExit } from '../cli-exit.js';
import { ask, isInteractive } from '../prompt.js';
import { type SshKeyOptions, signerFromOptions } from '../ssh-key-options.js';
import { forTerminal } from '../terminal-output.js';
import { withStoreAt } from './store.js';

export interface ApproveOptions extends SshKeyOptions {
  store?: string;
  run?: string;
  record?: string;
  /** A signature made elsewhere (ssh-keygen -Y sign), or - for stdin. */
  signature?: string;
  as?: string;
  yes?: boolean;
  /** Seconds to wait for a request when none is open. */
  wait?: number;
  /** Seconds to wait for the run to record what it made of the answer. */
  resultTimeout?: number;
  json?: boolean;
}

const out = (line: string) => process.stdout.write(`${forTerminal(line)}\n`);

export async function approveCommand(options: ApproveOptions): Promise<void> {
  const url = options.store ?? process.env[STORE_URL_ENV];
  if (!url) throw new CliExit(EXIT.usage, `name the team store: --store URL, or $${STORE_URL_ENV}`);
  if ((options.run === undefined) !== (options.record === undefined)) throw new CliExit(EXIT.usage, 'give --run and --record together (the request to answer), or neither (to list the open ones)');
  const signing = Boolean(options.key || options.agent || options.signature);
  if ([options.key, options.agent, options.signature].filter(Boolean).length > 1) throw new CliExit(EXIT.usage, 'give one of --key, --agent or --signature');
  await withStoreAt(url, '--store', 'approve', 1, async (client) => {
    if (options.run !== undefined) {
      const seq = Number(options.record);
      if (!Number.isSafeInteger(seq) || seq < 0) throw new CliExit(EXIT.usage, `--record: "${options.record}" is not a record number`);
      const request = await findRequest(client, options.run, seq);
      if (!request) throw new CliExit(1, `no approval was asked for record ${seq} of run ${options.run} in this store`);
      const details = await requestDetails(client, request);
      show(details, 0, url);
      if (!signing) return;
      await answer(client, details, options);
      return;
    }
    let open = await openRequests(client);
    if (open.length === 0 && options.wait) open = await waitForRequests(client, options.wait);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(open.map(jsonOf), null, 2)}\n`);
      return;
    }
    if (open.length === 0) {
      out('no approval requests are open in this store');
      return;
    }
    open.forEach((details, i) => show(details, i + 1, url));
    if (!signing) return;
    if (!isInteractive()) throw new CliExit(EXIT.usage, 'name the request to answer: --run ID --record N');
    const picked = (await ask(`Answer which request? [1-${open.length}, or Enter for none]: `)).trim();
    if (!picked) return;
    const chosen = open[Number(picked) - 1];
    if (!chosen) throw new CliExit(EXIT.usage, `"${picked}" is not one of the requests listed`);
    await answer(client, chosen, options);
  });
}

/** Waits up to `seconds` for a request to be made (LISTEN), then reads the open ones again. */
async function waitForRequests(client: pg.Client, seconds: number): Promise<RequestDetails[]> {
  await client.query(`LISTEN ${REQUESTS_CHANNEL}`);
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, left);
      client.once('notification', done);
      function done() {
        clearTimeout(timer);
        client.removeListener('notification', done);
        resolve();
      }
    });
    const open = await openRequests(client);
    if (open.length > 0) return open;
  }
}

function jsonOf(d: RequestDetails) {
  return {
    run: d.runId,
    record: d.seq,
    message: d.message,
    requested_at: d.requestedAt.toISOString(),
    expires_at: d.expiresAt.toISOString(),
    requested_by: d.requestedBy,
    runbook: d.run.runbook,
    profile: d.run.profile,
    operator: d.run.operator,
    step: d.started.step,
    block: d.started.block,
    target: d.started.target,
    command: d.started.command,
    variables: d.run.variables,
    env: d.started.env,
    state_changing: d.started.state_changing,
    verdict: d.started.verdict,
    problem: d.problem,
    refused: d.refused,
    closed: d.closed,
  };
}

function show(d: RequestDetails, n: number, url: string): void {
  const minutes = Math.max(0, Math.round((d.expiresAt.getTime() - Date.now()) / 60_000));
  out(`${n > 0 ? `[${n}] ` : ''}run ${d.runId} record ${d.seq}: ${d.closed ? `closed — ${d.closed}` : `open until ${d.expiresAt.toISOString()} (about ${minutes} min)`}`);
  out(`  runbook   "${d.run.runbook.title}" ${d.run.runbook.path ?? '(no file)'} sha256 ${d.run.runbook.sha256}`);
  out(`  operator  ${d.run.operator.name} (${d.run.operator.os_user}@${d.run.operator.hostname}) · profile ${d.run.profile} · store login ${d.requestedBy}`);
  out(`  step      "${d.started.step.title}" (${d.started.step.id}), block line ${d.started.block.line}, ${d.started.block.action}${d.started.block.lang ? ` ${d.started.block.lang}` : ''}`);
  out(`  target    ${d.started.target.name} (${d.started.target.kind})${'endpoint' in d.started.target && d.started.target.endpoint ? ` ${String(d.started.target.endpoint)}` : ''}`);
  out(`  verdict   ${d.started.state_changing ? 'state-changing' : 'read-only'}: ${d.started.verdict.code} — ${d.started.verdict.detail}`);
  out('  command   ┄┄┄┄┄┄┄┄');
  for (const line of d.started.command.split('\n')) out(`    │ ${line}`);
  // What the command's variables hold is part of what is approved: the run started with these values.
  for (const v of d.run.variables) out(`  value     ${v.name} = ${valueShown(v)}`);
  if (d.started.env.length > 0) out(`  env       ${d.started.env.join(', ')} (names the block gets in its environment)`);
  out(`  signs     sha256 ${d.message} (the step.started line, record ${d.seq})`);
  for (const r of d.refused) out(`  refused   an answer as "${r.approver ?? '?'}": ${r.reason}`);
  if (d.problem) out(`  PROBLEM   ${d.problem}: do not approve`);
  if (!d.closed && !d.problem) out(`  approve:  runbook approve --store ${redacted(url)} --run ${d.runId} --record ${d.seq} --key ~/.ssh/id_ed25519   (or sign with: ${approvalCommand(d.message)})`);
  out('');
}

/** A run variable's value as the run started with it: a secret's is never recorded, nor shown. */
function valueShown(v: RequestDetails['run']['variables'][number]): string {
  if (v.secret) return '(secret: not recorded, not shown)';
  if (v.value === undefined || v.value === null) return '(not recorded)';
  return JSON.stringify(v.value);
}

/** The URL as it may be printed: without a password. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'URL';
  }
}

async function answer(client: pg.Client, details: RequestDetails, options: ApproveOptions): Promise<void> {
  if (details.closed) throw new CliExit(1, `the request is closed (${details.closed}); nothing was signed`);
  if (details.problem) throw new CliExit(1, `${details.problem}: the line to sign cannot be shown to be this run's; nothing was signed`);
  if (!details.policy) throw new CliExit(1, `run ${details.runId} recorded no approvers list; its approvals are not asked through the store`);
  let signature: string;
  let approver: string;
  if (options.signature) {
    signature = options.signature === '-' ? readFileSync(0, 'utf8') : readFileSync(options.signature, 'utf8');
    let publicKey: Buffer;
    try {
      publicKey = parseSshsig(signature).publicKey;
    } catch (error) {
      throw new CliExit(1, `--signature: not an SSH signature: ${(error as Error).message}`);
    }
    approver = approverName(details, publicKey, options.as);
  } else {
    const signer = await signerFromOptions(options);
    if (!signer) throw new CliExit(EXIT.usage, 'give --key, --agent or --signature');
    approver = approverName(details, parsePublicKeyLine(signer.publicKeyLine).blob, options.as);
    if (!options.yes) {
      if (!isInteractive()) throw new CliExit(EXIT.usage, 'pass --yes to sign without being asked (not on a terminal)');
      const sure = (await ask(`Approve record ${details.seq} of run ${details.runId} ("${details.started.step.title}") as ${approver}? [y/N]: `)).trim().toLowerCase();
      if (sure !== 'y' && sure !== 'yes') throw new CliExit(1, 'not approved; nothing was signed');
    }
    signature = await signSshsig(Buffer.from(details.message, 'utf8'), APPROVAL_NAMESPACE, signer.signer);
  }
  // The run decides; checked here first against the same recorded list so a wrong key is said now, not later.
  const decision = decideApproval(details.message, signature, approver, details.policy);
  if (!decision.ok) throw new CliExit(1, `the run would refuse this answer (${decision.code}): ${decision.reason}; nothing was sent`);
  let sent;
  try {
    sent = await answerApproval(client, { runId: details.runId, seq: details.seq, approver, signature });
  } catch (error) {
    if (error instanceof StoreApprovalRefusal) throw new CliExit(1, `the store refused the answer: ${error.message}`);
    throw error;
  }
  out(`sent: answer ${sent.id} as ${approver} (${decision.fingerprint}) at ${sent.answeredAt.toISOString()}; waiting for the run to record it…`);
  await reportOutcome(client, details, approver, options.resultTimeout ?? 30);
}

/** --as, else the one name the run's recorded approvers list gives this key. */
function approverName(details: RequestDetails, publicKey: Buffer, given: string | undefined): string {
  if (given) return given;
  const entries = parseAllowedSigners(details.policy?.approvers.text ?? '');
  const names = [...new Set(findPrincipals(entries, publicKey, APPROVAL_NAMESPACE).flatMap((p) => p.split(',')))].filter((p) => !/[*?!]/.test(p));
  if (names.length !== 1) throw new CliExit(EXIT.usage, names.length === 0 ? 'the approvers list this run recorded names nobody for this key: give --as NAME (or use an approver\'s key)' : `the run's approvers list gives this key several names (${names.join(', ')}): give --as NAME`);
  return names[0] as string;
}

/** Reads the run's own records in the store until it has recorded what it made of the answer. */
async function reportOutcome(client: pg.Client, asked: RequestDetails, approver: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  const refusedBefore = asked.refused.length;
  let wait = 200;
  while (Date.now() < deadline) {
    const now = await requestDetails(client, asked);
    if (now.closed?.startsWith(`approved by ${approver} `)) {
      out(`✓ the run recorded the approval: ${now.closed}`);
      return;
    }
    const refused = now.refused.slice(refusedBefore).find((r) => r.approver === approver);
    if (refused) throw new CliExit(1, `✗ the run refused the answer: ${refused.reason}`);
    if (now.closed) throw new CliExit(1, `the request closed without this approval: ${now.closed}`);
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, 2000);
  }
  throw new CliExit(3, `the run has not recorded an answer within ${seconds} s (it ships its records when it can); look again with --run ${asked.runId} --record ${asked.seq}`);
}
