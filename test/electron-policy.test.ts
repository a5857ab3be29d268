import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  isAllowedNavigation,
  isTrustedSender,
  runbookFromArgv,
  secureWebPreferences,
} from '../src/main/electron/policy.js';

describe('desktop window policy', () => {
  it('isolates, sandboxes and keeps Node out of the page', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      preload: '/p.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webviewTag: false,
      webSecurity: true,
    });
  });

  it('allows navigation only within app://runbook', () => {
    expect(isAllowedNavigation('app://runbook/index.html')).toBe(true);
    for (const url of ['https://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'app://runbook.evil/x', 'app://other/', 'not a url']) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
  });

  it('trusts IPC only from the main frame of the app page', () => {
    expect(isTrustedSender('app://runbook/index.html', true)).toBe(true);
    expect(isTrustedSender('app://runbook/index.html', false)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true)).toBe(false);
    expect(isTrustedSender(undefined, true)).toBe(false);
  });

  it('has a CSP with no remote or inline script', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it('takes the runbook path from the command line', () => {
    expect(runbookFromArgv(['electron', '.', '--inspect', 'runbooks/a.md'])).toBe('runbooks/a.md');
    expect(runbookFromArgv(['electron', '.'])).toBeUndefined();
  });
});
