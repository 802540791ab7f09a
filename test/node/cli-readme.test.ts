// README's "Command line and client" section, read from README.md itself and run as printed against
// the real edge broker (wrangler dev, through RILL_BROKER instead of the default port): the outputs
// of its commands must match the blocks README shows after them (timestamps and the topic id
// aside), and so must the TypeScript example's.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Run, repoRoot as root } from "../harness/cli.ts";
import { startLocalBroker } from "../harness/local-broker.ts";
import { jsonLines as parseLines } from "../helpers/json-lines.ts";
import { until } from "../helpers/wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: CLI output, checked field by field by the assertions
const jsonLines = (text: string) => parseLines<any>(text);

const readme = readFileSync(join(root, "README.md"), "utf8");
const session = readme.slice(readme.indexOf("## Command line and client"), readme.indexOf("## Consumer groups"));
const sessionBlocks = [...session.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as string, text: m[2] as string }));
/** The blocks in README's order: the commands, what the kv consume prints, what consume and describe print, the example, its output. */
const [commandsBlock, kvShown, consumeAndDescribeShown, exampleBlock, exampleShown] = sessionBlocks;

/** A JSON line of `rill consume` with its timestamp blanked. */
const withoutTime = (line: string) => JSON.stringify({ ...JSON.parse(line), timestamp: 0 });
const withoutTopicId = (text: string) => text.replace(/TopicId: \S+/, "TopicId: -");

describe("README session on the edge broker (wrangler dev)", () => {
  it("reads the README's session and its blocks in the order this test expects", () => {
    expect(sessionBlocks.map((b) => b.lang)).toEqual(["sh", "", "", "ts", ""]);
    expect(commandsBlock?.text).toMatch(/^npx rill topics create payments/);
  });

  it("works as printed", { timeout: 120_000 }, async () => {
    const commands = (commandsBlock?.text ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    const following = commands.filter((c) => c.includes("--follow"));
    const once = commands.filter((c) => !c.includes("--follow"));
    expect(once).toHaveLength(5);
    expect(following).toHaveLength(1);
    const broker = await startLocalBroker();
    const env = { ...process.env, RILL_BROKER: broker.url };
    const sh = (script: string) =>
      new Promise<Run>((resolve) => {
        execFile("bash", ["-euo", "pipefail", "-c", script], { cwd: root, env }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    try {
      const outputs: Run[] = [];
      for (const command of once) outputs.push(await sh(command));
      expect(
        outputs.map((o) => o.code),
        outputs.map((o) => o.stderr).join(""),
      ).toEqual([0, 0, 0, 0, 0]);
      const [, , kv, consumed, described] = outputs as [Run, Run, Run, Run, Run];
      expect(kv.stdout).toBe(kvShown?.text);
      // README's block holds the consume output, a blank line, then the describe output
      const [consumeText = "", describeText = ""] = (consumeAndDescribeShown?.text ?? "").split("\n\n");
      // partitions interleave in whatever order their fetches come back (README says so); within one, offsets ascend
      const lines = jsonLines(consumed.stdout) as Array<{ partition: number; offset: number }>;
      for (const p of [0, 1, 2]) {
        const offsets = lines.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
      const sorted = (text: string) => text.trim().split("\n").map(withoutTime).sort();
      expect(sorted(consumed.stdout)).toEqual(sorted(consumeText));
      expect(withoutTopicId(described.stdout).trimEnd()).toBe(withoutTopicId(describeText).trimEnd());

      const dir = join(root, ".tmp");
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `readme-example-${Math.random().toString(36).slice(2, 8)}.ts`);
      writeFileSync(file, (exampleBlock?.text ?? "").replace("http://127.0.0.1:8787", broker.url));
      try {
        const example = await sh(`node --import tsx ${file}`);
        expect(example.stdout, example.stderr).toBe(exampleShown?.text);
      } finally {
        rmSync(file, { force: true });
      }

      // "prints new records as they arrive; Ctrl-C stops it": started, then records written until
      // one shows up (the first may land before it has found the end it starts from), then SIGINT
      // its own process group, so a SIGINT reaches npx and rill together, as Ctrl-C in a terminal does
      const tail = spawn("bash", ["-c", `exec ${(following[0] as string).replace(/\s+#.*$/, "")}`], { cwd: root, env, detached: true });
      let printed = "";
      tail.stdout.on("data", (d) => (printed += d));
      const exited = new Promise<number | null>((resolve) => tail.on("close", (code) => resolve(code)));
      try {
        let n = 0;
        await until(
          async () => {
            if (printed.includes('"key":"alice"')) return true;
            await sh(`printf 'alice:{"amount":${++n}}\n' | npx rill produce payments --key-separator :`);
            return printed.includes('"key":"alice"');
          },
          "the followed record",
          { everyMs: 100, timeoutMs: 60_000 },
        );
      } finally {
        process.kill(-(tail.pid as number), "SIGINT");
      }
      // stopped by it (npx reports the interrupt its own way; rill's clean exit on SIGINT is checked in-process above)
      await exited;
      expect(parseLines(printed, { complete: true })[0]).toMatchObject({ topic: "payments", partition: 0, key: "alice" });
    } finally {
      await broker.stop();
    }
  });
});
