// The contexts a variable can stand in within a shell block, with what a block prints when the value
// arrives literally or the problem it must get otherwise. Shared by the local, property and ssh tests.
import fc from 'fast-check';
import type { ShellValueProblemCode } from '../../src/main/session/shell-values.js';

/** Values an attacker would pick: each tries to create the file `canary` (an absolute path). */
export const hostileValues = (canary: string): string[] => [
  '$(touch CANARY)',
  '`touch CANARY`',
  "'; touch CANARY; '",
  '"; touch CANARY; "',
  'a[$(touch CANARY)]',
  '1+a[$(touch CANARY)]',
  'x\ntouch CANARY\n',
  '$(touch CANARY)\n\n',
  '-rf',
  '${IFS}$(touch${IFS}CANARY)',
  "\\'$(touch CANARY)\\'",
  'EOF\ntouch CANARY\nEOF',
  '*',
  `mixed 'single' "double" \\ $HOME \`id\` é ✓ 🎉\ttab`,
].map((v) => v.replace(/CANARY/g, canary));

/**
 * A value starting with "-" that would begin a command's argument is refused as a flag wherever it stands
 * (the command could read it as an option); that refusal is expected in any context.
 */
export const flagRefused = (value: string, codes: readonly string[]): boolean => value.startsWith('-') && codes.length > 0 && codes.every((c) => c === 'flag');

export interface Context {
  name: string;
  code: string;
  /** What the block prints for value v when the value arrives literally. */
  prints?: (v: string) => string;
  /** The problem every non-integer value gets. */
  refused?: ShellValueProblemCode;
  /** The variable is referenced as $X rather than <X>. */
  reference?: boolean;
}

const bracket = (v: string) => `[${v}]`;

/** Every context named in the issue, and then some. */
export const CONTEXTS: Context[] = [
  { name: 'a plain word', code: "printf '[%s]' <X>", prints: bracket },
  { name: 'double quotes', code: `printf '[%s]' "a <X> b"`, prints: (v) => `[a ${v} b]` },
  { name: 'a word glued to text', code: "printf '[%s]' --name=<X>.txt", prints: (v) => `[--name=${v}.txt]` },
  { name: '"$( … )" around "<X>"', code: `printf '[%s]' "$(printf '%s.' "<X>")"`, prints: (v) => `[${v}.]` },
  { name: '"$( … )" around a plain <X>', code: `printf '[%s]' "$(printf '%s.' <X>)"`, prints: (v) => `[${v}.]` },
  { name: 'backticks in "…"', code: "printf '[%s]' \"`printf '%s.' <X>`\"", prints: (v) => `[${v}.]` },
  { name: 'nested $( $( ) )', code: `printf '[%s]' "$(printf '%s' "$(printf '%s.' <X>)")"`, prints: (v) => `[${v}.]` },
  { name: 'an unquoted here-document', code: 'cat <<EOF\n<X>\nEOF', prints: (v) => `${v}\n` },
  { name: 'a <<- here-document', code: 'cat <<-EOF\n\tbefore <X> after\n\tEOF', prints: (v) => `before ${v} after\n` },
  { name: 'a here-document inside $( )', code: 'printf "[%s]" "$(cat <<EOF\n<X>.\nEOF\n)"', prints: (v) => `[${v}.]` },
  { name: 'a here-string', code: 'cat <<< <X>', prints: (v) => `${v}\n` },
  { name: 'an assignment', code: `v=<X>; printf '[%s]' "$v"`, prints: bracket },
  { name: 'case', code: `case <X> in *) printf '[%s]' <X>;; esac`, prints: bracket },
  { name: '[[ == ]] (a quoted pattern)', code: `[[ <X> == <X> ]] && printf '[%s]' "<X>"`, prints: bracket },
  { name: 'a for list', code: `for x in <X>; do printf '[%s]' "$x"; done`, prints: bracket },
  { name: 'a function body', code: `f() { printf '[%s]' "<X>"; }\nf`, prints: bracket },
  { name: 'a subshell in a pipeline', code: `(printf '[%s]' <X>) | cat`, prints: bracket },
  { name: 'a process substitution', code: `cat <(printf '[%s]' <X>)`, prints: bracket },

  { name: 'sudo-like wrapper argument', code: `env printf '[%s]' <X>`, prints: bracket },
  { name: 'a comment', code: "printf '[ok]' # <X>", prints: () => '[ok]' },
  { name: '$X in a plain word', code: "printf '[%s]' $X", prints: bracket, reference: true },
  { name: '"$X"', code: `printf '[%s]' "$X"`, prints: bracket, reference: true },
  { name: '${X} in a here-document', code: 'cat <<EOF\n${X}\nEOF', prints: (v) => `${v}\n`, reference: true },
  { name: "'$X' (literal text)", code: "printf '[%s]' '$X'", prints: () => '[$X]', reference: true },
  { name: '${X:-default} in "…"', code: `printf '[%s]' "\${X:-default}"`, prints: (v) => (v === '' ? '[default]' : `[${v}]`), reference: true },
  { name: 'piped into cat', code: `printf '[%s]' <X> | cat`, prints: bracket },

  { name: 'a here-document piped on', code: `cat <<EOF | cat\n<X>\nEOF`, prints: (v) => `${v}\n` },
  // Refused.
  { name: 'single quotes', code: "printf '[%s]' '<X>'", refused: 'single-quoted' },
  { name: "$'…'", code: "printf '[%s]' $'<X>'", refused: 'ansi-c-quoted' },
  { name: "a quoted-delimiter here-document <<'EOF'", code: "cat <<'EOF'\n<X>\nEOF", refused: 'quoted-heredoc' },
  { name: '$(( ))', code: 'echo $(( <X> + 1 ))', refused: 'arithmetic-not-number' },
  { name: '(( ))', code: '(( n = <X> )); echo $n', refused: 'arithmetic-not-number' },
  { name: 'let', code: 'let n=<X>; echo $n', refused: 'arithmetic-not-number' },
  { name: '[[ -eq ]]', code: '[[ <X> -eq 1 ]] && echo one', refused: 'arithmetic-not-number' },
  { name: 'an index', code: 'a=(x y); echo "${a[<X>]}"', refused: 'arithmetic-not-number' },
  { name: 'an assigned index', code: 'a[<X>]=1', refused: 'arithmetic-not-number' },
  { name: 'declare -i', code: 'declare -i n=<X>; echo $n', refused: 'arithmetic-not-number' },
  { name: 'assigning a declare -i variable', code: 'declare -i n; n=<X>; echo $n', refused: 'arithmetic-not-number' },
  { name: '${x:offset}', code: 'x=abc; echo "${x:<X>}"', refused: 'arithmetic-not-number' },
  { name: '"$(( $(echo <X>) ))"', code: 'echo "$(( $(echo <X>) + 1 ))"', refused: 'arithmetic-not-number' },
  { name: '$X in $(( ))', code: 'echo $(( $X + 1 ))', refused: 'arithmetic-not-number', reference: true },
  { name: 'bare X in (( ))', code: '(( X > 1 )) && echo big', refused: 'arithmetic-not-number', reference: true },
  { name: '[[ $X -gt 1 ]]', code: '[[ "$X" -gt 1 ]] && echo big', refused: 'arithmetic-not-number', reference: true },
  { name: 'a[$X]=', code: 'a[$X]=1', refused: 'arithmetic-not-number', reference: true },
  { name: 'eval', code: 'eval "echo <X>"', refused: 'evaluated' },
  { name: 'eval of $X', code: 'eval "echo $X"', refused: 'evaluated', reference: true },
  { name: 'sh -c', code: 'sh -c "echo <X>"', refused: 'evaluated' },
  { name: 'bash -ec', code: 'bash -euo pipefail -c "echo <X>"', refused: 'evaluated' },
  { name: 'source', code: 'source <X>', refused: 'evaluated' },
  { name: 'trap', code: 'trap "echo <X>" EXIT', refused: 'evaluated' },
  { name: 'xargs sh -c', code: 'echo | xargs sh -c "echo <X>"', refused: 'evaluated' },
  { name: 'sudo bash -c', code: 'sudo -u root bash -c "echo <X>"', refused: 'evaluated' },
  { name: 'ssh remote command', code: 'ssh host ls <X>', refused: 'evaluated' },
  { name: 'watch', code: 'watch -n 5 ls <X>', refused: 'evaluated' },
  { name: 'awk program', code: `awk "BEGIN { print \\"<X>\\" }"`, refused: 'evaluated' },
  { name: 'sed script', code: 'echo a | sed "s/a/<X>/"', refused: 'evaluated' },
  { name: 'declare -a with a string', code: 'declare -a arr="<X>"', refused: 'evaluated' },
  { name: 'PATH=', code: 'PATH=<X>:$PATH ls', refused: 'evaluated' },
  { name: '${!X}', code: 'echo "$X" "${!X}"', refused: 'evaluated', reference: true },
  { name: '${X@P}', code: 'echo "$X" "${X@P}"', refused: 'evaluated', reference: true },
  { name: 'piped into bash', code: `printf '%s\\n' "echo <X>" | bash`, refused: 'evaluated' },
  { name: 'piped into sh through sudo', code: `echo <X> | sudo -u nobody sh -s`, refused: 'evaluated' },
  { name: 'a group piped into sh', code: `{ echo "<X>"; } | sh`, refused: 'evaluated' },
  { name: 'an if piped into bash', code: `if true; then echo "<X>"; fi | bash`, refused: 'evaluated' },
  { name: 'a here-document for bash', code: 'bash <<EOF\necho <X>\nEOF', refused: 'evaluated' },
  { name: 'a here-document for ssh', code: 'ssh host <<EOF\nls <X>\nEOF', refused: 'evaluated' },
  { name: 'a here-document for python3', code: 'python3 <<EOF\nprint("<X>")\nEOF', refused: 'evaluated' },
  { name: 'a here-document for psql', code: "psql <<EOF\nselect '<X>';\nEOF", refused: 'evaluated' },
  { name: 'a here-string for bash', code: 'bash <<< "echo <X>"', refused: 'evaluated' },
  { name: 'the script bash reads', code: 'bash < <X>', refused: 'evaluated' },
  { name: 'a here-document into kubectl exec … sh', code: 'kubectl exec -i pod -- sh <<EOF\nls <X>\nEOF', refused: 'evaluated' },
  { name: 'sudo -s', code: 'sudo -s ls <X>', refused: 'evaluated' },
  { name: 'a command name', code: '<X> --version', refused: 'command-name' },
  // A block that starts a shell is refused whole: the shell could read a copy of any value (its positional
  // arguments, the environment, a file), even where the value itself is only data.
  { name: "an argument after bash -c '…' (a shell in the block)", code: `bash -c 'printf "[%s]" "$1"' _ <X>`, refused: 'evaluated-block' },
  { name: 'a here-document for bash -c (a shell in the block)', code: `bash -c 'cat' <<EOF\n<X>\nEOF`, refused: 'evaluated-block' },
  { name: 'part of a command name', code: '/usr/bin/<X> --version', refused: 'command-name' },
  { name: '$(<X>)', code: 'echo "$(<X>)"', refused: 'command-name' },
  { name: '$X as the command', code: '$X --version', refused: 'command-name', reference: true },
  { name: 'the command of sudo', code: 'sudo -n <X>', refused: 'command-name' },
  { name: 'the command of find -exec', code: 'find . -maxdepth 0 -exec <X> {} \\;', refused: 'command-name' },
  { name: 'a function name', code: '<X>() { :; }', refused: 'command-name' },
  { name: 'read NAME', code: 'read -r <X> <<< hi', refused: 'variable-name' },
  { name: 'printf -v NAME', code: 'printf -v <X> %s hi', refused: 'variable-name' },
  { name: 'unset', code: 'unset <X>', refused: 'variable-name' },
  { name: '[[ -v ]]', code: '[[ -v <X> ]]', refused: 'variable-name' },
  { name: 'in ${…} operand', code: 'echo "${UNSET:-<X>}"', refused: 'parameter-expansion' },
  { name: 'glued to $NAME', code: 'echo $HOME<X>', refused: 'inside-word' },
  { name: 'after a backslash', code: 'echo \\<X>', refused: 'inside-word' },
  { name: 'an extended glob', code: 'echo @(a|<X>)', refused: 'inside-word' },
];


/** Random values: any code point (NUL included), or strings built from the characters shells care about. */
export function valueArbitrary(canary: string): fc.Arbitrary<string> {
  const pieces = ['$', '(', ')', '`', "'", '"', '\\', '\n', ';', ' ', '\t', '[', ']', '{', '}', '-', '*', '#', '!', '&', '|', '<', '>', '=', 'a', '0', 'é', '🎉', 'EOF', 'X', '$X', 'IFS', `touch ${canary}`];
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: fc.constantFrom(...pieces), maxLength: 16 }),
    fc.constantFrom(...hostileValues(canary)),
  );
}
