// Debian packages the tests drive for real, installed on demand with apt-get: Chromium (the browser
// tests; playwright's own browser download cannot run on these machines) and curl (README's session).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const needed = [
  { path: chromiumPath, pkg: "chromium" },
  { path: "/usr/bin/curl", pkg: "curl" },
];

export function ensureChromium() {
  const missing = needed.filter((n) => !existsSync(n.path)).map((n) => n.pkg);
  if (missing.length === 0) return;
  console.log(`▶ installing Debian packages the tests need: ${missing.join(", ")}`);
  const root = process.getuid?.() === 0;
  const apt = (...args) => spawnSync(root ? "apt-get" : "sudo", root ? args : ["apt-get", ...args], { stdio: "inherit" });
  apt("update");
  apt("install", "-y", "--no-install-recommends", ...missing);
}
