import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("answers healthz", async () => {
  const r = await SELF.fetch("http://x/healthz");
  expect(await r.json()).toEqual({ status: "ok" });
});
