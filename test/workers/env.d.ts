declare namespace Cloudflare {
  interface Env extends import("../../workers/src/env.ts").Env {
    STORAGE_TEST: DurableObjectNamespace;
  }
}
