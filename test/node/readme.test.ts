// README's curl session, run as printed against the real local broker: every command in the
// "A session with curl" section runs, and each answer shown after it must match (timestamps and
// generated ids aside). A README that drifts from the broker fails here.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";

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

describe("README curl session", () => {
  let broker: LocalBrokerProcess;
  beforeAll(async () => {
    broker = await startLocalBroker();
  }, 60_000);
  afterAll(() => broker?.stop());

  it("works as printed", () => {
    const list = blocks();
    expect(list.filter((b) => b.kind === "sh").length).toBeGreaterThanOrEqual(4);
    let checked = 0;
    list.forEach((block, i) => {
      if (block.kind !== "sh") return;
      const command = block.text.replace(/\\\n\s*/g, "").replaceAll("http://127.0.0.1:8787", broker.url);
      // a long-poll with nobody writing would only wait out its time; the README shows no answer for it
      if (/maxWaitMs|live=/.test(command)) return;
      const output = execFileSync("bash", ["-c", command], { encoding: "utf8" }).trim();
      const shown = list[i + 1];
      if (shown?.kind === "json") {
        expect(normalise(output)).toBe(normalise(shown.text));
        checked++;
      } else expect(output.length).toBeGreaterThan(0);
    });
    expect(checked).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
