#!/usr/bin/env node
// `npm run size`: what a producer-and-consumer program weighs in a browser bundle, minified and
// gzipped (esbuild, ES2022, level-9 gzip), for @rill/client, @rill/kafkajs and @rill/browser, beside
// kafkajs for the same program (kafkajs cannot run in a browser: it is bundled for Node with Node's
// built-ins left out). "initial" is what loads before the program runs; "lazy" is split off behind
// a dynamic import (the JSON Schema validator, loaded by the first record of a topic with a schema).
// `--from DIR` resolves the packages from DIR/node_modules (an install of the packed tarballs)
// instead of the repository's sources. Exits 1 when @rill/client passes its 30 KB budget.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
export const CLIENT_BUDGET_BYTES = 30 * 1024;

/** The kafkajs program, as written for kafkajs and, with only the import and the broker changed, for @rill/kafkajs. */
const kafkajsProgram = (module, broker) => `import { Kafka } from "${module}";
const kafka = new Kafka({ clientId: "size", brokers: ["${broker}"] });
const producer = kafka.producer();
await producer.connect();
await producer.send({ topic: "orders", messages: [{ key: "cart-7", value: "tea" }] });
await producer.disconnect();
const consumer = kafka.consumer({ groupId: "billing" });
await consumer.connect();
await consumer.subscribe({ topic: "orders", fromBeginning: true });
await consumer.run({ eachMessage: async ({ message }) => console.log(message.offset, message.value) });`;

// The same program for every client: produce one keyed record, then consume in a group.
const programs = [
  {
    name: "@rill/client",
    source: `import { createClient } from "@rill/client";
const client = createClient({ brokers: ["http://127.0.0.1:8787"], clientId: "size" });
const producer = client.producer();
await producer.send({ topic: "orders", messages: [{ key: "cart-7", value: "tea" }] });
await producer.disconnect();
const consumer = client.consumer({ groupId: "billing" });
await consumer.subscribe({ topics: ["orders"] });
await consumer.run({ eachMessage: async ({ message }) => console.log(message.offset, message.value) });`,
  },
  {
    name: "@rill/kafkajs",
    source: kafkajsProgram("@rill/kafkajs", "http://127.0.0.1:8787"),
  },
  {
    name: "@rill/browser (page)",
    note: "the local broker: createBrowserBroker + its client",
    source: `import { createBrowserBroker } from "@rill/browser";
const broker = await createBrowserBroker({
  name: "shop",
  worker: () => new SharedWorker(new URL("./rill-worker.js", import.meta.url), { type: "module" }),
});
const client = broker.client();
const producer = client.producer();
await producer.send({ topic: "orders", messages: [{ key: "cart-7", value: "tea" }] });
const consumer = client.consumer({ groupId: "billing" });
await consumer.subscribe({ topics: ["orders"] });
await consumer.run({ eachMessage: async ({ message }) => console.log(message.offset, message.value) });`,
  },
  {
    name: "@rill/browser (worker)",
    note: "the broker itself: engine, IndexedDB storage, HTTP app",
    source: `import { startBrokerHost } from "@rill/browser/worker";
startBrokerHost();`,
  },
  {
    name: "kafkajs 2.2.4",
    note: "Node only (TCP); Node built-ins not counted",
    node: true,
    source: kafkajsProgram("kafkajs", "127.0.0.1:9092"),
  },
];

/** Files the entry loads before it runs (static imports, transitively), and the rest (dynamic imports). */
function initialAndLazy(metafile, entryOutput) {
  const initial = new Set();
  const visit = (file) => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) if (imported.kind === "import-statement") visit(imported.path);
  };
  visit(entryOutput);
  const lazy = Object.keys(metafile.outputs).filter((f) => f.endsWith(".js") && !initial.has(f));
  return { initial: [...initial], lazy };
}

function weigh(files) {
  const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
  // gzip each file on its own, as a server sends them
  const gzipped = files.reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  return { minified: bytes.length, gzipped };
}

/** Bundles every program and weighs it; `from` is where the packages are resolved (a directory with node_modules). */
export async function measureSizes({ from = root } = {}) {
  const work = mkdtempSync(join(tmpdir(), "rill-size-"));
  try {
    const results = [];
    for (const [i, program] of programs.entries()) {
      const dir = join(work, String(i));
      mkdirSync(dir);
      writeFileSync(join(dir, "entry.js"), program.source);
      const result = await build({
        entryPoints: [join(dir, "entry.js")],
        bundle: true,
        minify: true,
        format: "esm",
        splitting: true,
        target: "es2022",
        platform: program.node ? "node" : "browser",
        external: program.node ? [...builtinModules, ...builtinModules.map((m) => `node:${m}`)] : [],
        // the packages from `from`; kafkajs (a devDependency, for comparison) from the repository
        nodePaths: [join(resolve(from), "node_modules"), join(root, "node_modules")],
        outdir: join(dir, "out"),
        metafile: true,
        logLevel: "silent",
      });
      const entryOutput = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint)?.[0];
      const { initial, lazy } = initialAndLazy(result.metafile, entryOutput);
      results.push({
        name: program.name,
        note: program.note,
        initial: weigh(initial.map((f) => resolve(f))),
        lazy: lazy.length > 0 ? weigh(lazy.map((f) => resolve(f))) : undefined,
      });
    }
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** The Markdown table BENCHMARKS.md keeps. */
export function sizeTable(results) {
  const lines = [
    "| bundle (producer + consumer program) | minified | gzipped | lazy, gzipped |",
    "|---|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.name}${r.note ? ` — ${r.note}` : ""} | ${kb(r.initial.minified)} | **${kb(r.initial.gzipped)}** | ${r.lazy ? kb(r.lazy.gzipped) : "—"} |`,
    ),
  ];
  return lines.join("\n");
}

/** Whether @rill/client is within its budget (initial, gzipped). */
export function clientWithinBudget(results) {
  const client = results.find((r) => r.name === "@rill/client");
  return client !== undefined && client.initial.gzipped <= CLIENT_BUDGET_BYTES;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fromFlag = process.argv.indexOf("--from");
  const from = fromFlag > 0 ? resolve(process.argv[fromFlag + 1]) : root;
  const results = await measureSizes({ from });
  console.log(sizeTable(results));
  const client = results.find((r) => r.name === "@rill/client");
  const within = clientWithinBudget(results);
  console.log(
    `\n@rill/client: ${kb(client?.initial.gzipped ?? 0)} gzipped, budget ${kb(CLIENT_BUDGET_BYTES)}: ${within ? "within" : "OVER"}`,
  );
  if (!within) process.exit(1);
}
