// Registers the app's service worker (shell-worker.ts, built to /sw.js) so the next visit opens
// without a network. A browser without service workers still runs the app while it is online.
export function registerShellWorker(): void {
  if (import.meta.env.DEV || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/", type: "module" }).catch((error) => {
    console.warn("the app will not open offline: its service worker did not register", error);
  });
}
