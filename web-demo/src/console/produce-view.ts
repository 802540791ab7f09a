// The produce box: one record with an optional key, headers (a=1, b=2) and partition, sent as JSON
// with acks=all; answers where it landed.

import { $, field } from "../shared/dom.ts";
import { type ConsoleApi, describeError, type ProduceRecord } from "./api.ts";

/** "a=1, b=2" → { a: "1", b: "2" }; a pair without "=" is an error. */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`header "${pair}" is not name=value`);
    headers[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return headers;
}

export function createProduceView(api: () => ConsoleApi, afterSend: () => void) {
  const form = $<HTMLFormElement>("#produce-form");
  const result = $("#produce-result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const record: ProduceRecord = { value: field(data, "value") };
      if (field(data, "key")) record.key = field(data, "key");
      if (field(data, "headers")) record.headers = parseHeaders(field(data, "headers"));
      if (field(data, "partition")) record.partition = Number(field(data, "partition"));
      const [landed] = await api().produce(field(data, "topic"), [record]);
      result.textContent = landed ? `partition ${landed.partition}, offset ${landed.offset}` : "sent";
    } catch (error) {
      result.textContent = describeError(error);
    }
    afterSend();
  });
  return {
    suggestTopic(topic: string) {
      const input = $<HTMLInputElement>("input[name=topic]", form);
      if (!input.value) input.value = topic;
    },
  };
}
