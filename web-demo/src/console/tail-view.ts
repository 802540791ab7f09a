// The live tail: a partition streamed over server-sent events (`live=sse`), newest record on top,
// with records per second over the last minute as a chart.

import { $, field, h } from "../shared/dom.ts";
import { drawLineChart } from "../shared/line-chart.ts";
import type { ConsoleApi, JsonRecord } from "./api.ts";

const WINDOW_MS = 60_000;
const KEPT_RECORDS = 200;

export function createTailView(api: () => ConsoleApi) {
  const form = $<HTMLFormElement>("#tail-form");
  const list = $("#tail");
  const rate = $("#tail-rate");
  const stop = $<HTMLButtonElement>("#tail-stop");
  const canvas = $<HTMLCanvasElement>("#tail-chart");
  let source: EventSource | null = null;
  // one bucket per second: [second start, records seen in it]
  const buckets: Array<{ at: number; value: number }> = [];

  function count(at: number) {
    const second = Math.floor(at / 1000) * 1000;
    const last = buckets[buckets.length - 1];
    if (last && last.at === second) last.value++;
    else buckets.push({ at: second, value: 1 });
  }

  function tick() {
    const now = Date.now();
    const second = Math.floor(now / 1000) * 1000;
    // seconds without records are zeros, so the line drops instead of holding its last value
    if (source && buckets[buckets.length - 1]?.at !== second) buckets.push({ at: second, value: 0 });
    while (buckets.length > 0 && (buckets[0]?.at ?? 0) < now - WINDOW_MS) buckets.shift();
    drawLineChart(canvas, [{ name: "records/s", color: "#3b82f6", points: buckets }], { windowMs: WINDOW_MS, now, unit: "rec/s" });
    if (source) {
      const previous = buckets[buckets.length - 2]?.value ?? 0;
      const max = Math.max(0, ...buckets.map((b) => b.value));
      rate.textContent = `${previous} records/s (max ${max})`;
    }
  }
  setInterval(tick, 1000);

  function close() {
    source?.close();
    source = null;
    stop.disabled = true;
  }

  function show(record: JsonRecord) {
    count(Date.now());
    const text = `${record.key ?? "∅"}  ${record.value ?? "tombstone"}`;
    list.prepend(h("li", { value: record.offset, "data-offset": record.offset }, text)); // the list number is the offset
    while (list.children.length > KEPT_RECORDS) list.lastElementChild?.remove();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    close();
    list.replaceChildren();
    buckets.length = 0;
    const from = field(data, "from") === "earliest" ? "earliest" : "latest";
    source = new EventSource(api().tailUrl(field(data, "topic"), Number(field(data, "partition")), from));
    stop.disabled = false;
    rate.textContent = "waiting for records…";
    source.addEventListener("record", (e) => show(JSON.parse((e as MessageEvent<string>).data) as JsonRecord));
    source.onerror = () => {
      rate.textContent = "tail interrupted; reconnecting…";
    };
  });
  stop.addEventListener("click", () => {
    close();
    rate.textContent = "stopped";
  });

  return {
    /** Pre-fills the topic when one is selected elsewhere and the tail is idle. */
    suggestTopic(topic: string) {
      const input = $<HTMLInputElement>("input[name=topic]", form);
      if (!source && !input.value) input.value = topic;
    },
  };
}
