// The Worker projects of the scratch app, as a user writes them from the READMEs of the installed
// packages: the broker deployed from its ten-line wrangler.toml (main in node_modules/@rill/edge), the
// broker mounted under /rill inside a Worker of the user's own (the README's example entry), and a
// Worker that is a client of it (@rill/client). Each is bundled by wrangler and answers under wrangler dev.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readmeBlocks, repoReadmeBlocks, type Scratch } from "./scratch.ts";

export const configs = {
  /** The README's wrangler.toml as it stands. */
  edge: "wrangler.toml",
  /** The same, with main pointing at the README's mount example. */
  mounted: "wrangler.mount.toml",
  client: "wrangler.client.toml",
};

/** Writes the three projects' configs and the mount entry (edge-mount.ts), all from @rill/edge's README. */
export function writeWorkerProjects(scratch: Scratch): void {
  const [toml] = readmeBlocks(scratch, "@rill/edge", "toml");
  const [mountEntry] = readmeBlocks(scratch, "@rill/edge", "ts");
  if (!toml || !/^main = "node_modules\/@rill\/edge\/dist\/index\.js"$/m.test(toml)) {
    throw new Error("@rill/edge's README has no wrangler.toml whose main is the installed package");
  }
  if (!mountEntry?.includes("withPathPrefix")) throw new Error("@rill/edge's README has no mount example");
  // the repository's README shows the same deployment: it must not drift from the package's
  const [repoToml] = repoReadmeBlocks("Deploy from your own repository", "toml");
  const [repoMountEntry] = repoReadmeBlocks("Deploy from your own repository", "ts");
  if (repoToml !== toml) throw new Error("README.md's wrangler.toml differs from the one in @rill/edge's README");
  if (!repoMountEntry?.includes("withPathPrefix")) throw new Error("README.md's deploy section has no mount example");
  writeFileSync(join(scratch.dir, "readme-deploy.ts"), repoMountEntry); // compiled with the Worker consumers
  writeFileSync(join(scratch.dir, configs.edge), toml);
  writeFileSync(
    join(scratch.dir, configs.mounted),
    toml.replace(/^name = .*$/m, 'name = "my-app"').replace(/^main = .*$/m, 'main = "edge-mount.ts"'),
  );
  writeFileSync(join(scratch.dir, "edge-mount.ts"), mountEntry);
  // the client Worker needs no compatibility flags: @rill/client is fetch and nothing else
  writeFileSync(
    join(scratch.dir, configs.client),
    'name = "client-worker"\nmain = "client-worker.ts"\ncompatibility_date = "2026-04-01"\n',
  );
  mkdirSync(join(scratch.dir, "state"), { recursive: true });
}
