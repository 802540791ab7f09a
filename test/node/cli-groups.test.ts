// `rill groups` and `rill consume --group`: two real `rill` processes sharing a topic as members of
// one group (queue), a second group reading everything (pub-sub), lag in describe, offset resets
// on an empty group and their refusal while a member is active, delete, --help and usage errors.
// The processes reach the in-process broker over HTTP; the other commands run in-process against
// the same broker.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { serveNodeBroker } from "@rill/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GroupDescription } from "../../packages/client/src/index.ts";
import { cliBin, inProcessCli, repoRoot } from "../harness/cli.ts";
import { jsonLines as parseLines } from "../helpers/json-lines.ts";
import { uniqueTopic } from "../helpers/names.ts";
import { until } from "../helpers/wait.ts";

const { node, rill } = inProcessCli();
const bin = cliBin;
const root = repoRoot;

interface Line {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

/** Complete lines only: a process's output may end mid-line while it is still printing. */
const jsonLines = (text: string): Line[] => parseLines<Line>(text, { complete: true });

/** Describes the group until `check` holds (a guard against hangs, not a timing assertion); it may not exist yet. */
function describeUntil(group: string, check: (d: GroupDescription) => boolean, what: string): Promise<GroupDescription> {
  return until(
    async () => {
      const run = await rill(["groups", "describe", group, "--json"]);
      if (run.code !== 0 && !run.stderr.includes("GROUP_ID_NOT_FOUND")) throw new Error(run.stderr);
      const d = run.code === 0 ? (JSON.parse(run.stdout) as GroupDescription) : undefined;
      return d && check(d) ? d : undefined;
    },
    what,
    { everyMs: 20 },
  );
}

/** Every partition committed up to its end (totalLag alone counts a partition without a commit as 0). */
const noLag = (d: GroupDescription) => d.partitions.length > 0 && d.partitions.every((p) => p.lag === 0);

const describeGroup = async (group: string): Promise<GroupDescription> => {
  const run = await rill(["groups", "describe", group, "--json"]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};

/** Produces `count` keyed records (k<from>..) so they spread over the partitions by murmur2. */
async function produce(topic: string, from: number, count: number): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => `k${from + i}:v${from + i}\n`).join("");
  expect((await rill(["produce", topic, "-K", ":"], { stdin: lines })).code).toBe(0);
}

/** A `rill` process (the real launcher), its output so far, and its exit. */
interface Member {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function spawnRill(argv: string[], broker: string): Member {
  const child = spawn(process.execPath, [bin, ...argv], { cwd: root, env: { ...process.env, RILL_BROKER: broker } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  child.stdin.end();
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

describe("rill consume --group and rill groups", () => {
  let url: string;
  let close: () => Promise<void>;
  const started: Member[] = [];

  beforeAll(async () => {
    const served = await serveNodeBroker(node);
    url = served.url;
    close = served.close;
  });
  afterAll(async () => {
    // a failed test must not leave its processes behind
    for (const m of started) if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill("SIGKILL");
    await Promise.all(started.map((m) => m.exited));
    await close();
  });

  const topic = uniqueTopic("groups");
  const group = `${topic}-queue`;
  const other = `${topic}-pubsub`;

  it("shares records between two members of a group, each printed once, committed on exit", { timeout: 60_000 }, async () => {
    expect((await rill(["topics", "create", topic, "-p", "2"])).code).toBe(0);
    const a = spawnRill(["consume", topic, "--group", group, "--follow"], url);
    const b = spawnRill(["consume", topic, "--group", group, "--follow"], url);
    started.push(a, b);
    // both members own a partition before anything is produced
    await describeUntil(
      group,
      (d) => d.state === "Stable" && d.members.length === 2 && d.members.every((m) => m.assignment.length === 1),
      `two members sharing the partitions (${a.stderr()}${b.stderr()})`,
    );

    await produce(topic, 0, 20);
    await until(() => jsonLines(a.stdout()).length + jsonLines(b.stdout()).length >= 20, "20 records printed");
    const byA = jsonLines(a.stdout());
    const byB = jsonLines(b.stdout());
    const all = [...byA, ...byB].map((l) => l.value).sort();
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort()); // each exactly once
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    // a partition belongs to one member: the two never print from the same one
    const partitionsOfA = new Set(byA.map((l) => l.partition));
    expect(byB.some((l) => partitionsOfA.has(l.partition))).toBe(false);

    // what was printed is committed while they run: the lag drops to 0
    const live = await describeUntil(group, noLag, "lag 0");
    expect(live.state).toBe("Stable");
    expect(live.partitions.map((p) => [p.partition, p.lag])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(new Set(live.partitions.map((p) => p.memberId))).toEqual(new Set(live.members.map((m) => m.memberId)));
    const text = (await rill(["groups", "describe", group])).stdout;
    expect(text).toMatch(new RegExp(`^Consumer group '${group}': Stable, 2 members, total lag 0 `));
    expect(text).toMatch(/GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +CLIENT-ID\n/);
    expect(text).toMatch(/MEMBER-ID +INSTANCE-ID +CLIENT-ID +EPOCH +STATE +ASSIGNMENT\n/);
    for (const m of live.members) expect(text).toMatch(new RegExp(`${m.memberId} +- +rill-cli +\\d+ +STABLE +${topic}\\(\\d\\)`));

    // SIGTERM: each commits and leaves, exit 0
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    const left = await describeGroup(group);
    expect(left).toMatchObject({ state: "Empty", members: [], totalLag: 0 });
    expect(noLag(left)).toBe(true);
    expect((await rill(["groups", "describe", group])).stdout).toContain(`Consumer group '${group}' has no active members.`);

    // nobody consumes what comes next: describe shows it as lag
    await produce(topic, 20, 5);
    const behind = await describeGroup(group);
    expect(behind.totalLag).toBe(5);
    expect(behind.partitions.reduce((n, p) => n + ((p.highWatermark ?? 0) - (p.committedOffset ?? 0)), 0)).toBe(5);
    expect((await rill(["groups", "describe", group])).stdout).toMatch(/Empty, 0 members, total lag 5 /);

    // the next member starts where the group left off: just the 5 new records, then exits and commits
    const resumed = await rill(["consume", topic, "--group", group]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(
      jsonLines(resumed.stdout)
        .map((l) => l.value)
        .sort(),
    ).toEqual(["v20", "v21", "v22", "v23", "v24"]);
    expect(noLag(await describeGroup(group))).toBe(true);
  });

  it("gives another group every record (pub-sub); without --follow it exits once caught up", { timeout: 30_000 }, async () => {
    const run = await rill(["consume", topic, "--group", other, "--format", "value"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n").filter(Boolean).sort()).toEqual(Array.from({ length: 25 }, (_, i) => `v${i}`).sort());
    expect(noLag(await describeGroup(other))).toBe(true);
    // caught up: a second run prints nothing
    expect(await rill(["consume", topic, "--group", other])).toMatchObject({ code: 0, stdout: "" });
    // --max-messages commits exactly what was printed
    await produce(topic, 25, 4);
    expect(jsonLines((await rill(["consume", topic, "--group", other, "-n", "3"])).stdout)).toHaveLength(3);
    expect((await describeGroup(other)).totalLag).toBe(1);
    expect((await rill(["groups", "list"])).stdout).toMatch(new RegExp(`^${other} +Empty +0$`, "m"));
    expect(JSON.parse((await rill(["groups", "list", "--json"])).stdout)).toContainEqual({ groupId: group, state: "Empty", members: 0 });
  });

  it("leaves the broker's internal groups out of 'groups list' unless --internal", async () => {
    const internal = `__${topic}-internal`;
    const committed = await node.fetch(`http://rill.test/v1/groups/${internal}/offsets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ offsets: [{ topic, partition: 0, offset: 0 }] }),
    });
    expect(committed.status).toBeLessThan(300);
    const listed = async (...flags: string[]) =>
      (JSON.parse((await rill(["groups", "list", "--json", ...flags])).stdout) as Array<{ groupId: string }>).map((g) => g.groupId);
    expect(await listed()).toContain(group);
    expect(await listed()).not.toContain(internal);
    expect(await listed("--internal")).toEqual(expect.arrayContaining([group, internal]));
    expect((await rill(["groups", "list", "--internal"])).stdout).toMatch(new RegExp(`^${internal} +Empty +0$`, "m"));
  });

  it("resets an empty group's offsets, and refuses while a member is active", { timeout: 30_000 }, async () => {
    const [hw0 = 0, hw1 = 0] = (await describeGroup(group)).partitions.map((p) => p.highWatermark ?? 0);
    const reset = await rill(["groups", "reset-offsets", group, "--topic", topic, "--to-earliest"]);
    expect(reset).toMatchObject({ code: 0, stderr: "" });
    expect(reset.stdout).toMatch(new RegExp(`^GROUP +TOPIC +PARTITION +NEW-OFFSET\n${group} +${topic} +0 +0\n${group} +${topic} +1 +0\n$`));
    const after = await describeGroup(group);
    expect(after.partitions.map((p) => p.committedOffset)).toEqual([0, 0]);
    expect(after.totalLag).toBe(hw0 + hw1);
    expect((await rill(["groups", "describe", group])).stdout).toContain(`total lag ${hw0 + hw1} `);

    // a dry run prints the offsets and changes nothing
    const dry = await rill(["groups", "reset-offsets", group, "-t", topic, "--to-latest", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`^${group} +${topic} +0 +${hw0}\n${group} +${topic} +1 +${hw1}\n$`, "m"));
    expect(dry.stderr).toMatch(/Dry run/);
    expect((await describeGroup(group)).partitions.map((p) => p.committedOffset)).toEqual([0, 0]);

    // one partition, to an offset (clamped into the log) and by time
    expect((await rill(["groups", "reset-offsets", group, "-t", topic, "-p", "1", "--to-offset", "2"])).code).toBe(0);
    expect((await rill(["groups", "reset-offsets", group, "-t", topic, "-p", "0", "--to-offset", "999999"])).code).toBe(0);
    expect((await describeGroup(group)).partitions.map((p) => p.committedOffset)).toEqual([hw0, 2]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await rill(["groups", "reset-offsets", group, "-t", topic, "--to-datetime", future])).code).toBe(0);
    expect((await describeGroup(group)).totalLag).toBe(0);
    expect((await rill(["groups", "reset-offsets", group, "-t", topic, "--to-timestamp", "0"])).code).toBe(0);
    expect((await describeGroup(group)).partitions.map((p) => p.committedOffset)).toEqual([0, 0]);

    // with a member, reset and delete are refused with the broker's code and message
    const controller = new AbortController();
    const member = rill(["consume", topic, "--group", group, "--follow"], { signal: controller.signal });
    await describeUntil(group, (d) => d.members.length === 1, "the member to join");
    const refused = await rill(["groups", "reset-offsets", group, "--topic", topic, "--to-latest"]);
    expect(refused).toMatchObject({ code: 1, stdout: "" });
    expect(refused.stderr).toMatch(/^error: NON_EMPTY_GROUP: group .* has active members/);
    expect(await rill(["groups", "delete", group])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: NON_EMPTY_GROUP: /) });
    expect(await rill(["groups", "reset-offsets", group, "-t", topic, "--to-latest", "--dry-run"])).toMatchObject({ code: 1 });
    // the member reads the whole reset topic; interrupted, it commits and leaves
    await describeUntil(group, noLag, "the member to catch up");
    controller.abort();
    const consumed = await member;
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(jsonLines(consumed.stdout)).toHaveLength(hw0 + hw1);
    expect(await describeGroup(group)).toMatchObject({ state: "Empty", members: [] });
    expect(noLag(await describeGroup(group))).toBe(true);

    // empty again: delete
    expect(await rill(["groups", "delete", group])).toMatchObject({ code: 0, stdout: `Deleted consumer group ${group}.\n` });
    expect(await rill(["groups", "describe", group])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: GROUP_ID_NOT_FOUND: /),
    });
    expect(await rill(["groups", "delete", group])).toMatchObject({ code: 1, stderr: expect.stringMatching(/GROUP_ID_NOT_FOUND/) });
    expect(JSON.parse((await rill(["groups", "list", "--json"])).stdout).map((g: { groupId: string }) => g.groupId)).not.toContain(group);
  });
});

describe("rill groups usage", () => {
  it("answers --help on every new command with exit code 0", async () => {
    for (const argv of [
      ["groups", "--help"],
      ["groups", "list", "--help"],
      ["groups", "describe", "--help"],
      ["groups", "reset-offsets", "-h"],
      ["groups", "delete", "--help"],
      ["help", "groups", "describe"],
    ]) {
      const run = await rill(argv);
      expect(run.code, argv.join(" ")).toBe(0);
      expect(run.stdout, argv.join(" ")).toMatch(/^Usage: rill groups/);
    }
    expect((await rill(["consume", "--help"])).stdout).toMatch(/--group GROUP/);
    expect((await rill(["--help"])).stdout).toMatch(/groups describe <group>/);
  });

  it("exits 2 on usage errors", async () => {
    for (const argv of [
      ["groups"],
      ["groups", "frobnicate"],
      ["groups", "list", "extra"],
      ["groups", "describe"],
      ["groups", "describe", "a", "b"],
      ["groups", "describe", "no/slashes"],
      ["groups", "delete"],
      ["groups", "reset-offsets", "g", "--to-earliest"],
      ["groups", "reset-offsets", "g", "--topic", "t"],
      ["groups", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest"],
      ["groups", "reset-offsets", "g", "--topic", "t", "--to-offset", "-1"],
      ["groups", "reset-offsets", "g", "--topic", "t", "--to-datetime", "yesterday"],
      ["groups", "reset-offsets", "g", "--topic", "t", "--to-earliest", "-p", "x"],
      ["groups", "reset-offsets", "--topic", "t", "--to-earliest"],
      ["consume", "t", "--group", "g", "--partition", "0"],
      ["consume", "t", "--group", "g", "--offset", "1"],
      ["consume", "t", "--group", "bad group"],
      ["consume", "t", "--group"],
    ]) {
      const run = await rill(argv);
      expect(run.code, argv.join(" ")).toBe(2);
      expect(run.stderr + run.stdout, argv.join(" ")).toMatch(/error: |Usage: rill/);
    }
    expect((await rill(["groups", "reset-offsets", "g", "--topic", "t"])).stderr).toMatch(
      /Run 'rill groups reset-offsets --help' for usage/,
    );
  });
});
