// RESTRICTED runs: every state-changing block that ran must have a granted approval whose signature (by
// someone other than the operator) covers the hash of that block's step.started record.
import { checkApproval } from './approval.js';
import { principalFor } from './principal.js';
import { fail } from './reasons.js';
import { type JournalRecord, sha256Hex } from './record.js';

type Data = Record<string, any>;

export function checkApprovals(records: JournalRecord[], lines: string[]): void {
  const start = records[0]?.data as Data | undefined;
  if (start?.profile !== 'restricted') return;
  const operator = String(start.operator?.name ?? '');
  records.forEach((record, i) => {
    if (record.type !== 'step.started' || !(record.data as Data).state_changing) return;
    const blockId = (record.data as Data).block?.id;
    const finishedAt = records.findIndex((r, j) => j > i && r.type === 'step.finished' && (r.data as Data).block?.id === blockId);
    const finished = records[finishedAt]?.data as Data | undefined;
    // Refused blocks did not run. Older journals say so only in the error text.
    const refused = finished?.outcome?.refusal === 'approval-refused' || (finished?.outcome?.status === 'error' && finished.outcome.refusal === undefined && String(finished.outcome.error ?? '').startsWith('not approved:'));
    if (refused) return;
    const end = finishedAt < 0 ? records.length : finishedAt;
    const hash = sha256Hex(lines[i] as string);
    const approval = records.slice(i + 1, end).find((r) => r.type === 'approval' && (r.data as Data).granted === true && (r.data as Data).started?.sha256 === hash);
    const at = { record: i, line: i + 1 };
    if (!approval) fail('E_APPROVAL', `record ${i}: block ${String(blockId)} changed state without an approval of its step.started record`, at);
    const d = approval.data as Data;
    const check = checkApproval(hash, String(d.signature), String(d.approver), null, principalFor(operator));
    if (!check.ok) fail('E_APPROVAL', `record ${approval.seq}: approval of record ${i} does not hold: ${check.reason}`, { record: approval.seq, line: approval.seq + 1 });
  });
}
