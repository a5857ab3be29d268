// Reading kubectl lines and their flags without a cluster: continuations, comments, refusals of shell
// syntax, pflag's spellings, Go durations.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/main/targets/kubernetes/errors.js';
import { parseGoDuration } from '../../../src/main/targets/kubernetes/go-duration.js';
import { flag, lastValue, parseArgs, withGlobals } from '../../../src/main/targets/kubernetes/kubectl-args.js';
import { parseKubectlLines } from '../../../src/main/targets/kubernetes/kubectl-lines.js';

describe('kubectl lines', () => {
  it('skips comments and blanks, joins continuations, keeps quoted newlines and # inside quotes', () => {
    const parsed = parseKubectlLines(['# restart', '', 'kubectl rollout restart \\', '   deploy/web  # trailing', "kubectl patch cm x -p '{\"data\":", "  {\"k\":\"#1\"}}'"].join('\n'));
    expect(parsed).toEqual({
      ok: true,
      lines: [
        { line: 3, text: 'kubectl rollout restart     deploy/web  # trailing', args: ['rollout', 'restart', 'deploy/web'], globs: [] },
        { line: 5, text: `kubectl patch cm x -p '{"data":\n  {"k":"#1"}}'`, args: ['patch', 'cm', 'x', '-p', '{"data":\n  {"k":"#1"}}'], globs: [] },
      ],
    });
  });

  it('keeps unquoted globs literal but marks them', () => {
    const parsed = parseKubectlLines('/usr/local/bin/kubectl set image deploy/web *=nginx:1');
    expect(parsed).toEqual({ ok: true, lines: [{ line: 1, text: '/usr/local/bin/kubectl set image deploy/web *=nginx:1', args: ['set', 'image', 'deploy/web', '*=nginx:1'], globs: [3] }] });
  });

  it('refuses redirections, command lists, expansions, other programs and empty blocks', () => {
    expect(parseKubectlLines('kubectl get pods > out.txt')).toMatchObject({ ok: false, reason: expect.stringMatching(/^line 1: ">" is shell syntax/) });
    expect(parseKubectlLines('kubectl get pods && kubectl get svc')).toMatchObject({ ok: false, reason: expect.stringMatching(/^line 1: "&&" is shell syntax/) });
    expect(parseKubectlLines('kubectl logs "$POD"')).toMatchObject({ ok: false, reason: expect.stringMatching(/^line 1: \$POD would be expanded by a shell/) });
    expect(parseKubectlLines('kubectl get pods\nsleep 5')).toMatchObject({ ok: false, reason: expect.stringMatching(/^line 2 runs "sleep"/) });
    expect(parseKubectlLines('# nothing\n')).toMatchObject({ ok: false, reason: expect.stringMatching(/^the block has no kubectl line/) });
  });
});

describe('kubectl flags', () => {
  const spec = withGlobals({ values: { o: 'output', output: 'output', tail: 'tail' }, booleans: { f: 'follow', follow: 'follow', A: 'all-namespaces' } });

  it('reads pflag spellings: --a=b, --a b, -ab, -a=b, -a b, bundled booleans, and -- ending the flags', () => {
    const args = parseArgs(['logs', '-nshop', '--tail=5', '-fA', 'web', '-o=json', '--', '-n', 'x'], spec);
    expect(args.positionals).toEqual(['logs', 'web', '-n', 'x']);
    expect(args.positionalIndex).toEqual([0, 4, 7, 8]);
    expect(lastValue(args, 'namespace')).toBe('shop');
    expect(lastValue(args, 'tail')).toBe('5');
    expect(lastValue(args, 'output')).toBe('json');
    expect(flag(args, 'follow') && flag(args, 'all-namespaces')).toBe(true);
    expect(parseArgs(['get', '--follow=false', '--output', 'yaml'], spec)).toMatchObject({ booleans: new Map([['follow', false]]), values: new Map([['output', ['yaml']]]) });
  });

  it('reports flags it does not know, and refuses a value flag without its value', () => {
    expect(parseArgs(['get', 'pods', '--watch', '-w'], spec).unknown).toEqual(['--watch', '-w']);
    expect(() => parseArgs(['get', '-o'], spec)).toThrow(new UsageError('flag needs an argument: -o'));
    expect(() => parseArgs(['get', '--follow=maybe'], spec)).toThrow(/not a boolean/);
  });

  it('parses Go durations', () => {
    expect(parseGoDuration('1h30m', 'since')).toBe(5_400_000);
    expect(parseGoDuration('1.5s', 'since')).toBe(1500);
    expect(parseGoDuration('0', 'timeout')).toBe(0);
    expect(() => parseGoDuration('10', 'timeout')).toThrow('invalid argument "10" for "--timeout": a duration such as 30s, 5m or 1h30m');
  });
});
