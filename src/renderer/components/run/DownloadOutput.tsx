// Downloads a block's whole recorded output (secrets masked, as the journal's blob holds it): main hands it
// over in pieces (runs.output, at most 512 KiB each, so either host's transport takes it), checked against the
// size and SHA-256 its step.finished records, and saved through the browser as a file.
import { useState } from 'react';
import type { RunbookApi } from '../../../shared/api.js';
import { errorMessage } from '../../lib/error-message.js';

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function DownloadOutput({ api, runId, stepId, blockId }: { api: RunbookApi; runId: string; stepId: string; blockId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const pieces: Uint8Array[] = [];
      let name = 'output.txt';
      let expected = { size: 0, sha256: '' };
      for (let offset = 0; ; ) {
        const piece = await api['runs.output']({ runId, stepId, blockId, offset });
        name = piece.name;
        expected = { size: piece.size, sha256: piece.sha256 };
        const bytes = fromBase64(piece.data);
        pieces.push(bytes);
        offset += bytes.length;
        if (piece.done || bytes.length === 0) break;
      }
      const whole = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of pieces) {
        whole.set(p, at);
        at += p.length;
      }
      if (whole.length !== expected.size) throw new Error(`the output read back is ${whole.length} bytes, its record says ${expected.size}; not saved`);
      if ((await sha256Hex(whole)) !== expected.sha256) throw new Error('the output read back does not match the SHA-256 its record holds; not saved');
      const url = URL.createObjectURL(new Blob([whole], { type: 'text/plain' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="download-output">
      <button type="button" data-testid="download-output" disabled={busy} onClick={() => void download()} title="The whole output as recorded (secrets masked)">
        Download output
      </button>
      {error && (
        <span className="field-error" role="alert" data-testid="download-error">
          {error}
        </span>
      )}
    </span>
  );
}
