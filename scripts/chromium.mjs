// Debian's Chromium, installed on demand with apt-get (playwright's own browser download cannot
// run on these machines).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function ensureChromium() {
  if (existsSync(chromiumPath)) return;
  console.log("▶ installing Debian's chromium (needed by the browser tests)");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const apt = (...args) =>
    spawnSync(sudo.length ? "sudo" : "apt-get", [...(sudo.length ? ["apt-get"] : []), ...args], { stdio: "inherit" });
  apt("update");
  apt("install", "-y", "--no-install-recommends", "chromium");
}
