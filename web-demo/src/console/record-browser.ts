// The record browser: one partition of the selected topic, read a page at a time from the beginning,
// the newest records, an offset or a time, paging older and newer, with a base64 view for binary data.

import type { TopicDescription } from "@rill/client";
import { $, field, h } from "../shared/dom.ts";
import { formatTimestamp } from "../shared/format.ts";
import { type ConsoleApi, describeError, type Encoding } from "./api.ts";
import { recordRow } from "./record-cells.ts";
import { lastPageStart, previousPageStart, type RecordPage, readPage } from "./record-pages.ts";

interface Shown {
  topic: string;
  partition: number;
  limit: number;
  page: RecordPage;
}

export interface RecordBrowser {
  /** The selected topic changed (or was described again): keep the partition list current. */
  setTopic(topic: TopicDescription | null): void;
}

export function createRecordBrowser(api: () => ConsoleApi): RecordBrowser {
  const form = $<HTMLFormElement>("#browse-form");
  const tbody = $("#records-table tbody");
  const info = $("#browse-info");
  const prev = $<HTMLButtonElement>("#browse-prev");
  const next = $<HTMLButtonElement>("#browse-next");
  const partitionSelect = $<HTMLSelectElement>("select[name=partition]", form);
  let topic: TopicDescription | null = null;
  let shown: Shown | null = null;

  const encoding = (): Encoding => (new FormData(form).get("base64") ? "base64" : "utf8");

  async function show(
    topicName: string,
    partition: number,
    limit: number,
    start: (t: TopicDescription) => Promise<number> | number,
    note = "",
  ) {
    info.textContent = "reading…";
    // one read at a time: paging again before this one lands would page from a stale position
    prev.disabled = true;
    next.disabled = true;
    try {
      const described = await api().describeTopic(topicName);
      const p = described.partitions.find((x) => x.partition === partition);
      if (!p) throw new Error(`${topicName} has no partition ${partition}`);
      const page = await readPage((offset, enc) => api().fetchRecords(topicName, partition, offset, { encoding: enc }), {
        offset: await start(described),
        limit,
        encoding: encoding(),
        logStartOffset: p.logStartOffset,
        highWatermark: p.highWatermark,
      });
      shown = { topic: topicName, partition, limit, page };
      render(note);
    } catch (error) {
      info.textContent = describeError(error);
      if (shown) enablePaging(shown.page);
    }
  }

  function enablePaging(page: RecordPage) {
    prev.disabled = page.start <= page.logStartOffset;
    next.disabled = page.next >= page.highWatermark;
  }

  function render(note: string) {
    if (!shown) return;
    const { page, limit } = shown;
    const base64 = encoding() === "base64";
    tbody.replaceChildren(...page.records.map((r) => recordRow(r, base64)));
    if (page.records.length === 0) tbody.append(h("tr", {}, h("td", { colspan: 5, class: "muted" }, "no records here")));
    const first = page.records[0]?.offset;
    const last = page.records[page.records.length - 1]?.offset;
    const range = first === undefined ? `nothing from offset ${page.start}` : `offsets ${first}–${last}`;
    info.textContent = `${note}${range} of [${page.logStartOffset}, ${page.highWatermark})`;
    enablePaging(page);
    form.dataset.start = String(page.start);
    form.dataset.limit = String(limit);
  }

  function toggleInputs() {
    const from = field(new FormData(form), "from");
    $<HTMLInputElement>("input[name=offset]", form).hidden = from !== "offset";
    $<HTMLInputElement>("input[name=time]", form).hidden = from !== "time";
  }

  form.addEventListener("change", (event) => {
    const target = event.target as HTMLInputElement;
    if (target.name === "from") toggleInputs();
    if (target.name === "base64" && shown) {
      const { topic: name, partition, limit, page } = shown;
      void show(name, partition, limit, () => page.start);
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!topic) {
      info.textContent = "pick a topic first";
      return;
    }
    const data = new FormData(form);
    const partition = Number(field(data, "partition"));
    const limit = Number(field(data, "limit"));
    const from = field(data, "from");
    const name = topic.name;
    const pick = (t: TopicDescription) => t.partitions.find((p) => p.partition === partition);
    if (from === "earliest") void show(name, partition, limit, (t) => pick(t)?.logStartOffset ?? 0);
    else if (from === "latest")
      void show(name, partition, limit, (t) => lastPageStart(pick(t)?.highWatermark ?? 0, limit, pick(t)?.logStartOffset ?? 0));
    else if (from === "offset") void show(name, partition, limit, () => Number(field(data, "offset")));
    else {
      const time = new Date(field(data, "time")).getTime();
      if (Number.isNaN(time)) {
        info.textContent = "pick a time";
        return;
      }
      void show(name, partition, limit, () => api().offsetAt(name, partition, time), `from ${formatTimestamp(time)}: `);
    }
  });

  prev.addEventListener("click", () => {
    if (!shown) return;
    const { topic: name, partition, limit, page } = shown;
    void show(name, partition, limit, () => previousPageStart(page.start, limit, page.logStartOffset));
  });
  next.addEventListener("click", () => {
    if (!shown) return;
    const { topic: name, partition, limit, page } = shown;
    void show(name, partition, limit, () => page.next);
  });

  return {
    setTopic(described) {
      const changed = described?.name !== topic?.name;
      topic = described;
      const count = described?.partitions.length ?? 0;
      if (changed || partitionSelect.options.length !== count) {
        const current = partitionSelect.value;
        partitionSelect.replaceChildren(...Array.from({ length: count }, (_, p) => h("option", { value: p }, p)));
        if (!changed && Number(current) < count) partitionSelect.value = current;
      }
      if (changed) {
        shown = null;
        tbody.replaceChildren();
        info.textContent = "";
        prev.disabled = true;
        next.disabled = true;
      }
    },
  };
}
