// How one record reads in the record browser: long values fold, JSON values are pretty-printed when
// unfolded, null keys and tombstones are marked, base64 is labelled.

import { h } from "../shared/dom.ts";
import { formatTimestamp } from "../shared/format.ts";
import type { JsonRecord } from "./api.ts";

const FOLD_AT = 120;

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function textCell(text: string | null, empty: string): Node {
  if (text === null) return h("span", { class: "muted" }, empty);
  if (text.length <= FOLD_AT && !text.includes("\n")) return document.createTextNode(text);
  return h("details", {}, h("summary", {}, `${text.slice(0, FOLD_AT).replace(/\n/g, " ")}…`), h("pre", {}, pretty(text)));
}

function headersCell(headers: JsonRecord["headers"]): string {
  const pairs = Object.entries(headers).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => `${key}=${v ?? "∅"}`),
  );
  return pairs.join("; ");
}

export function recordRow(record: JsonRecord, base64: boolean): HTMLTableRowElement {
  const encoded = base64 || record.encoding === "base64";
  const badge = encoded ? h("span", { class: "badge", title: "base64 of the bytes" }, "b64") : null;
  return h(
    "tr",
    { "data-offset": record.offset },
    h("td", {}, record.offset),
    h("td", { title: String(record.timestamp) }, formatTimestamp(record.timestamp)),
    h("td", { class: "key" }, textCell(record.key, "∅")),
    h("td", { class: "value" }, badge, textCell(record.value, "tombstone")),
    h("td", { class: "headers" }, headersCell(record.headers)),
  );
}
