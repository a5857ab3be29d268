// Transcripts (issue 12, item 1): blocks that show prompts, commands and output. Only the commands run; the
// prompts never do, nor the output, which is kept as the block's expected output. Blocks whose commands
// cannot be told apart safely are shown with the reason. Ordinary scripts stay exactly as they were.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { promptOf } from '../../src/main/runbook/prompts.js';
import { opensSession, readTranscript, unfinished } from '../../src/main/runbook/transcript.js';
import { type Block, RunbookSchema } from '../../src/shared/runbook-model.js';
import { REPO_ROOT } from '../support/shared.js';

/** The one block of a runbook holding one fenced block under a heading. */
function block(fence: string, body: string): Block {
  const rb = parseRunbook(`# T\n\n## Step\n\n\`\`\`${fence}\n${body}\n\`\`\`\n`, { file: 't.md' });
  const b = rb.steps[0]?.blocks[0];
  if (!b) throw new Error('no block');
  return b;
}

const fixture = (name: string) => {
  const file = path.join(REPO_ROOT, 'test/fixtures/blocks', name);
  return parseRunbook(readFileSync(file, 'utf8'), { file });
};
const byTitle = (rb: ReturnType<typeof fixture>, title: string) => {
  const b = rb.steps.find((s) => s.title === title)?.blocks[0];
  if (!b) throw new Error(`no step "${title}"`);
  return b;
};

describe('prompts', () => {
  it.each([
    ['$ kubectl get pods', 'shell', 'kubectl get pods'],
    ['% zsh --version', 'shell', 'zsh --version'],
    ['# systemctl restart web', 'shell', 'systemctl restart web'],
    ['alice@web-1:~/src$ make', 'shell', 'make'],
    ['alice@web-1 ~ % ls', 'shell', 'ls'],
    ['[root@db-1 data]# df -h .', 'shell', 'df -h .'],
    ['(venv) $ pip list', 'shell', 'pip list'],
    ['PS C:\\> Get-Service', 'windows', 'Get-Service'],
    ['C:\\Users\\ops> dir', 'windows', 'dir'],
    ['mysql> SELECT 1;', 'repl', 'SELECT 1;'],
    ['MariaDB [shop]> SHOW TABLES;', 'repl', 'SHOW TABLES;'],
    ['postgres=# \\dt', 'repl', '\\dt'],
    ['shop=> SELECT 1;', 'repl', 'SELECT 1;'],
    ['>>> import os', 'repl', 'import os'],
    ['127.0.0.1:6379> INFO', 'repl', 'INFO'],
    ['rs0:PRIMARY> db.stats()', 'repl', 'db.stats()'],
    ['gpg/card> admin', 'repl', 'admin'],
    ['sh-5.1# chroot /host', 'nested', 'chroot /host'],
  ])('%j is a %s prompt', (line, kind, command) => {
    const p = promptOf(line);
    expect(p?.kind).toBe(kind);
    expect(p?.command.trim()).toBe(command);
  });

  it.each([['$VAR=1'], ['$(date)'], ['#!/bin/bash'], ['#comment'], ['> /tmp/truncated'], ['[ -f x ] && echo y'], ['git@github.com: Permission denied (publickey).'], ['echo $ 5'], ['PS1="$ "']])('%j is no prompt', (line) => {
    expect(promptOf(line)).toBeNull();
  });
});

describe('when a command is unfinished', () => {
  it.each([
    ['kubectl get pods \\', 'a line ends in a backslash'],
    ["echo 'abc", 'a single quote is open'],
    ['echo "abc', 'a double quote is open'],
    ["echo $'abc", 'a single quote is open'],
    ['cat <<EOF', 'a here-document is open'],
    ['cat <<EOF\nhello', 'a here-document is open'],
    ["cat <<'EOF' | sh\necho 'hi'", 'a here-document is open'],
    ['ps aux |', 'a pipe or && ends the line'],
    ['make &&', 'a pipe or && ends the line'],
    ['x=$(date', 'a parenthesis is open'],
    ['for i in 1 2; do', 'an if, case or loop is open'],
    ['if true; then', 'an if, case or loop is open'],
    ['f() {', 'a { group is open'],
    ['echo `date', 'a backquote is open'],
    ['echo x \\  ', 'backslash-space'],
  ])('%j: %s', (text, why) => {
    expect(unfinished(text)).toBe(why);
  });

  it.each([['kubectl get pods'], ['cat <<EOF\nhello\nEOF'], ["echo 'a b' # it's fine"], ['for i in 1 2; do echo $i; done'], ['echo "${X:-a}" | grep a'], ['find . -name x -exec rm {} \\;'], ['echo done'], ['echo \\\\']])('%j is complete', (text) => {
    expect(unfinished(text)).toBeNull();
  });
});

describe('sessions a command opens', () => {
  it.each([
    ['ssh db-1', 'ssh db-1'],
    ['kubectl -n shop exec -it web-0 -- bash', 'kubectl exec -it'],
    ['oc debug node/worker-1', 'oc debug'],
    ['sudo -i', 'sudo -i'],
    ['sudo -u postgres psql', 'psql (a psql session)'],
    ['mysql -h db-2 shop', 'mysql (a MySQL session)'],
    ['docker exec -it web sh', 'docker exec -it'],
  ])('%j opens one (%s)', (command, what) => {
    expect(opensSession(command)).toBe(what);
  });
  it.each([['ssh db-1 uptime'], ['kubectl exec web-0 -- ls /'], ['oc debug node/w1 -- chroot /host ls'], ['psql -c "select 1"'], ['mysql -e "SELECT 1"'], ['sudo systemctl restart web'], ['docker exec web ls']])('%j does not', (command) => {
    expect(opensSession(command)).toBeNull();
  });
});

describe('reading a block as a transcript', () => {
  it('runs only the commands after the prompts; the output is kept apart; the block as written is kept too', () => {
    const b = block('console', '$ echo one\none\n$ printf "%s\\n" two \\\n    three\ntwo\nthree');
    expect(b.action).toBe('shell');
    expect(b.code).toBe('echo one\nprintf "%s\\n" two \\\n    three');
    expect(b.source).toBe('$ echo one\none\n$ printf "%s\\n" two \\\n    three\ntwo\nthree');
    expect(b.expectedOutput).toBe('one\ntwo\nthree');
    expect(b.reading).toEqual({ kind: 'transcript', reason: expect.stringContaining('2 commands') });
    expect(b.reason).toMatch(/console transcript/);
  });

  it('removes the "> " continuation prompt of every continuation line, and only of those', () => {
    const b = block('shell-session', '$ cat <<EOF > /tmp/x\n> line one\n> > quoted\n> EOF\n$ echo "a\n> b"\n> not a continuation');
    expect(b.code).toBe('cat <<EOF > /tmp/x\nline one\n> quoted\nEOF\necho "a\nb"');
    expect(b.expectedOutput).toBe('> not a continuation');
  });

  it('takes here-documents and open quotes written without "> " whole', () => {
    const b = block('console', '$ cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\nEOF\nnamespace/shop created');
    expect(b.code).toBe('cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\nEOF');
    expect(b.expectedOutput).toBe('namespace/shop created');
  });

  it('reads prompts in every shell-like fence and in fences without a language', () => {
    for (const fence of ['bash', 'sh', 'shell', 'zsh', 'console', 'shell-session', 'terminal', '']) {
      const b = block(fence, '$ uname -s\nLinux');
      expect([fence, b.action, b.code, b.expectedOutput, b.reading?.kind]).toEqual([fence, 'shell', 'uname -s', 'Linux', 'transcript']);
    }
    // Other languages are what they say: a text fence with a prompt is text.
    expect(block('text', '$ uname -s\nLinux').action).toBe('display');
  });

  it('lists the variables of the commands only, never of the output', () => {
    const b = block('console', '$ echo "$REGION" <ZONE>\n$HOME is /root and <b>bold</b> $NOT_A_VARIABLE');
    expect(b.variables).toEqual(['REGION', '<ZONE>']);
  });

  it('an indented prompt in the output (a help text\'s example) is output, never run', () => {
    const b = block('console', '$ helm install web ./chart\nNOTES:\n  Get the URL by running:\n  $ export POD=$(kubectl get pods -o name)\n  $ kubectl port-forward "$POD" 8080:80');
    expect(b.code).toBe('helm install web ./chart');
    expect(b.expectedOutput).toContain('  $ kubectl port-forward "$POD" 8080:80');
    expect(b.variables).toEqual([]);
  });

  it('curl\'s progress meter and a price are output, not prompts', () => {
    const b = block('console', '$ curl -O https://example.com/app.tgz\n  % Total    % Received % Xferd  Average Speed\n100  1024  100  1024    0     0   4096      0\n$ echo "$ 5.00"\n$ 5.00');
    expect(b.code).toBe('curl -O https://example.com/app.tgz\necho "$ 5.00"');
    expect(block('console', '  % Total    % Received % Xferd\n100  1024').reading?.kind).toBe('output');
  });

  it('keeps "# Expected:" hints of the block as written', () => {
    expect(block('console', '$ uptime\n# Expected: a load below 4').expected).toEqual(['a load below 4']);
  });
});

describe('the # prompt, decided from the block as a whole', () => {
  it('in a console fence, "# command" is a root prompt', () => {
    const b = block('console', '# systemctl restart web');
    expect([b.action, b.code]).toEqual(['shell', 'systemctl restart web']);
  });

  it('in a console fence, "# words" that are no command are output', () => {
    const b = block('console', '# Loopback addresses\n127.0.0.1 localhost');
    expect([b.action, b.reading?.kind]).toEqual(['display', 'output']);
  });

  it('in a bash fence, "# command" followed only by output is a root prompt', () => {
    const b = block('bash', '# systemctl status nginx\n● nginx.service - A high performance web server\n   Active: active (running)');
    expect([b.action, b.code, b.expectedOutput]).toEqual(['shell', 'systemctl status nginx', '● nginx.service - A high performance web server\n   Active: active (running)']);
  });

  it('positive control: in a bash fence, "# command" beside other commands is a commented-out command', () => {
    const code = '# systemctl stop nginx\nsystemctl reload nginx';
    const b = block('bash', code);
    expect([b.action, b.code, b.source, b.reading?.kind, b.expectedOutput]).toEqual(['shell', code, code, 'as-written', null]);
    // Nor when the other line may be a command the word list does not know.
    expect(block('bash', '# make deploy\nhelmfile apply').code).toBe('# make deploy\nhelmfile apply');
  });

  it('positive control: comments that are prose stay comments, and a block of only comments is shown', () => {
    const b = block('bash', '# find the pod that serves the shop\n# then restart it');
    expect([b.action, b.reason]).toEqual(['display', 'the block holds only comments or nothing']);
    const c = block('sh', '# Restart the proxy\nsystemctl restart haproxy');
    expect([c.action, c.code]).toEqual(['shell', '# Restart the proxy\nsystemctl restart haproxy']);
  });

  it('positive control: "# kubectl apply -f -" over a manifest without a language leaves it a manifest', () => {
    const code = '# kubectl apply -f -\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop';
    const b = block('', code);
    expect([b.action, b.code, b.reading?.kind]).toEqual(['k8s-manifest', code, 'as-written']);
  });

  it('"$" prompts with "# comment" lines: the comments are output or notes, never commands', () => {
    const b = block('bash', '# List the failed pods\n$ kubectl get pods --field-selector=status.phase=Failed\nNo resources found');
    expect([b.action, b.code, b.expectedOutput]).toEqual(['shell', 'kubectl get pods --field-selector=status.phase=Failed', 'No resources found']);
  });
});

describe('transcripts that cannot be run, shown with the reason', () => {
  it.each([
    ['console', '$ mysql -h db shop\nmysql> SELECT 1;', /prompt of MySQL/],
    ['', 'postgres=# \\dg\n List of roles', /prompt of PostgreSQL \(psql\)/],
    ['console', 'PS C:\\> Get-Service web', /PowerShell prompt: Windows commands/],
    ['console', '$ sudo -i\n# rm -rf /var/cache/app/*', /prompt changes from "\$" to "#" at line 2/],
    ['console', 'alice@a:~$ ssh b\nalice@b:~$ uptime', /prompt changes from "alice@a\$" to "alice@b\$"/],
    ['console', '$ ssh replica-3\n$ pg_lsclusters', /line 1 opens an interactive session \(ssh replica-3\)/],
    ['console', '$ kubectl -n shop exec -it web-0 -- sh\n$ ls /data', /kubectl exec -it/],
    ['bash', 'sh-5.1# chroot /host', /prompt "sh-5.1#" of a shell started inside another session/],
    ['console', '$ exit', /leaves a shell/],
    ['console', "$ echo 'never closed\nsome output", /never ends \(a single quote is open\)/],
    ['console', '$ kubectl get pods \\\n$ kubectl get svc', /line 2 starts a new prompt while the command at line 1 is unfinished/],
    ['console', '$ kubectl delete pod web-0 \\ \n  --grace-period=0', /backslash followed by spaces/],
    ['console', '$ cat <<EOF\n> one\ntwo\n> EOF', /line 3 continues the command at line 1 without the "> "/],
    ['bash', '$ vi /etc/app.conf\n# make the change\n./bin/reload', /line 3 has no prompt but reads as a command/],
    ['bash', 'kubectl get pods\n$ kubectl get svc', /line 2 starts with a prompt but line 1 before it has none/],
  ])('%s %j', (fence, body, why) => {
    const b = block(fence, body);
    expect(b.action).toBe('display');
    expect(b.reading?.kind).toBe('transcript');
    expect(b.reason).toMatch(why);
    expect(b.reading?.reason).toMatch(why);
    expect(b.code).toBe(body); // a display block's code is the block as written
    expect(b.variables).toEqual([]);
    expect(b.expectedOutput).toBeNull();
  });

  it('a prompt-looking line inside a script\'s here-document is text: the block stays a script', () => {
    const code = 'cat <<\'EOF\' > README\n$ make install\nEOF\nchmod 644 README';
    const b = block('bash', code);
    expect([b.action, b.code, b.reading?.kind]).toEqual(['shell', code, 'as-written']);
  });
});

describe('fence attributes and transcripts', () => {
  it('"action": "shell" runs a transcript\'s commands only, and cannot make an unreadable one run', () => {
    expect(block('console {"action":"shell"}', '$ echo hi\nhi').code).toBe('echo hi');
    const b = block('console {"action":"shell"}', '$ mysql shop\nmysql> SELECT 1;');
    expect([b.action, b.reason]).toEqual(['display', expect.stringMatching(/^fence attribute "action": "shell", but line 2 has a prompt of MySQL/)]);
  });
  it('"run": false shows it, as written, still read as a transcript', () => {
    const b = block('console {"run":false}', '$ echo hi\nhi');
    expect([b.action, b.code, b.reading?.kind, b.expectedOutput]).toEqual(['display', '$ echo hi\nhi', 'transcript', 'hi']);
  });
});

describe('positive controls: ordinary scripts stay exactly as they are', () => {
  it.each([
    ['bash', 'set -euo pipefail\n# Rotate the key\nkubectl -n shop create secret generic api --from-literal=key="$API_KEY" --dry-run=client -o yaml | kubectl apply -f -'],
    ['sh', '> /var/log/app/empty.log\necho "$HOSTNAME" >> /tmp/hosts'],
    ['bash', 'cat <<EOF > /etc/motd\nWelcome to $HOST\n# not a prompt\nEOF'],
    ['zsh', 'for f in *.log; do\n  gzip "$f"\ndone'],
    ['shell', 'psql -c "SELECT 1" # $ in a comment'],
    ['', 'kubectl rollout restart deploy/web'],
  ])('%s %j', (fence, code) => {
    const b = block(fence, code);
    expect(b.action).toBe('shell');
    expect(b.code).toBe(code);
    expect(b.source).toBe(code);
    expect(b.expectedOutput).toBeNull();
    expect(b.reading).toEqual({ kind: 'as-written', reason: 'run as written: no line starts with a prompt' });
  });
});

describe('console fences without prompts', () => {
  it('commands written bare run as written', () => {
    const b = block('console', 'kubectl -n shop get deploy web\nkubectl -n shop rollout status deploy/web');
    expect([b.action, b.reading?.kind]).toEqual(['shell', 'as-written']);
  });
  it('anything else is output to look at', () => {
    const b = block('console', 'Removed member 8211f1d0f64f3269 from cluster');
    expect([b.action, b.reading?.kind]).toEqual(['display', 'output']);
  });
});

describe('readTranscript', () => {
  it('maps each command to its lines of the block', () => {
    const t = readTranscript('# on the primary\n$ echo a \\\n  b\na b\n\n$ echo c\nc', 'console');
    expect(t).toEqual({ kind: 'commands', commands: [{ line: 2, endLine: 3, text: 'echo a \\\n  b' }, { line: 6, endLine: 6, text: 'echo c' }], output: 'a b\n\nc', prompt: '"$"' });
  });
  it('is none for a block without prompts', () => {
    expect(readTranscript('echo hi', 'script')).toEqual({ kind: 'none' });
  });
});

describe('fixture: test/fixtures/blocks/transcripts.md', () => {
  const rb = fixture('transcripts.md');

  it('is a valid model in which every runnable transcript runs only its commands', () => {
    RunbookSchema.parse(rb);
    const transcripts = rb.steps.flatMap((s) => s.blocks).filter((b) => b.reading?.kind === 'transcript' && b.action === 'shell');
    expect(transcripts.map((b) => b.code)).toEqual([
      'systemctl is-active web\ncurl -fsS http://localhost:8080/healthz \\\n    --max-time 5',
      'ls -1 | tail -n 2\nreadlink current',
      "ss -tn state established '( sport = :5432 )' | wc -l",
      'cat <<EOF > /tmp/notice.txt\nMaintenance from 22:00 to 23:00 UTC.\nEOF\nwc -l /tmp/notice.txt',
      'zsh --version',
      "ps -eo pid,stat,cmd | grep '[w]orker'",
    ]);
    for (const b of transcripts) {
      expect(b.expectedOutput).not.toBeNull();
      const codeLines = new Set(b.code.split('\n'));
      for (const line of (b.expectedOutput as string).split('\n')) expect(codeLines.has(line)).toBe(false);
      const sourceLines = new Set(b.source?.split('\n'));
      for (const line of (b.expectedOutput as string).split('\n')) expect(sourceLines.has(line)).toBe(true);
    }
  });

  it('shows, with the reason, what cannot run here', () => {
    const shown = (title: string) => byTitle(rb, title);
    expect(shown('Query the orders database').reason).toMatch(/MySQL/);
    expect(shown('Restart the Windows agent').reason).toMatch(/PowerShell/);
    expect(shown('Become root and clear the cache').reason).toMatch(/prompt changes/);
    expect(shown('Check the replica from the jump host').reason).toMatch(/interactive session/);
    expect(shown('Try the client library').reason).toMatch(/Python/);
    expect(shown('What the health check prints').reading?.kind).toBe('output');
    for (const title of ['Query the orders database', 'Restart the Windows agent', 'Become root and clear the cache', 'Check the replica from the jump host', 'Try the client library', 'What the health check prints']) {
      expect(shown(title).action).toBe('display');
    }
  });

  it('positive controls: the scripts run as written', () => {
    for (const title of ['Rotate the logs (a script with a commented-out command)', 'Prepare the archive (a script)', 'Commands without prompts']) {
      const b = byTitle(rb, title);
      expect([title, b.action, b.code === b.source, b.reading?.kind]).toEqual([title, 'shell', true, 'as-written']);
    }
    expect(byTitle(rb, 'Prepare the archive (a script)').variables).toEqual(['ARCHIVE_DIR']);
  });
});
