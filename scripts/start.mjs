#!/usr/bin/env node
// `npm start`: the local edge broker. Runs the Worker and its Durable Objects in workerd through
// `wrangler dev` on 127.0.0.1, with state persisted under .wrangler/state, and says how to try it.
// The web demo and console (web-demo/, served as static assets) are built first when their build is
// missing or older than their sources.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ensureWebBuild } from "../web-demo/scripts/build.mjs";

const root = new URL("..", import.meta.url).pathname;
const port = process.env.PORT ?? "8787";
const host = "127.0.0.1";
const persist = process.env.RILL_STATE_DIR ?? join(root, ".wrangler", "state");
mkdirSync(join(root, ".cache"), { recursive: true });
// a failed build leaves pages that say so: the broker itself is still worth starting
await ensureWebBuild({ soft: true });

const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? join(root, ".cache", "config"),
  XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? join(root, ".cache"),
};
const args = [
  "dev",
  "--ip",
  host,
  "--port",
  port,
  "--inspector-port",
  "0",
  "--persist-to",
  persist,
  "--show-interactive-dev-session=false",
];
const child = spawn(join(root, "node_modules", ".bin", "wrangler"), args, { cwd: root, env, stdio: ["inherit", "pipe", "inherit"] });

const base = `http://${host}:${port}`;
let announced = false;
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /Ready on/.test(String(chunk))) {
    announced = true;
    announce().catch(() => undefined);
  }
});

/** Whether the broker asks for credentials: an anonymous request is refused (401) only when auth is on. */
async function authMode() {
  try {
    const status = (await fetch(`${base}/v1/topics`)).status;
    return status === 401
      ? "on (bearer tokens, API keys or JWTs; ACLs enforced: see README, Security)"
      : "off (every request is anonymous and may do anything; set RILL_TOKENS in .dev.vars to turn it on)";
  } catch {
    return "unknown (the broker did not answer)";
  }
}

async function announce() {
  const auth = await authMode();
  console.log(`
  Rill edge broker is running at ${base}  (state: ${persist})
  auth: ${auth}

  Try it:
    curl -s -X POST ${base}/v1/topics -H 'content-type: application/json' -d '{"name":"orders","partitions":3}'
    curl -s -X POST ${base}/v1/topics/orders/records -H 'content-type: application/json' \\
         -d '{"records":[{"key":"alice","value":"hello"}]}'
    curl -s '${base}/v1/topics/orders/partitions/0/records?offset=0'
    Demo app (offline-first, on @rill/browser): ${base}/
    Console: ${base}/console/
    API description: ${base}/v1/openapi.json

  Ctrl-C stops it.
`);
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill("SIGTERM"));
child.on("exit", (code) => process.exit(code ?? 0));
