// The `rill` command line: in-process against the in-process broker for most cases (fast, exact
// output), and as a real process for the launcher and its exit codes. README's session against the
// edge broker: cli-readme.test.ts.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { serveNodeBroker } from "@rill/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createProgress } from "../../packages/cli/src/progress.ts";
import { cliBin, inProcessCli, type Run, repoRoot } from "../harness/cli.ts";
import { jsonLines as parseLines } from "../helpers/json-lines.ts";
import { uniqueTopic } from "../helpers/names.ts";

const { node, appFetch, rill } = inProcessCli();
const bin = cliBin;
const root = repoRoot;

// biome-ignore lint/suspicious/noExplicitAny: CLI output, checked field by field by the assertions
const jsonLines = (text: string) => parseLines<any>(text);

describe("rill topics", () => {
  it("creates, lists, describes with offsets, alters and deletes topics", async () => {
    const topic = uniqueTopic("cli");
    expect(await rill(["topics", "create", topic, "-p", "2", "-c", "retention.ms=60000"])).toMatchObject({
      code: 0,
      stdout: `Created topic ${topic}.\n`,
    });
    expect(await rill(["topics", "create", topic])).toMatchObject({ code: 1, stderr: expect.stringMatching(/TOPIC_ALREADY_EXISTS/) });
    expect((await rill(["topics", "create", topic, "--if-not-exists"])).code).toBe(0);
    expect((await rill(["topics", "list"])).stdout.split("\n")).toContain(topic);
    expect(JSON.parse((await rill(["topics", "list", "--json"])).stdout)).toContainEqual({ name: topic, partitions: 2 });
    await rill(["produce", topic, "-p", "1"], { stdin: "a\nb\n" });
    const described = await rill(["topics", "describe", topic]);
    expect(described.stdout).toMatch(
      new RegExp(`Topic: ${topic}\\t.*PartitionCount: 2\\tReplicationFactor: 1\\tConfigs: retention.ms=60000`),
    );
    expect(described.stdout).toMatch(/Partition: 1\tLeader: 0\tReplicas: 0\tIsr: 0\tLogStartOffset: 0\tHighWatermark: 2/);
    expect(JSON.parse((await rill(["topics", "describe", topic, "--json"])).stdout).partitions[1].highWatermark).toBe(2);
    const altered = await rill(["topics", "alter", topic, "-c", "retention.ms=1000", "--delete-config", "cleanup.policy", "-p", "3"]);
    expect(altered.code).toBe(0);
    expect(altered.stdout).toContain(`Topic ${topic} now has 3 partitions.`);
    expect(altered.stderr).toMatch(/warning: .*keyed records/);
    expect((await rill(["topics", "describe", topic, "--json"])).stdout).toContain('"retention.ms": "1000"');
    expect(await rill(["topics", "delete", topic])).toMatchObject({ code: 0, stdout: `Deleted topic ${topic}.\n` });
    expect(await rill(["topics", "delete", topic])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: UNKNOWN_TOPIC_OR_PARTITION: /),
    });
    expect((await rill(["topics", "delete", topic, "--if-exists"])).code).toBe(0);
    expect(await rill(["topics", "describe", topic])).toMatchObject({ code: 1 });
  });
});

describe("rill produce and consume", () => {
  it("produces lines with keys, headers and partitions, and prints them in three formats", async () => {
    const topic = uniqueTopic("cli");
    await rill(["topics", "create", topic, "-p", "3"]);
    const produced = await rill(["produce", topic, "-K", ":", "-H", "source=cli"], { stdin: "alice:hello\nbob:world\r\n\ncarol:a:b\n" });
    expect(produced).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const records = jsonLines((await rill(["consume", topic])).stdout);
    expect(records.map((r) => [r.key, r.value]).sort()).toEqual([
      ["alice", "hello"],
      ["bob", "world"],
      ["carol", "a:b"],
    ]);
    expect(records[0]).toMatchObject({ topic, headers: { source: "cli" } });
    expect(Object.keys(records[0])).toEqual(["topic", "partition", "offset", "timestamp", "key", "value", "headers"]);
    expect((await rill(["consume", topic, "--format", "value"])).stdout.split("\n").sort()).toEqual(["", "a:b", "hello", "world"]);
    expect((await rill(["consume", topic, "--format", "kv", "-K", "="])).stdout.split("\n").sort()).toEqual([
      "",
      "alice=hello",
      "bob=world",
      "carol=a:b",
    ]);
    const dir = mkdtempSync(join(tmpdir(), "rill-cli-"));
    writeFileSync(join(dir, "lines.txt"), "one\ntwo\nthree\n");
    expect((await rill(["produce", topic, "--file", join(dir, "lines.txt"), "-p", "2", "-k", "fixed", "--compression", "gzip"])).code).toBe(
      0,
    );
    const p2 = jsonLines((await rill(["consume", topic, "-p", "2"])).stdout).filter((r) => r.key === "fixed");
    expect(p2.map((r) => r.value)).toEqual(["one", "two", "three"]);
  });

  it("starts from an offset or a time, stops after --max-messages, and marks binary values", async () => {
    const topic = uniqueTopic("cli");
    await rill(["topics", "create", topic]);
    await rill(["produce", topic], { stdin: "r0\nr1\nr2\nr3\n" });
    const values = (r: Run) => jsonLines(r.stdout).map((x) => x.value);
    expect(values(await rill(["consume", topic, "-o", "2"]))).toEqual(["r2", "r3"]);
    expect(values(await rill(["consume", topic, "-n", "3"]))).toEqual(["r0", "r1", "r2"]);
    expect(values(await rill(["consume", topic, "--from-end"]))).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(values(await rill(["consume", topic, "--timestamp", future]))).toEqual([]);
    expect(values(await rill(["consume", topic, "--timestamp", "0"]))).toEqual(["r0", "r1", "r2", "r3"]);
    expect(await rill(["consume", topic, "-o", "9"])).toMatchObject({ code: 1, stderr: expect.stringMatching(/OFFSET_OUT_OF_RANGE/) });
    const client = (await import("../../packages/client/src/index.ts")).createClient({ brokers: ["http://rill.test"], fetch: appFetch });
    const producer = client.producer();
    await producer.send({ topic, messages: [{ value: new Uint8Array([0xff, 0xfe, 0x00]) }] });
    await producer.disconnect();
    const [binary] = jsonLines((await rill(["consume", topic, "-o", "4"])).stdout);
    expect(binary).toMatchObject({ value: "//4A", encoding: "base64" });
  });

  it("follows a partition until interrupted, then exits cleanly", async () => {
    const topic = uniqueTopic("cli");
    await rill(["topics", "create", topic]);
    await rill(["produce", topic], { stdin: "before\n" });
    const controller = new AbortController();
    // --from-end is the end as it finds it when it starts: the records are written once it is
    // fetching from there (its first fetch of records has gone out), so they are all printed
    let polling!: () => void;
    const polls = new Promise<void>((resolve) => (polling = resolve));
    const following = rill(["consume", topic, "--follow", "--from-end"], {
      signal: controller.signal,
      onStdout: (all) => {
        if (all.split("\n").length > 2) controller.abort();
      },
      fetch: (input, init) => {
        if (input.includes("/records")) polling();
        return appFetch(input, init);
      },
    });
    await polls;
    await rill(["produce", topic], { stdin: "live-1\nlive-2\n" });
    const result = await following;
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).map((r) => r.value)).toEqual(["live-1", "live-2"]);
  });

  it("refuses bad input with exit code 1 and says why", async () => {
    const topic = uniqueTopic("cli");
    await rill(["topics", "create", topic]);
    const noSeparator = await rill(["produce", topic, "-K", ":"], { stdin: "k:v\nno separator here\n" });
    expect(noSeparator).toMatchObject({ code: 1, stderr: expect.stringMatching(/INVALID_RECORD: line 2 has no key separator/) });
    expect(await rill(["produce", uniqueTopic("missing")], { stdin: "x\n" })).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/UNKNOWN_TOPIC_OR_PARTITION/),
    });
    expect(await rill(["consume", topic, "-p", "5"])).toMatchObject({ code: 1, stderr: expect.stringMatching(/no partition 5/) });
  });

  it("sends --token as a bearer token and --broker as the URL", async () => {
    const seen: string[] = [];
    const spy = async (input: string, init: RequestInit) => {
      seen.push(`${new URL(input).origin} ${new Headers(init.headers).get("authorization")}`);
      return appFetch(input, init);
    };
    expect((await rill(["topics", "list", "--token", "s3cret", "-b", "http://elsewhere.test:9092"], { fetch: spy })).code).toBe(0);
    expect(seen).toEqual(["http://elsewhere.test:9092 Bearer s3cret"]);
  });

  it("reports rates on stderr with --progress", async () => {
    const topic = uniqueTopic("cli");
    await rill(["topics", "create", topic]);
    const lines = `${Array.from({ length: 2_000 }, (_, i) => `line ${i}`).join("\n")}\n`;
    // a line per second while it runs (however many a busy machine makes that), then the summary
    expect((await rill(["produce", topic, "--progress"], { stdin: lines })).stderr).toMatch(
      /^(produced [\d,]+ records \([\d,]+\/s\)\n)*produced 2,000 records in [\d.]+ s \([\d,]+\/s\)\n$/,
    );
    const consumed = await rill(["consume", topic, "--progress", "--format", "value"]);
    expect(consumed.stdout.split("\n")).toHaveLength(2_001);
    expect(consumed.stderr).toMatch(/(^|\n)consumed 2,000 records in [\d.]+ s \([\d,]+\/s\)\n$/);
  });

  it("prints progress once a second and a summary, on a clock the test moves", () => {
    vi.useFakeTimers({ now: 0, toFake: ["setInterval", "clearInterval", "Date"] });
    try {
      let written = "";
      const progress = createProgress(
        new Writable({
          write(chunk, _, next) {
            written += chunk;
            next();
          },
        }),
        "produced",
        true,
        false,
      );
      progress.add(1_500);
      vi.advanceTimersByTime(1_000);
      expect(written).toBe("produced 1,500 records (1,500/s)\n");
      progress.add(500);
      vi.advanceTimersByTime(1_000);
      progress.done();
      expect(written.split("\n")).toEqual([
        "produced 1,500 records (1,500/s)",
        "produced 2,000 records (500/s)",
        "produced 2,000 records in 2.0 s (1,000/s)",
        "",
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("rill usage", () => {
  it("answers --help on every command with exit code 0", async () => {
    for (const argv of [
      ["--help"],
      ["help"],
      ["topics", "--help"],
      ["topics", "list", "--help"],
      ["topics", "create", "--help"],
      ["topics", "describe", "-h"],
      ["topics", "alter", "--help"],
      ["topics", "delete", "--help"],
      ["produce", "--help"],
      ["consume", "--help"],
      ["help", "consume"],
    ]) {
      const run = await rill(argv);
      expect(run.code, argv.join(" ")).toBe(0);
      expect(run.stdout, argv.join(" ")).toMatch(/Usage: rill/);
    }
  });

  it("exits 2 on usage errors", async () => {
    for (const argv of [
      [],
      ["topics"],
      ["frobnicate"],
      ["topics", "frobnicate", "x"],
      ["topics", "create"],
      ["topics", "create", "a", "b"],
      ["topics", "create", "t", "-p", "three"],
      ["topics", "create", "t", "-c", "retention.ms"],
      ["topics", "alter", "t"],
      ["consume", "t", "--bogus"],
      ["consume", "t", "--format", "xml"],
      ["consume", "t", "--offset", "1", "--from-beginning"],
      ["produce", "t", "--acks", "2"],
      ["produce", "t", "--file", "/nonexistent/file"],
    ]) {
      const run = await rill(argv);
      expect(run.code, argv.join(" ")).toBe(2);
      expect(run.stderr + run.stdout, argv.join(" ")).toMatch(/error: |Usage: rill/);
    }
  });
});

describe("the rill process", () => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const served = await serveNodeBroker(node);
    url = served.url;
    close = served.close;
  });
  afterAll(() => close());

  const exec = (argv: string[], env: Record<string, string> = {}, stdin?: string) =>
    new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [bin, ...argv], { cwd: root, env: { ...process.env, ...env } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(stdin ?? "");
    });

  it("runs from its launcher with exit codes 0, 1 and 2, the broker from --broker or RILL_BROKER", async () => {
    const topic = uniqueTopic("proc");
    expect(await exec(["-b", url, "topics", "create", topic])).toMatchObject({ code: 0 });
    expect(await exec(["produce", topic, "-K", ":"], { RILL_BROKER: url }, "k:v\n")).toMatchObject({ code: 0 });
    const consumed = await exec(["consume", topic, "--format", "kv", "--broker", url]);
    expect(consumed).toMatchObject({ code: 0, stdout: "k\tv\n" });
    expect(await exec(["topics", "describe", uniqueTopic("none"), "-b", url])).toMatchObject({ code: 1 });
    expect(await exec(["topics", "list", "-b", "http://127.0.0.1:9"])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/NETWORK_EXCEPTION/),
    });
    expect(await exec(["consume"])).toMatchObject({ code: 2 });
    expect((await exec(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
