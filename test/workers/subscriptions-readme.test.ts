// The README's edge consumer (test/workers/readme-consumer-worker.ts, printed verbatim in README.md)
// as a subscription target through the service binding BILLING: good orders land in its ledger
// under their record ids, a negative one is retried and dead-lettered, nothing else is lost.
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pushApi } from "../harness/push-api.ts";
import { uniqueTopic } from "../helpers/names.ts";
import { until } from "../helpers/wait.ts";

describe("README: a consumer that is a Worker", () => {
  it("records every order in the ledger and dead-letters the refund", async () => {
    const api = pushApi({ name: "readme", fetch: (r) => SELF.fetch(r), target: { setSecret: async () => undefined } as never });
    const topic = uniqueTopic("payments");
    await api.createTopic(topic, 2);
    await api.createTopic(`${topic}.dlq`, 1);
    const amounts = [12, 7, -3, 30, 5, 99];
    const answer = (await api.ok("POST", `/v1/topics/${topic}/records`, {
      records: amounts.map((amount, i) => ({ key: `customer-${i % 2}`, value: JSON.stringify({ amount }) })),
    })) as { offsets: Array<{ partition: number; offset: number }> };
    const created = (await api.ok("POST", "/v1/subscriptions", {
      group: "billing",
      name: `charges-${topic}`,
      topics: [topic],
      target: { type: "service", binding: "BILLING" },
      startAt: "earliest",
      maxRetries: 2,
      retryDelayMs: 10,
      deadLetterTopic: `${topic}.dlq`,
    })) as { subscription: { status: unknown } };
    expect(created.subscription).toBeDefined();
    const { topicId } = (await api.ok("GET", `/v1/topics/${topic}`)) as { topicId: string };
    const ids = answer.offsets.map((o) => `${topicId}/${o.partition}/${o.offset}`);
    const good = ids.filter((_, i) => (amounts[i] as number) >= 0);
    await until(
      async () => (await Promise.all(good.map((id) => env.LEDGER.get(id)))).every((v) => v !== null),
      "every good order in the ledger",
      {
        timeoutMs: 60_000,
        everyMs: 100,
      },
    );
    const letters = await until(async () => {
      const l = await api.deadLetters(`${topic}.dlq`, 1);
      return l.length === 1 ? l : null;
    }, "the refund dead-lettered");
    expect(JSON.parse(letters[0]?.value ?? "{}")).toEqual({ amount: -3 });
    expect(letters[0]?.headers["rill-dlq-error"]).toContain("by hand");
    for (const [i, id] of ids.entries()) expect(await env.LEDGER.get(id)).toBe((amounts[i] as number) >= 0 ? String(amounts[i]) : null);
    await api.remove("billing", `charges-${topic}`);
  });
});
