// Chromium in its own process group on a persistent profile, driven over CDP with playwright-core,
// so a test can SIGKILL the whole browser (every renderer and worker process at once) and launch it
// again on the same profile, as a crash or a power cut would leave it.
import { type ChildProcess, spawn } from "node:child_process";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { chromiumArgs, chromiumPath } from "../harness/chromium.ts";

export interface LaunchedChromium {
  browser: Browser;
  context: BrowserContext;
  pid: number;
  /** SIGKILL of the browser's process group; resolves when the main process is gone. */
  kill(): Promise<void>;
  /** A clean close (pages closed, profile flushed). */
  close(): Promise<void>;
}

export async function launchChromium(profileDir: string, extraArgs: string[] = []): Promise<LaunchedChromium> {
  const child: ChildProcess = spawn(
    chromiumPath,
    [...chromiumArgs, "--remote-debugging-port=0", `--user-data-dir=${profileDir}`, ...extraArgs, "about:blank"],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${text}`)), 30_000);
    child.stderr?.on("data", (d) => {
      text += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once("exit", () => reject(new Error(`chromium exited:\n${text}`)));
  });
  child.stderr?.resume();
  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0] as BrowserContext;
  const pid = child.pid as number;
  return {
    browser,
    context,
    pid,
    async kill() {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
      await exited;
      await browser.close().catch(() => undefined);
    },
    async close() {
      await browser.close().catch(() => undefined);
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone
      }
    },
  };
}
