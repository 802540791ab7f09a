import type { Env as RillEnv } from "../../workers/src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends RillEnv {
      STORAGE_TEST: DurableObjectNamespace;
    }
  }
}
