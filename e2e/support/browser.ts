// Debian's Chromium driven by playwright-core (a test tool's own browser download is impossible offline).
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from './chromium.mjs';

export { CHROMIUM, chromiumMissing };
if (chromiumMissing) console.warn(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
