// Renderer benchmarks in Debian's Chromium, each a ratio against a baseline measured in the same browser:
//   load:  opening the largest seed runbook through `runbook serve` until its step list is painted, vs a
//          static HTML page with as many elements (also loopback HTTP, no cache), and beside both the least a
//          React page costs (bench/react-floor: React 19 rendering the static page's elements from data it
//          has), and the console's own first screen saved as a static page (its DOM and stylesheet, no
//          script: what its markup and styles cost to paint). Cold: each load in a fresh browser profile. Warm: the same profile opening the page again
//          (the console's content-named scripts cached, as in an operator's browser on a reload or new tab);
//   input: keydown → next frame while a step streams 100 MB of output into its terminal, vs the same keys idle.
// Needs dist/ (npm run build) and /usr/bin/chromium (or CHROMIUM_PATH); skips with the reason otherwise.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from '../e2e/support/chromium.mjs';
import { REPO_ROOT, startServe } from '../e2e/support/serve.mjs';

const SEEDS = path.resolve(REPO_ROOT, '../shared/seeds');
const STREAM_BYTES = 100_000_000; // the "stays responsive while a step prints 100 MB"
const STEP = '[data-testid=step]';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] ?? NaN;

/** In every page: the moment N steps are in the DOM, and the frame after it (when they are painted). */
function watchSteps({ selector, count }) {
  const check = () => {
    if (window.__stepsAt === undefined && document.querySelectorAll(selector).length >= count) {
      window.__stepsAt = performance.now();
      requestAnimationFrame(() => {
        window.__paintedAt = performance.now();
      });
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', check);
}

/** In the run page: for each keydown, the time from the event to the next animation frame. */
function watchInput() {
  window.__latency = [];
  document.addEventListener(
    'keydown',
    (event) => {
      const at = event.timeStamp;
      requestAnimationFrame(() => window.__latency.push(performance.now() - at));
    },
    true,
  );
}

/** A page of `steps` articles with `elements` elements in all (html, head, meta, title, body, div, main included). */
function staticPage(elements, steps) {
  const perStep = Math.max(3, Math.floor((elements - 7) / steps));
  const extra = Math.max(0, elements - 7 - perStep * steps);
  const article = (i) => `<article class="step" data-testid="step"><header><span>Step ${i}</span></header>${'<span>text of the step</span>'.repeat(perStep - 3)}</article>`;
  const rest = '<span>more</span>'.repeat(extra);
  return `<!doctype html><html><head><meta charset="utf-8"><title>baseline</title></head><body><div id="root"><main>${Array.from({ length: steps }, (_, i) => article(i)).join('')}${rest}</main></div></body></html>`;
}

/** `html` at `/`, and the files of `dir` (built, content-named: kept by the browser as runbook serve lets it). */
function serveStatic(html, dir) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const file = dir && req.url !== '/' ? path.join(dir, path.normalize(req.url.split('?')[0])) : null;
      if (file === null) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
      if (!file.startsWith(dir) || !existsSync(file)) return res.writeHead(404).end();
      const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.svg') ? 'image/svg+xml' : 'text/javascript';
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'public, max-age=31536000, immutable' }).end(readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, stop: () => new Promise((r) => server.close(r)) }));
  });
}

/** bench/react-floor built into `outDir` with the renderer's Vite and React plugin; its page's HTML. */
async function buildReactFloor(outDir) {
  const { build } = await import('vite');
  const { default: react } = await import('@vitejs/plugin-react');
  await build({ root: path.join(REPO_ROOT, 'bench/react-floor'), base: './', logLevel: 'silent', configFile: false, plugins: [react()], build: { outDir, emptyOutDir: true, target: 'es2022' } });
  return readFileSync(path.join(outDir, 'index.html'), 'utf8');
}

/** Opens `url` in a new page of `where` (a browser: a fresh profile each time; a context: the same one). */
async function timeLoad(where, url, count) {
  const page = await where.newPage();
  try {
    await page.addInitScript(watchSteps, { selector: STEP, count });
    await page.goto(url);
    await page.waitForFunction(() => window.__paintedAt !== undefined, null, { timeout: 30_000 });
    return await page.evaluate(() => ({ ms: window.__paintedAt, elements: document.querySelectorAll('*').length }));
  } finally {
    await page.close();
  }
}

/** Presses j and k in turn, one at a time (each waits for its frame), while `keepGoing` says so. */
async function pressKeys(page, count, keepGoing) {
  for (let i = 0; i < count && (await keepGoing()); i++) {
    const before = await page.evaluate(() => window.__latency.length);
    await page.keyboard.press(i % 2 === 0 ? 'j' : 'k');
    await page.waitForFunction((n) => window.__latency.length > n, before);
  }
}

/** The console's first screen as it was painted, saved as a page: its DOM and stylesheet, no script. */
async function firstScreenSnapshot(browser, url, count) {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=step]').length >= n, count);
    return await page.evaluate(() => {
      const copy = document.documentElement.cloneNode(true);
      for (const el of copy.querySelectorAll('script, link[rel=modulepreload]')) el.remove();
      return `<!doctype html>${copy.outerHTML}`;
    });
  } finally {
    await page.close();
  }
}

async function loadBench(browser, seed, steps, runs, root, env, servers) {
  const serve = await startServe({ file: seed, settingsDir: path.join(root, 'settings'), runsDir: path.join(root, 'runs'), env });
  servers.push(serve);
  const first = await timeLoad(browser, serve.url, steps);
  const perStep = Math.max(3, Math.floor((first.elements - 7) / steps));
  const baseline = await serveStatic(staticPage(first.elements, steps));
  const floorDir = path.join(root, 'react-floor');
  const floor = await serveStatic(await buildReactFloor(floorDir), floorDir);
  const snapshot = await serveStatic(await firstScreenSnapshot(browser, serve.url, steps), path.join(REPO_ROOT, 'dist/renderer'));
  servers.push(baseline, floor, snapshot);
  const pages = { console: serve.url, static: baseline.url, react: `${floor.url}#steps=${steps}&perStep=${perStep}`, snapshot: snapshot.url };
  const baselineElements = (await timeLoad(browser, baseline.url, steps)).elements;
  const warm = await browser.newContext();
  // Two loads first: Chromium keeps a script's compiled code from its second load on.
  for (const url of Object.values(pages)) for (let i = 0; i < 2; i++) await timeLoad(warm, url, steps);
  const times = { cold: { console: [], static: [], react: [], snapshot: [] }, warm: { console: [], static: [], react: [], snapshot: [] } };
  const order = Object.keys(pages);
  for (let i = 0; i < runs; i++) {
    for (const which of i % 2 === 0 ? order : [...order].reverse()) {
      times.cold[which].push((await timeLoad(browser, pages[which], steps)).ms);
      times.warm[which].push((await timeLoad(warm, pages[which], steps)).ms);
    }
  }
  await warm.close();
  const summary = (t) => ({
    consoleMs: median(t.console),
    staticMs: median(t.static),
    reactMs: median(t.react),
    snapshotMs: median(t.snapshot),
    ratio: median(t.console) / median(t.static),
    reactRatio: median(t.react) / median(t.static),
    snapshotRatio: median(t.snapshot) / median(t.static),
  });
  return { steps, elements: first.elements, staticElements: baselineElements, cold: summary(times.cold), warm: summary(times.warm) };
}

async function inputBench(browser, parseRunbook, samples, root, env, servers) {
  const file = path.join(root, 'stream.md');
  const text = `# Stream\n\n- [ ] Stream output\n  \`\`\`bash\n  yes | head -c ${STREAM_BYTES}\n  \`\`\`\n- [ ] Say done\n  \`\`\`bash\n  echo done\n  \`\`\`\n`;
  writeFileSync(file, text);
  const card = `[data-testid=run-step][data-step-id="${parseRunbook(text, { file }).steps[0].id}"]`;
  const serve = await startServe({ file, settingsDir: path.join(root, 'settings-stream'), runsDir: path.join(root, 'runs-stream'), env });
  servers.push(serve);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.addInitScript(watchInput);
    await page.goto(serve.url);
    await page.fill('input[aria-label=Operator]', 'bench');
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
    await page.click(`${card} .step-title`);
    await pressKeys(page, samples, async () => true);
    const idle = await page.evaluate(() => window.__latency.splice(0));

    // The step runs again until enough keys were pressed while it streamed.
    const busy = [];
    const streamMs = [];
    const streaming = () => page.evaluate((sel) => document.querySelector(sel)?.getAttribute('data-status') === 'running', card);
    for (let round = 0; round < 5 && busy.length < samples; round++) {
      const t0 = Date.now();
      await page.click(`${card} [data-testid=run-button]`);
      await page.waitForSelector(`${card}[data-status=running]`);
      await pressKeys(page, samples, streaming);
      busy.push(...(await page.evaluate(() => window.__latency.splice(0))));
      await page.waitForSelector(`${card}[data-status=succeeded]`, { timeout: 120_000 });
      streamMs.push(Date.now() - t0);
    }
    if (process.env.BENCH_SCREENSHOT) await page.screenshot({ path: process.env.BENCH_SCREENSHOT });
    return {
      streamBytes: STREAM_BYTES,
      streams: streamMs.length,
      streamMs: median(streamMs),
      idle: { samples: idle.length, median: median(idle), p95: p95(idle) },
      streaming: { samples: busy.length, median: median(busy), p95: p95(busy) },
      ratio: median(busy) / median(idle),
      p95Ratio: p95(busy) / p95(idle),
    };
  } finally {
    await page.close();
  }
}

export async function rendererBench(options = {}) {
  const runs = options.runs ?? 9;
  if (chromiumMissing) return { name: 'renderer', skipped: true, reason: `no Chromium at ${CHROMIUM}` };
  if (!existsSync(SEEDS)) return { name: 'renderer', skipped: true, reason: `${SEEDS} not found` };
  const seeds = readdirSync(SEEDS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(SEEDS, f));
  if (seeds.length === 0) return { name: 'renderer', skipped: true, reason: `no runbooks in ${SEEDS}` };
  const seed = seeds.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  const { parseRunbook } = await import('../dist/main/runbook/parse.js');
  const steps = parseRunbook(readFileSync(seed, 'utf8'), { file: seed }).steps.length;

  const { chromium } = await import('playwright-core');
  const root = mkdtempSync(path.join(tmpdir(), 'bench-renderer-'));
  const env = { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') };
  const servers = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const load = await loadBench(browser, seed, steps, runs, root, env, servers);
    const input = await inputBench(browser, parseRunbook, options.inputSamples ?? Math.max(runs * 4, 40), root, env, servers);
    const goals = [
      { what: 'renderer: open the largest seed, cold', baseline: 'static page', ratio: load.cold.ratio, goal: '≤ 2×', within: load.cold.ratio <= 2 },
      { what: 'renderer: open it again, warm', baseline: 'static page', ratio: load.warm.ratio, goal: '≤ 2×', within: load.warm.ratio <= 2 },
      { what: 'renderer: keys while 100 MB streams', baseline: 'keys, idle', ratio: input.ratio, goal: '≤ 2× (ours)', within: input.ratio <= 2 },
    ];
    return { name: 'renderer', runs, seed: path.basename(seed), load, input, goals };
  } finally {
    await browser.close();
    for (const s of servers) await s.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export function printRenderer(r) {
  if (r.skipped) {
    console.log(`renderer: skipped: ${r.reason}`);
    return;
  }
  const l = r.load;
  console.log(`renderer: ${r.runs} page loads of each, order alternated (Chromium, loopback)`);
  console.log(`  ${r.seed}: ${l.steps} steps, ${l.elements} elements when listed; static page ${l.staticElements} elements`);
  for (const [name, m] of [['cold (a fresh browser profile each time)', l.cold], ['warm (the same profile again: scripts cached)', l.warm]]) {
    console.log(`  ${name}:`);
    console.log(`    runbook serve → step list painted    median ${m.consoleMs.toFixed(1)} ms   ${m.ratio.toFixed(2)}× the static page (goal ≤ 2×)`);
    console.log(`    bare React page, same elements       median ${m.reactMs.toFixed(1)} ms   ${m.reactRatio.toFixed(2)}× (React's own floor here)`);
    console.log(`    console's first screen, no script    median ${m.snapshotMs.toFixed(1)} ms   ${m.snapshotRatio.toFixed(2)}× (its markup and stylesheet alone)`);
    console.log(`    static page painted                  median ${m.staticMs.toFixed(1)} ms`);
  }
  const i = r.input;
  console.log(`  keydown → next frame, idle:       median ${i.idle.median.toFixed(1)} ms, p95 ${i.idle.p95.toFixed(1)} ms (${i.idle.samples} keys)`);
  console.log(
    `  keydown → next frame, streaming:  median ${i.streaming.median.toFixed(1)} ms, p95 ${i.streaming.p95.toFixed(1)} ms (${i.streaming.samples} keys over ${i.streams} runs of a step printing ${(i.streamBytes / 1e6).toFixed(0)} MB, ${(i.streamMs / 1000).toFixed(1)} s each)`,
  );
  console.log(`  ratio: ${i.ratio.toFixed(2)}× idle (p95: ${i.p95Ratio.toFixed(2)}×)`);
}
