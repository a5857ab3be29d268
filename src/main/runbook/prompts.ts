// What a line of a code block shows when it starts with a prompt: a POSIX shell's (`$ `, `% `, `# `,
// `user@host:~$ `, `[root@host dir]# `, `bash-5.1$ `), Windows' (`PS C:\> `, `C:\> `), or another
// program's interactive prompt (`mysql> `, `>>> `, `postgres=# `, `127.0.0.1:6379> `, `gpg> ` …).
// Also whether a line's text reads as a shell command, which decides whether `# text` is a root prompt
// or a comment (see transcript.ts, which applies these to whole blocks).

export type Prompt =
  /**
   * A POSIX shell's prompt. `identity` tells shells apart within one block: the prompt character, after
   * `user@host` when the prompt names one (a change of identity means the commands run somewhere else).
   */
  | { kind: 'shell'; sigil: '$' | '%' | '#'; identity: string; command: string }
  | { kind: 'windows'; shell: 'PowerShell' | 'cmd.exe'; command: string }
  /** A prompt of another program's session: what follows it is typed into that program, not a shell. */
  | { kind: 'repl'; program: string; command: string }
  /** A shell with no prompt set (`sh-5.1# `), as a container or a debug pod starts it: it runs there, not here. */
  | { kind: 'nested'; prompt: string; command: string };

type Sigil = '$' | '%' | '#';

const USER_HOST = String.raw`[A-Za-z0-9_][\w.-]*@[\w.-]+`;
/** [root@db-1 data]# … */
const BRACKETED = new RegExp(String.raw`^\s*\[(${USER_HOST})(?:[ :][^\]]*)?\]\s?([$#%])(?:\s(.*))?$`);
/** alice@web-1:~/src$ … , alice@web-1 ~ % … , (venv) alice@web-1:~$ … */
const USER_AT_HOST = new RegExp(String.raw`^\s*(?:\([\w.-]+\)\s*)?(${USER_HOST})(?::[^\s$#%]*)?(?:\s+[^\s$#%@]+)?\s?([$#%])(?:\s(.*))?$`);
/** bash-5.1$ … , sh-4.4# …: a shell with no prompt set, as containers and debug pods start it. */
const SHELL_VERSION = /^\s*((?:ba|z|k|da)?sh-\d+(?:\.\d+)*)([$#])(?:\s(.*))?$/;
/** $ … , % … , # … , (venv) $ … , ~/src$ … */
const BARE = /^\s*(?:\([\w.-]+\)\s+|~[\w./-]*\s?)?([$%#])(?:\s+(.*))?$/;

const POWERSHELL = /^\s*PS(?:\s+[^>\n]*)?>(?:\s(.*))?$/;
const CMD_EXE = /^\s*[A-Za-z]:\\[^>\n]*>(?:\s?(.*))?$/;

/** Programs whose prompt is their name followed by `>` (`mysql> `, `sqlite> `, `gpg> ` …). */
const NAMED_REPLS: Record<string, string> = {
  mysql: 'MySQL',
  sqlite: 'SQLite',
  cqlsh: 'Cassandra (cqlsh)',
  redis: 'Redis (redis-cli)',
  gpg: 'gpg',
  'gpg/card': 'gpg',
  sftp: 'sftp',
  ftp: 'ftp',
  scala: 'Scala',
  jshell: 'jshell',
  hive: 'Hive',
  beeline: 'Hive (beeline)',
  trino: 'Trino',
  presto: 'Presto',
  'spark-sql': 'Spark SQL',
  SQL: 'Oracle SQL*Plus',
  RMAN: 'Oracle RMAN',
  DGMGRL: 'Oracle Data Guard',
  influx: 'InfluxDB',
  ghci: 'GHCi',
  Prelude: 'GHCi',
  mongos: 'MongoDB',
  mongo: 'MongoDB',
  ksql: 'ksqlDB',
  'clickhouse-client': 'ClickHouse',
  sqlcmd: 'SQL Server (sqlcmd)',
  db2: 'Db2',
  zk: 'ZooKeeper',
  pry: 'Ruby (pry)',
};
const NAMED_REPL = new RegExp(String.raw`^\s*(${Object.keys(NAMED_REPLS).map((k) => k.replace(/[-./]/g, '\\$&')).join('|')})(?::[\w-]+)?(?:\s?\[[^\]]*\])?>(?:\s(.*))?$`);

const OTHER_REPLS: [RegExp, string][] = [
  [/^\s*>>>(?:\s(.*))?$/, 'Python'],
  [/^\s*MariaDB\s+\[[^\]]*\]>(?:\s(.*))?$/, 'MariaDB'],
  // psql: postgres=# , app=> , app-# (continuation), app(# , app'#
  [/^\s*[A-Za-z_][\w.-]*[=\-(!'"*^][#>](?:\s(.*))?$/, 'PostgreSQL (psql)'],
  [/^\s*(?:\d{1,3}(?:\.\d{1,3}){3}|localhost|\[[0-9a-fA-F:]+\]):\d+(?:\[\d+\])?>(?:\s(.*))?$/, 'Redis (redis-cli)'],
  [/^\s*[\w-]+:(?:PRIMARY|SECONDARY|ARBITER|primary|secondary)>(?:\s(.*))?$/, 'MongoDB'],
  [/^\s*[\w-]+\s+\[(?:direct|primary|secondary)[^\]]*\]\s+[\w-]+>(?:\s(.*))?$/, 'MongoDB (mongosh)'],
  [/^\s*irb\([^)]*\)(?::\d+)*[>*](?:\s(.*))?$/, 'Ruby (irb)'],
  [/^\s*iex\(\d+\)>(?:\s(.*))?$/, 'Elixir (iex)'],
  [/^\s*\((?:gdb|Pdb|lldb)\)(?:\s(.*))?$/, 'a debugger'],
  [/^\s*\[zk: [^\]]*\](?:\s(.*))?$/, 'ZooKeeper'],
  [/^\s*cockroach\s?[\w@:/.-]*>(?:\s(.*))?$/, 'CockroachDB'],
  // name# : psql without "=", or an old-style host prompt; either way not a POSIX prompt this tool can run.
  [/^\s*[A-Za-z_][\w.-]*#\s(.*)$/, 'an interactive program'],
];

/** The prompt a line starts with, if any. A bare `# ` is reported as a shell prompt; whether it is one is the block's question. */
export function promptOf(line: string): Prompt | null {
  let m = BRACKETED.exec(line);
  if (m) return shell(m[2] as Sigil, m[1] as string, m[3]);
  m = USER_AT_HOST.exec(line);
  if (m) return shell(m[2] as Sigil, m[1] as string, m[3]);
  m = SHELL_VERSION.exec(line);
  // The prompt of a shell with no prompt configured: one started inside a container or a debug pod.
  if (m) return { kind: 'nested', prompt: `${m[1]}${m[2]}`, command: (m[3] ?? '').trim() };
  m = BARE.exec(line);
  // "$ 5.00" is money, "  % Total  % Received" is curl's progress meter: a command starts with no digit,
  // and zsh's "% " prompt stands at the line's start before something that may be a command.
  if (m && !/^\d/.test(m[2] ?? '') && (m[1] !== '%' || (/^%/.test(line) && mayBeCommand(m[2] ?? '')))) return shell(m[1] as Sigil, '', m[2]);
  m = POWERSHELL.exec(line);
  if (m) return { kind: 'windows', shell: 'PowerShell', command: (m[1] ?? '').trim() };
  m = CMD_EXE.exec(line);
  if (m) return { kind: 'windows', shell: 'cmd.exe', command: (m[1] ?? '').trim() };
  m = NAMED_REPL.exec(line);
  if (m) return { kind: 'repl', program: NAMED_REPLS[m[1] as string] as string, command: (m[2] ?? '').trim() };
  for (const [re, program] of OTHER_REPLS) {
    const r = re.exec(line);
    if (r) return { kind: 'repl', program, command: (r[1] ?? '').trim() };
  }
  return null;
}

function shell(sigil: Sigil, who: string, command: string | undefined): Prompt {
  // Trailing blanks are kept: a backslash before them does not continue the line, and the reader says so.
  return { kind: 'shell', sigil, identity: `${who}${sigil}`, command: command ?? '' };
}

/** How a prompt reads in a message: `$`, `alice@web-1$`, `mysql>` … */
export function describePrompt(p: Prompt): string {
  if (p.kind === 'shell') return `"${p.identity}"`;
  if (p.kind === 'windows') return p.shell === 'PowerShell' ? '"PS>"' : '"C:\\>"';
  if (p.kind === 'nested') return `"${p.prompt}"`;
  return p.program;
}

// ---------------------------------------------------------------------------------------------------------
// Does a line read as a shell command?

/** Commands an operations runbook commonly types (for telling a commented-out command from prose and output). */
export const COMMAND_WORDS = new Set([
  'sudo', 'kubectl', 'oc', 'helm', 'kubeadm', 'etcdctl', 'etcdutl', 'crictl', 'ctr', 'nerdctl', 'crio', 'systemctl',
  'journalctl', 'docker', 'podman', 'buildah', 'skopeo', 'git', 'curl', 'wget', 'ssh', 'scp', 'rsync', 'sftp', 'psql',
  'pg_dump', 'pg_dumpall', 'pg_restore', 'pg_basebackup', 'pg_ctl', 'pg_ctlcluster', 'pg_lsclusters', 'pg_isready',
  'pg_upgrade', 'pgbackrest', 'patronictl', 'mysql', 'mysqldump', 'mysqladmin', 'redis-cli', 'mongo', 'mongosh',
  'mongodump', 'sqlite3', 'cd', 'ls', 'cat', 'echo', 'printf', 'export', 'grep', 'egrep', 'tail', 'head', 'less', 'find',
  'mkdir', 'rmdir', 'rm', 'cp', 'mv', 'chmod', 'chown', 'chgrp', 'tar', 'gzip', 'gunzip', 'zip', 'unzip', 'openssl',
  'ping', 'dig', 'nslookup', 'host', 'nc', 'ncat', 'telnet', 'socat', 'ps', 'kill', 'pkill', 'pgrep', 'killall', 'df',
  'du', 'free', 'top', 'htop', 'watch', 'apt', 'apt-get', 'apt-cache', 'apt-mark', 'dpkg', 'yum', 'dnf', 'rpm', 'zypper',
  'apk', 'snap', 'brew', 'npm', 'npx', 'yarn', 'pnpm', 'pip', 'pip3', 'python', 'python3', 'node', 'ruby', 'gem',
  'bundle', 'rake', 'go', 'cargo', 'make', 'terraform', 'ansible', 'ansible-playbook', 'gcloud', 'gsutil', 'aws', 'az',
  'vault', 'consul', 'nomad', 'argocd', 'flux', 'kustomize', 'istioctl', 'linkerd', 'velero', 'gitlab-ctl',
  'gitlab-rake', 'gitlab-psql', 'gitlab-rails', 'knife', 'chef-client', 'wal-g', 'wal-e', 'envdir', 'ssh-keygen',
  'ssh-add', 'gpg', 'jq', 'yq', 'awk', 'sed', 'xargs', 'tee', 'sort', 'uniq', 'wc', 'cut', 'tr', 'diff', 'for', 'while',
  'if', 'source', 'service', 'mount', 'umount', 'ip', 'iptables', 'nft', 'ss', 'netstat', 'lsof', 'tcpdump',
  'traceroute', 'touch', 'ln', 'env', 'set', 'unset', 'time', 'nohup', 'timeout', 'runme', 'chroot', 'nsenter',
  'toolbox', 'systemd-run', 'sysctl', 'modprobe', 'lsblk', 'blkid', 'fdisk', 'parted', 'mkfs', 'fsck', 'resize2fs',
  'xfs_growfs', 'lvextend', 'pvcreate', 'vgcreate', 'lvcreate', 'useradd', 'usermod', 'groupadd', 'passwd',
  'crontab', 'uptime', 'uname', 'hostname', 'hostnamectl', 'timedatectl', 'whoami', 'dmesg', 'strace', 'vmstat',
  'iostat', 'stat', 'base64', 'sha256sum', 'md5sum', 'vi', 'vim', 'nano', 'emacs', 'tmux', 'screen', 'bash', 'sh',
  'zsh', 'su', 'exit', 'logout', 'promtool', 'amtool', 'minikube', 'kind', 'k3s', 'eksctl', 'doctl', 'virsh',
  'ceph', 'rbd', 'zpool', 'zfs', 'restic', 'rclone', 'certbot', 'keytool', 'update-ca-certificates', 'reboot',
  'shutdown', 'swapoff', 'swapon', 'mc', 'az', 'oci', 'openstack', 'pulumi', 'packer', 'vagrant', 'nmcli',
  'firewall-cmd', 'ufw', 'setenforce', 'getenforce', 'restorecon', 'chronyc', 'ntpq', 'date', 'tar', 'zcat',
]);

/** Words that open English sentences as often as commands ("find the pod", "make sure", "watch for …"). */
const AMBIGUOUS = new Set(['for', 'while', 'if', 'find', 'make', 'set', 'free', 'top', 'watch', 'touch', 'head', 'tail', 'time', 'source', 'export', 'kill', 'service', 'mount', 'date', 'cut', 'sort', 'less', 'host', 'exit', 'su', 'ping', 'echo', 'cat', 'cd', 'env', 'go', 'node', 'mc', 'kind', 'flux', 'diff', 'ln', 'ps', 'tee', 'tr', 'wc', 'ip', 'ss']);
const PROSE_NEXT = /^(the|a|an|each|every|all|any|this|that|these|those|to|of|it|its|sure|up|out|in|on|at|with|your|you|we|our|if|when|now|here|there|new|old|is|are|be|will|should|can|must|may|and|or|not|no|which|what|where|how|one|some|more|less|than|until|before|after|from|by|as|so|then|me|us|them|they|he|she|done)$/i;

function firstWords(text: string): string[] {
  let t = text.trim();
  // Environment assignments and sudo before the command.
  for (;;) {
    const assignment = /^[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|\S*)\s+/.exec(t);
    if (assignment) {
      t = t.slice(assignment[0].length);
      continue;
    }
    const sudo = /^sudo(?:\s+-[A-Za-z]+(?:\s+(?!-)[^\s-]\S*)?)*\s+/.exec(t);
    if (sudo && sudo[0].length < t.length) {
      t = t.slice(sudo[0].length);
      continue;
    }
    break;
  }
  return t.split(/\s+/).filter(Boolean);
}

/**
 * Whether text reads as a command: its first word (after assignments and sudo) is a common command, a path
 * (`./x`, `/usr/bin/x`, `~/x`), or an assignment. Strict: for lines with no prompt in a transcript.
 */
export function isKnownCommand(text: string): boolean {
  const t = text.trim();
  if (/^[A-Za-z_][A-Za-z0-9_]*=(?:\S|$)/.test(t) && !/^[A-Za-z_][A-Za-z0-9_]*==/.test(t)) return true;
  const words = firstWords(t);
  const first = words[0] ?? '';
  if (/^(?:\.{1,2}|~)?\/[\w.~/-]/.test(first) && !/[,:]$/.test(first)) return true;
  if (!COMMAND_WORDS.has(first)) return false;
  // "find the pod", "make sure", "for each node": English, not a command.
  const next = words[1];
  if (AMBIGUOUS.has(first) && (next === undefined ? /[:.]$/.test(t) : PROSE_NEXT.test(next) || /[:]$/.test(t))) return false;
  return true;
}

/**
 * Whether the text after `# ` reads as a command rather than a comment: a known command (see isKnownCommand),
 * or a lower-case word followed by an option or joined to another command by a pipe, `&&` or `;`.
 */
export function readsAsCommand(text: string): boolean {
  const t = text.trim();
  if (!t || /[:]$/.test(t)) return false;
  if (isKnownCommand(t)) return true;
  const words = firstWords(t);
  const first = words[0] ?? '';
  if (!/^[a-z][a-z0-9._-]*$/.test(first)) return false;
  if (/^--?[A-Za-z]/.test(words[1] ?? '')) return true;
  return /\s(\||&&|\|\|)\s+[a-z][\w.-]*/.test(t);
}

/**
 * Generous: could this unprompted line be a command? Also short lines of lower-case words (`helmfile
 * apply`), which output rarely is. Used where taking a command for output would run the wrong thing.
 */
export function mayBeCommand(line: string): boolean {
  const t = line.trim();
  if (readsAsCommand(t)) return true;
  const words = t.split(/\s+/);
  return words.length <= 3 && /^[a-z][a-z0-9._-]*$/.test(words[0] ?? '') && words.every((w) => /^[a-z0-9][\w.:/=@-]*$/.test(w) && !/^\d+$/.test(w));
}
