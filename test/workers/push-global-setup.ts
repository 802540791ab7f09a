// globalSetup of the workers project: a webhook receiver on 127.0.0.1 (Node), which the
// push-subscription tests in workerd reach through the PUSH_WEBHOOK_URL / PUSH_WEBHOOK_CONTROL bindings.
import type { TestProject } from "vitest/node";
import { startWebhookReceiver } from "../harness/webhook-receiver.ts";
import type {} from "./push-context.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const receiver = await startWebhookReceiver();
  project.provide("pushWebhook", { url: receiver.url, controlUrl: receiver.controlUrl });
  return () => receiver.close();
}
