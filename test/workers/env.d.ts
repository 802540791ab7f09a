import type { Env as RillEnv } from "../../workers/src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends RillEnv {
      STORAGE_TEST: DurableObjectNamespace;
      /** The push-subscription target Worker (test/workers/push-target-worker.ts): default export and PushEntry. */
      PUSH_TARGET: Fetcher;
      PUSH_ENTRY: Fetcher;
      /** The webhook receiver in Node (test/workers/push-global-setup.ts). */
      PUSH_WEBHOOK_URL: string;
      PUSH_WEBHOOK_CONTROL: string;
      /** The README's consumer Worker (test/workers/readme-consumer-worker.ts) and its ledger. */
      BILLING: Fetcher;
      LEDGER: KVNamespace;
    }
  }
}
