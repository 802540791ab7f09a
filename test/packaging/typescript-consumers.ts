// `tsc --noEmit` on TypeScript consumers of the installed packages, strict and with skipLibCheck off
// (so a declaration that names a missing type fails here rather than turning into `any` for users),
// in the three places the packages run: Node (NodeNext resolution), a web page and a Worker (bundler
// resolution). Each compiles an import of every exported entry point of its packages, the hand-written
// consumer of types/, the README examples shipped in each package, and the fixtures the other steps run.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoBin, run } from "./processes.ts";
import { exportedSpecifiers, readmeBlocks, type Scratch } from "./scratch.ts";

interface Environment {
  name: string;
  /** Packages whose every entry point this environment imports. */
  packages: string[];
  /** Packages whose README examples are written for this environment. */
  readmes: string[];
  compilerOptions: Record<string, unknown>;
  /** Fixture files (relative to the scratch project) compiled in this environment. */
  files: string[];
}

const strict = {
  target: "ES2022",
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  noEmit: true,
};

const environments: Environment[] = [
  {
    name: "node",
    packages: [
      "@rill/core",
      "@rill/protocol",
      "@rill/client",
      "@rill/server",
      "@rill/node",
      "@rill/cli",
      "@rill/kafkajs",
      "@rill/sync",
      "@rill/storage-memory",
      "@rill/worker",
    ],
    readmes: [
      "@rill/core",
      "@rill/protocol",
      "@rill/client",
      "@rill/server",
      "@rill/node",
      "@rill/kafkajs",
      "@rill/sync",
      "@rill/storage-memory",
    ],
    compilerOptions: { ...strict, module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022"], types: ["node"] },
    files: ["types/node.ts"],
  },
  {
    name: "browser",
    packages: ["@rill/browser", "@rill/storage-indexeddb", "@rill/client", "@rill/kafkajs", "@rill/core", "@rill/protocol", "@rill/sync"],
    readmes: ["@rill/browser", "@rill/storage-indexeddb"],
    compilerOptions: { ...strict, module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM", "DOM.Iterable"], types: [] },
    files: ["types/browser.ts", "web/main.ts", "web/rill-worker.ts"],
  },
  {
    name: "worker",
    packages: ["@rill/edge", "@rill/storage-sqlite", "@rill/worker", "@rill/client", "@rill/kafkajs", "@rill/server", "@rill/core"],
    readmes: ["@rill/edge", "@rill/storage-sqlite", "@rill/worker"],
    compilerOptions: { ...strict, module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022"], types: ["@cloudflare/workers-types"] },
    files: ["types/worker.ts", "client-worker.ts", "edge-mount.ts", "readme-deploy.ts"],
  },
];

/** Every published package must be compiled somewhere, its README too, so a new one cannot slip past this check. */
export function uncoveredPackages(scratch: Scratch): string[] {
  const covered = new Set(environments.flatMap((e) => e.packages));
  const readmes = new Set(environments.flatMap((e) => e.readmes));
  return scratch.packed.map((p) => p.name).filter((name) => !covered.has(name) || (!readmes.has(name) && name !== "@rill/cli")); // the CLI's README is shell only
}

/** Writes each environment's project and runs tsc on it; answers what was compiled. */
export function checkTypeScriptConsumers(scratch: Scratch): string {
  const summary: string[] = [];
  for (const env of environments) {
    const dir = join(scratch.dir, "types", env.name);
    mkdirSync(dir, { recursive: true });
    const specifiers = env.packages.flatMap((pkg) => exportedSpecifiers(scratch, pkg));
    writeFileSync(
      join(dir, "entries.ts"),
      `${specifiers.map((s, i) => `import * as entry${i} from "${s}";`).join("\n")}\nexport const entries = [${specifiers.map((_, i) => `entry${i}`).join(", ")}];\n`,
    );
    let examples = 0;
    for (const pkg of env.readmes) {
      readmeBlocks(scratch, pkg, "ts").forEach((block, i) => {
        // each example is a module of its own, as a user's file would be
        writeFileSync(
          join(dir, `readme-${pkg.replace("@rill/", "")}-${i}.ts`),
          /^\s*(import|export)\s/m.test(block) ? block : `${block}\nexport {};\n`,
        );
        examples++;
      });
    }
    const config = {
      compilerOptions: env.compilerOptions,
      include: ["./*.ts", ...env.files.map((f) => `../../${f}`)],
    };
    writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(config, null, 2)}\n`);
    run(repoBin("tsc"), ["-p", join(dir, "tsconfig.json")], { cwd: scratch.dir });
    summary.push(`${env.name}: ${specifiers.length} entry points, ${examples} README examples, ${env.files.length} programs`);
  }
  return summary.join("; ");
}
