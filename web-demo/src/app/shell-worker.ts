// The demo app's service worker: keeps the app shell (its page, scripts, styles and the broker's
// worker script) in the Cache API, so the app opens with no network at all. The page is fetched
// network-first (a new build shows up at once when online); hashed assets are served cache-first.
// Nothing else (the console, the broker's /v1 API) is touched.

// the few service-worker types used here (the DOM and WebWorker libraries cannot share a tsconfig)
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ServiceWorkerScope {
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}
const scope = self as unknown as ServiceWorkerScope;

/** Written by the build (vite.config.ts): the build's id and the files of the shell. */
interface ShellManifest {
  build: string;
  files: string[];
}

const PREFIX = "rill-demo-shell-";
const PAGE = "/";

async function manifest(): Promise<ShellManifest> {
  const res = await fetch("/shell-files.json", { cache: "no-store" });
  return (await res.json()) as ShellManifest;
}

scope.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const { build, files } = await manifest();
      const cache = await caches.open(PREFIX + build);
      await cache.addAll([PAGE, ...files]);
      await scope.skipWaiting();
    })(),
  );
});

scope.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const { build } = await manifest().catch(() => ({ build: "" }));
      // older builds' caches go; if the manifest cannot be read (offline), keep everything
      if (build) for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== PREFIX + build) await caches.delete(name);
      await scope.clients.claim();
    })(),
  );
});

async function pageFromNetworkOrCache(request: Request): Promise<Response> {
  try {
    const fresh = await fetch(request);
    if (fresh.ok) return fresh;
    throw new Error(`status ${fresh.status}`);
  } catch (error) {
    const cached = await caches.match(PAGE);
    if (cached) return cached;
    throw error;
  }
}

async function cachedFirst(request: Request): Promise<Response> {
  return (await caches.match(request)) ?? fetch(request);
}

scope.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== scope.location.origin) return;
  if (request.mode === "navigate" && (url.pathname === "/" || url.pathname === "/index.html")) {
    event.respondWith(pageFromNetworkOrCache(request));
  } else if (url.pathname.startsWith("/assets/")) {
    event.respondWith(cachedFirst(request));
  }
});
