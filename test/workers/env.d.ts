declare namespace Cloudflare {
  interface Env {
    PARTITIONS: DurableObjectNamespace;
    STORAGE_TEST: DurableObjectNamespace;
  }
}
