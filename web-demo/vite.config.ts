// Builds the two pages the Worker's static assets serve: the offline-first demo app at / and the
// console at /console/. The output (dist/) is what wrangler.toml's [assets] points at.
import { defineConfig } from "vite";

const root = new URL(".", import.meta.url).pathname;

export default defineConfig({
  root,
  base: "/",
  // nothing is copied verbatim: every file the pages use goes through the build
  publicDir: false,
  clearScreen: false,
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rollupOptions: {
      input: { app: `${root}index.html`, console: `${root}console/index.html` },
    },
  },
  // the broker's worker imports modules of its own, so it is built as an ES module worker
  worker: { format: "es" },
});
