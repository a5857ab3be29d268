// The names of the console API's methods. Kept apart from the schemas so the preload bundle stays tiny.
export const API_METHODS = [
  'app.info',
  'runbook.current',
  'runbook.open',
  'runbook.pick',
  'runbook.progress',
  'app.notify',
  'settings.get',
  'settings.save',
  'keys.info',
  'secrets.list',
  'secrets.save',
  'secrets.remove',
  'library.list',
  'targets.get',
  'targets.save',
  'targets.hostKey',
  'runs.start',
  'runs.state',
  'runs.current',
  'runs.events',
  'runs.runStep',
  'runs.bind',
  'runs.cancel',
  'runs.skip',
  'runs.override',
  'runs.record',
  'runs.signoffRequest',
  'runs.answer',
  'runs.approve',
  'runs.setVariables',
  'runs.resume',
  'runs.timer',
  'runs.finish',
  'runs.verify',
  'runs.export',
  'runs.output',
  'history.list',
  'history.verify',
  'history.store',
  'history.storeVerify',
  'bundle.open',
  'bundle.verify',
] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/** The IPC channel the preload forwards every API call on. */
export const API_CHANNEL = 'app:api';

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && (API_METHODS as readonly string[]).includes(value);
}
