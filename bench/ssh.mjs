// SSH benchmark, a ratio against a baseline measured in the same process:
//   step: `true` through the ssh executor, every block over ONE reused connection, vs OpenSSH's
//         `ssh … root@127.0.0.1 true`, which opens a new connection each time (what a runbook that
//         shells out to ssh per step pays).
// Both talk to the same throwaway sshd (bench/support/sshd.mjs, shared with the tests) on 127.0.0.1.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSshExecutor } from '../dist/main/targets/ssh/executor.js';
import { sshdUnavailableReason, startSshd } from './support/sshd.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const logins = (sshd) => sshd.log().match(/Accepted publickey for /g)?.length ?? 0;

function opensshTrue(sshd) {
  const args = [
    '-F', '/dev/null', // the operator's ~/.ssh/config must not change what is measured
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${sshd.knownHosts}`,
    '-i', sshd.userKey.path,
    '-p', String(sshd.port),
    `${sshd.user}@127.0.0.1`,
    'true',
  ];
  const env = { ...process.env };
  delete env.SSH_AUTH_SOCK; // key file only, like the executor here
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh exited ${code}: ${stderr.trim()}`))));
  });
}

async function executorTrue(executor) {
  const result = await executor.start({ blockId: 'bench', action: 'shell', code: 'true', onOutput: () => {} }).result;
  if (result.status !== 'succeeded') throw new Error(`the ssh executor failed: ${result.error}`);
}

export async function sshBench(options = {}) {
  const reason = sshdUnavailableReason();
  if (reason) return { name: 'ssh', skipped: true, reason };
  const runs = options.runs ?? 21;
  const warmup = 3;
  const sshd = await startSshd({ agent: false });
  const ctx = { baseDir: sshd.dir, env: {}, ask: async () => null, confirm: async () => false };
  const executor = createSshExecutor(
    'bench',
    { kind: 'ssh', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: sshd.userKey.path, knownHosts: sshd.knownHosts, sshConfig: sshd.emptySshConfig, agent: false },
    ctx,
    { homeDir: path.join(sshd.dir, 'no-home') },
  );
  try {
    const loginsBefore = logins(sshd);
    // The first block opens the connection (TCP, key exchange, host key check, authentication).
    const t0 = performance.now();
    await executorTrue(executor);
    const firstBlockMs = performance.now() - t0;
    for (let i = 0; i < warmup; i++) {
      await executorTrue(executor);
      await opensshTrue(sshd);
    }
    const step = [];
    const openssh = [];
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? ['step', 'ssh'] : ['ssh', 'step'];
      for (const which of order) {
        const t = performance.now();
        if (which === 'step') await executorTrue(executor);
        else await opensshTrue(sshd);
        (which === 'step' ? step : openssh).push(performance.now() - t);
      }
    }
    // Every OpenSSH run logs in once; whatever is left over are the executor's connections.
    const executorConnections = logins(sshd) - loginsBefore - (warmup + runs);
    return {
      name: 'ssh',
      runs,
      warmup,
      firstBlockMs,
      executorConnections,
      step: { median: median(step), baseline: median(openssh), ratio: median(step) / median(openssh) },
    };
  } finally {
    await executor.close();
    await sshd.stop();
  }
}

export function printSsh(r) {
  if (r.skipped) {
    console.log(`ssh: skipped: ${r.reason}`);
    return;
  }
  console.log(`ssh: ${r.runs} runs each after ${r.warmup} warm-up runs, order alternated, sshd on 127.0.0.1`);
  console.log(`  first block (opens the connection)               ${r.firstBlockMs.toFixed(1)} ms`);
  console.log(`  step \`true\` via ssh executor (reused connection)  median ${r.step.median.toFixed(1)} ms`);
  console.log(`  ssh … true (OpenSSH, new connection each time)   median ${r.step.baseline.toFixed(1)} ms`);
  console.log(`  ratio: ${r.step.ratio.toFixed(2)}× OpenSSH's time; the executor used ${r.executorConnections} connection${r.executorConnections === 1 ? '' : 's'} for ${r.runs + r.warmup + 1} blocks`);
}
