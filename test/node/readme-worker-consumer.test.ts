// README's "Consumers that are Workers" prints the consumer that test/workers/subscriptions-readme.test.ts
// runs in workerd (test/workers/readme-consumer-worker.ts): this fails when the two drift apart.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("README: consumers that are Workers", () => {
  it("prints the consumer Worker the workerd test runs, verbatim", () => {
    const worker = read("test/workers/readme-consumer-worker.ts");
    const begin = worker.indexOf("// readme:begin\n");
    const end = worker.indexOf("// readme:end");
    expect(begin).toBeGreaterThan(-1);
    const snippet = worker.slice(begin + "// readme:begin\n".length, end);
    const readme = read("README.md");
    const section = readme.slice(readme.indexOf("## Consumers that are Workers"));
    expect(section).toContain(`\`\`\`ts\n${snippet}\`\`\``);
    // ten lines or so: the handler is the whole consumer
    expect(snippet.trim().split("\n").length).toBeLessThanOrEqual(13);
  });
});
