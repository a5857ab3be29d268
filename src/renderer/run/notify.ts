// Tells the operator something needs attention outside the page: the desktop app's own notification, else
// the browser's (only where the operator allowed it in Settings). The run view's banner shows it either way.
import type { RunbookApi } from '../../shared/api.js';

export async function notifyOperator(api: RunbookApi, title: string, body: string): Promise<void> {
  try {
    if ((await api['app.notify']({ title: title.slice(0, 200), body: body.slice(0, 1000) })).shown) return;
  } catch {
    // The banner still shows it.
  }
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted') new Notification(title, { body });
}
