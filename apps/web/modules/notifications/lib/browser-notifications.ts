/** Whether the user asked, in this browser, to be told of arrivals while the tab is hidden. */
const OPT_IN_KEY = 'chat.browserNotifications';

export type BrowserNotificationState = 'unsupported' | 'denied' | 'off' | 'on';

export function browserNotificationState(): BrowserNotificationState {
  if (typeof window === 'undefined' || !('Notification' in window)) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const optedIn = window.localStorage.getItem(OPT_IN_KEY) === 'on';
  return optedIn && Notification.permission === 'granted' ? 'on' : 'off';
}

/** Asks the browser's permission (it must follow a click) and remembers the choice. */
export async function enableBrowserNotifications(): Promise<BrowserNotificationState> {
  if (!('Notification' in window)) return 'unsupported';
  const permission =
    Notification.permission === 'default'
      ? await Notification.requestPermission()
      : Notification.permission;
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  window.localStorage.setItem(OPT_IN_KEY, 'on');
  return 'on';
}

export function disableBrowserNotifications(): void {
  window.localStorage.removeItem(OPT_IN_KEY);
}

/**
 * Shows a system notification when the user opted in; a click brings the tab forward and opens
 * `path` (a same-site path) in it.
 */
export function notifyInBrowser(options: {
  title: string;
  body?: string;
  tag: string;
  open(): void;
}): void {
  if (browserNotificationState() !== 'on') return;
  try {
    const notification = new Notification(options.title, {
      body: options.body,
      tag: options.tag,
    });
    notification.onclick = () => {
      window.focus();
      options.open();
      notification.close();
    };
  } catch {
    // Some browsers only show notifications from a service worker: the title still counts.
  }
}
