// README's curl session, run as printed against the real local broker: every command in the
// "A session with curl" section runs, and each answer shown after it must match (timestamps and
// generated ids aside). The long-poll runs too, woken by a record written while it waits, and so
// does its `&live=sse` variant the prose mentions. A README that drifts from the broker fails here.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";
import { until } from "../helpers/wait.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## A session with curl"), readme.indexOf("## Command line and client"));

/** The section's code blocks in order: shell commands and the JSON answers printed after them. */
function blocks(): Array<{ kind: "sh" | "json"; text: string }> {
  return [...section.matchAll(/```(sh|json)\n([\s\S]*?)```/g)].map((m) => ({ kind: m[1] as "sh" | "json", text: (m[2] as string).trim() }));
}

const normalise = (json: string) =>
  JSON.stringify(JSON.parse(json), (key, value) =>
    key === "timestamp" && typeof value === "number" ? 0 : key === "topicId" ? "id" : value,
  );

/** A shell command as a process: its output so far, and its end. */
function shell(command: string) {
  const child = spawn("bash", ["-c", command], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function run(command: string): Promise<string> {
  const p = shell(command);
  const code = await p.exited;
  if (code !== 0) throw new Error(`${command}: exit ${code}: ${p.stderr()}`);
  return p.stdout().trim();
}

describe("README curl session", () => {
  let broker: LocalBrokerProcess;
  beforeAll(async () => {
    broker = await startLocalBroker();
  }, 60_000);
  afterAll(() => broker?.stop());

  /** Writes one record to the topic the session uses, the way the session does. */
  const write = async (topic: string, record: { key: string; value: string }) => {
    const res = await fetch(`${broker.url}/v1/topics/${topic}/records`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ records: [record] }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { offsets: Array<{ partition: number; offset: number }> }).offsets[0];
  };

  it("works as printed", async () => {
    const list = blocks();
    expect(list.filter((b) => b.kind === "sh").length).toBeGreaterThanOrEqual(4);
    let checked = 0;
    let longPolls = 0;
    for (const [i, block] of list.entries()) {
      if (block.kind !== "sh") continue;
      const command = block.text.replace(/\\\n\s*/g, "").replaceAll("http://127.0.0.1:8787", broker.url);
      const shown = list[i + 1];
      const poll = /\/topics\/([^/]+)\/partitions\/(\d+)\/records\?offset=(\d+)&maxWaitMs=\d+/.exec(command);
      if (poll) {
        // the long-poll as the prose says: it waits until the next record of its partition is
        // written, then answers with it (dave's keys land on partition 1, as the session shows)
        const [, topic, partition, offset] = poll as unknown as [string, string, string, string];
        const waiting = run(command);
        const written = await write(topic, { key: "dave", value: "tea" });
        expect(written).toEqual({ partition: Number(partition), offset: Number(offset) });
        const answer = JSON.parse(await waiting);
        expect(answer.records).toMatchObject([{ offset: Number(offset), key: "dave", value: "tea" }]);
        longPolls++;

        // "&live=sse streams records as server-sent events instead": the same request, streamed,
        // until the record is seen (curl's --max-time bounds it if it never comes)
        const sse = shell(`curl -sN --max-time 60 '${command.match(/'(http[^']+)'/)?.[1]?.replace(/&maxWaitMs=\d+/, "&live=sse")}'`);
        try {
          await until(() => /^data: .*"value":"tea"/m.test(sse.stdout()), "the record as a server-sent event", { everyMs: 20 });
          expect(sse.stdout()).toMatch(new RegExp(`^id: ${offset}$`, "m"));
        } finally {
          sse.child.kill("SIGTERM");
          await sse.exited;
        }
        continue;
      }
      const output = await run(command);
      if (shown?.kind === "json") {
        expect(normalise(output)).toBe(normalise(shown.text));
        checked++;
      } else expect(output.length).toBeGreaterThan(0);
    }
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(longPolls).toBe(1);
  }, 90_000);
});
