// The console's handlers, plain Node: the Electron IPC bridge and `runbook serve` both call these.
import { parseStoreUrl } from '../store/url.js';
import path from 'node:path';
import type { AppInfo, OpenedRunbook } from '../../shared/api.js';
import { RunbookError, decodeRunbook, parseRunbookAsync } from '../runbook/index.js';
import type { Runbook } from '../../shared/runbook-model.js';
import { ApiCallError } from './dispatch.js';
import { type KeySources, describeKeys } from './keys.js';
import { type NamedSecrets, SecretsUnavailable } from '../secrets/named-secrets.js';
import { listLibrary } from './library.js';
import { LoadProgressFeed, type LoadReport, loadWithProgress } from './load-progress.js';
import { RunError, type RunController } from '../runs/run-controller.js';
import { OUTPUT_PIECE } from '../../shared/history-api.js';
import type { SettingsStore } from '../settings/store.js';
import { probeHostKey } from '../targets/ssh/probe-host-key.js';
import type { ApiHandlers } from './dispatch.js';

export interface HandlerOptions {
  host: AppInfo['host'];
  version: string;
  /** Runbook opened at start-up (command-line argument), if any. */
  initialFile?: string;
  /** Where targets and preferences are kept: electron-store in the app, conf elsewhere. */
  settings: SettingsStore;
  runs: RunController;
  /** Where the evidence keys come from, for the settings screen. */
  keys: KeySources;
  /** Shows a desktop notification; absent where the host has none (the browser page uses its own). */
  notify?: (title: string, body: string) => boolean;
  /** Named secrets in the OS secret store (the desktop app); absent in the browser host. */
  secrets?: NamedSecrets;
  /** The host's native file dialog; absent in a browser, where the page has a path field instead. */
  pickFile?: () => Promise<string | null>;
}

/** Run errors an operator can act on reach the renderer as `run` errors, with their message. */
async function runCall<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RunError) throw new ApiCallError(error.code, error.message);
    throw error;
  }
}

export function createApiHandlers(options: HandlerOptions): ApiHandlers {
  let opened: OpenedRunbook = { runbook: null, error: null };
  let pending: Promise<OpenedRunbook> | null = null;
  let bytes: Uint8Array | null = null;
  const progress = new LoadProgressFeed();
  let loads = 0;

  async function open(file: string): Promise<OpenedRunbook> {
    const absolute = path.resolve(file);
    const loadId = ++loads;
    let last: Omit<LoadReport, 'phase'> = { file: absolute, done: 0, total: 0, steps: 0 };
    // Reports of an opening that another one has overtaken are not shown.
    const report = (p: LoadReport) => {
      last = p;
      if (loadId === loads) progress.set({ ...p, loadId });
    };
    // Said at once (before anything is awaited), so a page asking right after runbook.open hears of this opening.
    report({ ...last, phase: 'reading' });
    try {
      const snapshot = await loadWithProgress(absolute, report);
      opened = { runbook: snapshot.runbook, error: null };
      bytes = snapshot.bytes;
      report({ ...last, phase: 'done', done: last.total, steps: snapshot.runbook.steps.length });
    } catch (error) {
      report({ ...last, phase: 'failed' });
      if (!(error instanceof RunbookError)) throw error;
      // A bad file leaves the runbook already open in place; only the error is reported.
      opened = { runbook: opened.runbook, error: { file: error.file, line: error.line, column: error.column, ...(error.code ? { code: error.code } : {}), message: error.message } };
    }
    return opened;
  }

  if (options.initialFile) pending = open(options.initialFile);

  const NO_SECRET_STORE = 'the browser host (runbook serve) has no OS secret store: use passwordEnv, or type the password when the console asks';
  async function secretsList() {
    const store = options.secrets;
    if (!store) return { available: false, reason: NO_SECRET_STORE, names: [] };
    const reason = await store.unavailable();
    return { available: reason === null, reason, names: store.names() };
  }
  async function secretsChange(change: (store: NamedSecrets) => Promise<void> | void) {
    if (!options.secrets) throw new ApiCallError('unavailable', NO_SECRET_STORE);
    try {
      await change(options.secrets);
    } catch (error) {
      if (error instanceof SecretsUnavailable) throw new ApiCallError('unavailable', error.message);
      throw error;
    }
    return secretsList();
  }

  function preferences() {
    const current = options.settings.read();
    return {
      file: options.settings.path,
      operator: current.operator ?? null,
      journalDir: current.journalDir ?? null,
      exportKey: current.exportKey ?? null,
      approversFile: current.approversFile ?? null,
      store: current.store ?? null,
      storeFrom: options.runs.storeSource(),
    };
  }

  return {
    'app.info': async () => ({ name: 'Runbook Console', version: options.version, host: options.host }),
    'runbook.current': async () => (pending ? await pending : opened),
    'runbook.open': async ({ path: file }) => {
      pending = open(file);
      return pending;
    },
    'runbook.progress': ({ after, waitMs }) => progress.after(after, waitMs ?? 0),
    'runs.start': ({ profile, operator, vars, sha256, replace }) =>
      runCall(async () => {
        const current = pending ? await pending : opened;
        if (!current.runbook || !bytes) throw new RunError('open a runbook first');
        if (sha256 && sha256 !== current.runbook.sha256) throw new RunError(`the host now has another runbook open (${current.runbook.title}); reload the page to see it before starting a run`);
        return options.runs.start(current.runbook, bytes, { profile, operator, vars: vars ?? {}, replace });
      }),
    'runs.state': ({ runId }) => runCall(() => options.runs.state(runId)),
    'runs.timer': ({ runId, stepId, action }) => runCall(() => options.runs.timer(runId, stepId, action)),
    'runs.resume': ({ runId, operator, replace }) =>
      runCall(async () => {
        // The run goes on with the runbook it recorded, which becomes the open runbook (the page shows it).
        const copy = options.runs.recordedRunbook(runId);
        let runbook: Runbook;
        try {
          runbook = await parseRunbookAsync(decodeRunbook(copy.bytes, copy.file), { file: copy.file, sha256: copy.sha256 });
        } catch (error) {
          if (error instanceof RunbookError) throw new RunError(`run ${runId}: its runbook copy cannot be read: ${error.message}`);
          throw error;
        }
        const state = await options.runs.resume(runbook, copy.bytes, { runId, operator, replace });
        pending = null;
        opened = { runbook, error: null };
        bytes = copy.bytes;
        return state;
      }),
    'runs.events': ({ runId, after, waitMs }) => runCall(() => options.runs.events(runId, after, waitMs ?? 0)),
    'runs.runStep': ({ runId, stepId }) =>
      runCall(() => {
        options.runs.runStep(runId, stepId);
        return { accepted: true as const };
      }),
    'runs.cancel': ({ runId }) => runCall(() => ({ cancelled: options.runs.cancel(runId) })),
    'runs.skip': ({ runId, stepId, reason }) => runCall(() => options.runs.skip(runId, stepId, reason)),
    'runs.override': ({ runId, stepId, reason }) => runCall(() => options.runs.override(runId, stepId, reason)),
    'runs.record': ({ runId, ...input }) => runCall(() => options.runs.record(runId, input)),
    'runs.signoffRequest': ({ runId, ...input }) => runCall(() => options.runs.signoffRequest(runId, input)),
    'runs.answer': ({ runId, questionId, answer }) => runCall(() => options.runs.answer(runId, questionId, answer)),
    'runs.current': async () => options.runs.current(),
    'runs.approve': ({ runId, ...input }) => runCall(() => options.runs.approve(runId, input)),
    'runs.setVariables': ({ runId, stepId, values }) => runCall(() => options.runs.setVariables(runId, stepId, values)),
    'runs.output': ({ runId, stepId, blockId, offset, length }) => runCall(() => options.runs.output(runId, { stepId, blockId, offset: offset ?? 0, length: length ?? OUTPUT_PIECE })),
    'history.list': () => runCall(() => options.runs.history()),
    'history.verify': ({ runId }) => runCall(() => options.runs.verifyPast(runId)),
    'history.store': () => runCall(() => options.runs.storedRuns()),
    'history.storeVerify': ({ runId }) => runCall(() => options.runs.verifyStored(runId)),
    'bundle.open': ({ path: dir }) => runCall(() => options.runs.openBundle(dir)),
    'bundle.verify': ({ path: dir }) => runCall(() => options.runs.verifyBundle(dir)),
    'runs.finish': ({ runId, ...confirmation }) => runCall(() => options.runs.finish(runId, confirmation)),
    'runs.verify': ({ runId }) => runCall(() => options.runs.verify(runId)),
    'runs.export': ({ runId, out, keyFile, agent, agentKey, unfinished, reason }) => runCall(() => options.runs.export(runId, { out, keyFile, agent, agentKey, unfinished, reason })),
    'runbook.pick': async () => (options.pickFile ? { supported: true, path: await options.pickFile() } : { supported: false, path: null }),
    'app.notify': async ({ title, body }) => ({ shown: options.notify ? options.notify(title, body) : false }),
    'settings.get': async () => preferences(),
    'settings.save': async (change) => {
      // A store URL is read as a run would read it before it is kept (the page's check is not the last word).
      if (change.store) {
        try {
          parseStoreUrl(change.store.url);
        } catch (error) {
          throw new ApiCallError('invalid-input', `store.url: ${(error as Error).message}`);
        }
      }
      // Each field given is set, or cleared when null (or empty); fields left out stay as they are.
      options.settings.update((current) => {
        const next: Record<string, unknown> = { ...current };
        for (const [field, value] of Object.entries(change)) {
          if (value === undefined) continue;
          if (value === null || value === '') delete next[field];
          else next[field] = value;
        }
        return next as typeof current;
      });
      return preferences();
    },
    'keys.info': () => describeKeys(options.keys),
    'secrets.list': () => secretsList(),
    'secrets.save': ({ name, value }) => secretsChange((store) => store.set(name, value)),
    'secrets.remove': ({ name }) => secretsChange((store) => store.remove(name)),
    'runs.bind': ({ runId, stepId, blockId, target }) => runCall(() => options.runs.bind(runId, stepId, blockId, target)),
    'library.list': () => listLibrary(options.settings.read().recentRunbooks),
    'targets.hostKey': async ({ name }) => {
      const target = options.settings.targets().targets[name];
      if (!target) throw new ApiCallError('not-found', `no target named "${name}" in settings`);
      if (target.kind !== 'ssh') throw new ApiCallError('invalid-input', `target "${name}" is a ${target.kind} target; only ssh targets have host keys`);
      try {
        return await probeHostKey(target, { baseDir: path.dirname(options.settings.path), env: process.env, ask: async () => null, confirm: async () => false });
      } catch (error) {
        throw new ApiCallError('unreachable', `${name}: ${(error as Error).message}`);
      }
    },
    'targets.get': async () => ({ file: options.settings.path, targets: options.settings.targets() }),
    'targets.save': async ({ targets }) => {
      options.settings.saveTargets(targets);
      return { file: options.settings.path, targets: options.settings.targets() };
    },
  };
}
