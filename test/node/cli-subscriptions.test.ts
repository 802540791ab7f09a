// `rill subscriptions`: create one to a webhook on 127.0.0.1 (its secret printed once), watch it
// deliver in list/describe, alter, pause and resume it, rotate its secret, delete it; usage errors
// exit 2 without touching the broker, and the broker's refusals exit 1 with their code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubscriptionDescription } from "../../packages/client/src/index.ts";
import { inProcessCli } from "../harness/cli.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../harness/webhook-receiver.ts";
import { uniqueTopic } from "../helpers/names.ts";
import { until } from "../helpers/wait.ts";

const { node, rill } = inProcessCli();
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await node.close();
  await receiver.close();
});

const describeJson = async (id: string): Promise<SubscriptionDescription> => {
  const run = await rill(["subscriptions", "describe", id, "--json"]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};

describe("rill subscriptions", () => {
  it("creates, lists, describes, alters, pauses, resumes and deletes a webhook subscription", async () => {
    const topic = uniqueTopic("cli-push");
    const dlq = `${topic}.dlq`;
    const group = uniqueTopic("g");
    const id = `${group}/hook`;
    expect((await rill(["topics", "create", topic, "-p", "2"])).code).toBe(0);
    expect((await rill(["topics", "create", dlq])).code).toBe(0);
    const lines = Array.from({ length: 20 }, (_, i) => `k${i}:v${i}\n`).join("");
    expect((await rill(["produce", topic, "-K", ":"], { stdin: lines })).code).toBe(0);

    const created = await rill([
      "subscriptions",
      "create",
      id,
      "--topic",
      topic,
      "--webhook",
      receiver.url,
      "--start",
      "earliest",
      "--batch-size",
      "5",
      "--max-retries",
      "2",
      "--dead-letter-topic",
      dlq,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const secret = /secret[^:]*: (rillwh_\S+)/.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();
    receiver.secrets.set(id, secret as string);

    await until(async () => (await describeJson(id)).status.counters.acked >= 20, "all 20 records acknowledged");
    const text = await rill(["subscriptions", "describe", id]);
    expect(text.stdout).toContain(`Subscription '${id}': active, lag 0`);
    expect(text.stdout).toMatch(/TOPIC\s+PARTITION\s+POSITION\s+HIGH-WATERMARK\s+LAG/);
    expect(text.stdout).toContain(`dead letters → ${dlq}`);

    const listed = await rill(["subscriptions", "list", "--group", group]);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+active\\s+http://127\\.0\\.0\\.1`));

    expect((await rill(["subscriptions", "alter", id, "--batch-size", "2", "--no-dead-letter-topic"])).code).toBe(0);
    const altered = await describeJson(id);
    expect(altered).toMatchObject({ batchSize: 2, deadLetterTopic: null, maxRetries: 2 });

    const rotated = await rill(["subscriptions", "alter", id, "--rotate-secret"]);
    const fresh = /secret[^:]*: (rillwh_\S+)/.exec(rotated.stdout)?.[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(secret);

    expect((await rill(["subscriptions", "pause", id])).stdout).toBe(`Paused subscription ${id}.\n`);
    expect((await describeJson(id)).status.state).toBe("paused");
    expect((await rill(["subscriptions", "resume", id])).code).toBe(0);
    expect((await describeJson(id)).paused).toBe(false);

    expect((await rill(["subscriptions", "delete", id])).stdout).toBe(`Deleted subscription ${id}.\n`);
    const gone = await rill(["subscriptions", "describe", id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("SUBSCRIPTION_NOT_FOUND");
  });

  it("refuses bad command lines with exit 2 and broker refusals with exit 1", async () => {
    const usage = [
      ["subscriptions", "create", "no-slash", "--topic", "t", "--webhook", "http://127.0.0.1:1/"],
      ["subscriptions", "create", "g/n", "--topic", "t"],
      ["subscriptions", "create", "g/n", "--webhook", "http://127.0.0.1:1/"],
      ["subscriptions", "create", "g/n", "--topic", "t", "--webhook", "http://127.0.0.1:1/", "--service", "B"],
      ["subscriptions", "create", "g/n", "--topic", "t", "--webhook", "http://127.0.0.1:1/", "--batch-size", "x"],
      ["subscriptions", "alter", "g/n"],
      ["subscriptions", "frobnicate"],
    ];
    for (const argv of usage) {
      const run = await rill(argv);
      expect([run.code, argv.join(" ")]).toEqual([2, argv.join(" ")]);
      expect(run.stderr).toMatch(/^error: /);
    }
    const topic = uniqueTopic("cli-push");
    expect((await rill(["topics", "create", topic])).code).toBe(0);
    const refused = await rill(["subscriptions", "create", "g/n", "--topic", topic, "--service", "BILLING"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("INVALID_REQUEST");
    const help = await rill(["subscriptions", "create", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--dead-letter-topic");
    expect((await rill(["help"])).stdout).toContain("subscriptions create|list|describe");
  });
});
