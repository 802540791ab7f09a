// Push subscriptions at the edge, in workerd: the shared scenarios (test/harness/push-scenarios.ts)
// with a second Worker as the target through a service binding (its `rill` RPC method, its
// WorkerEntrypoint class, its fetch handler) and with a webhook receiver in Node on 127.0.0.1.
// The subscription object is reset mid-batch with ctx.abort (storage intact) in the crash scenario.
import { runInDurableObject, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { PushTargetHandle } from "../harness/push-api.ts";
import type { ConsumerBehaviour, ConsumerSnapshot } from "../harness/push-consumer.ts";
import { pushSuite } from "../harness/push-scenarios.ts";

const edgeFetch = (request: Request) => SELF.fetch(request);

async function crash(group: string, name: string): Promise<void> {
  const stub = env.SUBSCRIPTIONS.get(env.SUBSCRIPTIONS.idFromName(`${group}/${name}`));
  await runInDurableObject(stub, (_instance, state) => {
    state.abort("crash test: reset mid-batch");
  }).catch(() => undefined);
}

function serviceTarget(target: Record<string, unknown>): PushTargetHandle {
  return {
    target,
    state: async () => (await (await env.PUSH_TARGET.fetch("http://target/state")).json()) as ConsumerSnapshot,
    async configure(behaviour: Partial<ConsumerBehaviour>) {
      await env.PUSH_TARGET.fetch("http://target/configure", { method: "POST", body: JSON.stringify(behaviour) });
    },
    setSecret: async () => undefined,
  };
}

const control = (path: string, body?: unknown) =>
  fetch(`${env.PUSH_WEBHOOK_CONTROL}${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });

const webhook: PushTargetHandle = {
  target: { type: "webhook", url: env.PUSH_WEBHOOK_URL },
  state: async () => (await (await control("/state")).json()) as ConsumerSnapshot,
  async configure(behaviour) {
    await control("/configure", behaviour);
  },
  async setSecret(subscription, secret) {
    await control("/secret", { subscription, secret });
  },
  async down() {
    await control("/down", {});
  },
  async up() {
    await control("/up", {});
  },
};

const report = (line: string) => console.log(line);

pushSuite({
  name: "edge, service binding (rill RPC)",
  fetch: edgeFetch,
  target: serviceTarget({ type: "service", binding: "PUSH_TARGET" }),
  crash,
  report,
});
pushSuite({ name: "edge, webhook", fetch: edgeFetch, target: webhook, crash, report });
pushSuite({
  name: "edge, service binding (WorkerEntrypoint)",
  fetch: edgeFetch,
  target: serviceTarget({ type: "service", binding: "PUSH_ENTRY" }),
  report,
  basicOnly: true,
});
pushSuite({
  name: "edge, service binding (fetch handler)",
  fetch: edgeFetch,
  target: serviceTarget({ type: "service", binding: "PUSH_TARGET", protocol: "fetch", path: "/rill" }),
  report,
  basicOnly: true,
});
