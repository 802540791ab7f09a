// Builds the two pages the Worker's static assets serve: the offline-first demo app at / and the
// console at /console/, plus the app's service worker at /sw.js. The output (dist/) is what
// wrangler.toml's [assets] points at.
import { defineConfig, type Plugin } from "vite";

const root = new URL(".", import.meta.url).pathname;

/**
 * Lists what the app's service worker keeps for offline use: every file of the build except the
 * console's page, the service worker itself and this list, under one id per build.
 */
function shellManifest(): Plugin {
  return {
    name: "rill-shell-manifest",
    apply: "build",
    generateBundle(_options, bundle) {
      const skip = new Set(["sw.js", "console/index.html", "index.html", "shell-files.json"]);
      const files = Object.keys(bundle)
        .filter((name) => !skip.has(name) && !name.endsWith(".map"))
        .map((name) => `/${name}`)
        .sort();
      const build = Date.now().toString(36);
      this.emitFile({ type: "asset", fileName: "shell-files.json", source: `${JSON.stringify({ build, files }, null, 2)}\n` });
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  // nothing is copied verbatim: every file the pages use goes through the build
  publicDir: false,
  clearScreen: false,
  logLevel: "warn",
  plugins: [shellManifest()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rollupOptions: {
      input: { app: `${root}index.html`, console: `${root}console/index.html`, sw: `${root}src/app/shell-worker.ts` },
      // bundling the broker's worker (the whole engine) takes a few seconds on two cores: expected, not a warning
      checks: { bundlerTimings: false },
      // the service worker keeps a fixed URL (its scope is the site); everything else is content-hashed
      output: { entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js") },
    },
  },
  // the broker's worker imports modules of its own, so it is built as an ES module worker
  worker: { format: "es" },
});
