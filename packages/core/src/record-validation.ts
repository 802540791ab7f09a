// Broker-side data validation, from topic config: `rill.key.required` refuses keyless records and
// `rill.value.schema` (a JSON Schema) checks every value, parsed as JSON. Enforced in the log on every
// append path (JSON and binary), so no client can skip it; refusals are INVALID_RECORD naming the field.
// @cfworker/json-schema compiles nothing at run time, so it runs in Workers where eval is forbidden.

import { decodeUtf8 } from "./bytes.ts";
import { RillError } from "./errors.ts";
import { jsonSchemaCheck, type ValueCheck } from "./json-schema-check.ts";
import type { LogRecord } from "./record.ts";
import { type BatchHeader, isControlBatch, isTransactionalBatch, splitBatches } from "./record-batch.ts";
import { decodeBatch, verifyBatch } from "./record-batch-decode.ts";
import type { TopicConfig } from "./topic-config.ts";

export { jsonSchemaCheck, type ValueCheck } from "./json-schema-check.ts";

const compiled = new Map<string, ValueCheck>();

/** Compiles (once per schema text) the check for a topic's `rill.value.schema`. */
export function valueSchemaCheck(schemaText: string): ValueCheck {
  let check = compiled.get(schemaText);
  if (!check) {
    check = jsonSchemaCheck(JSON.parse(schemaText) as object);
    if (compiled.size > 256) compiled.clear();
    compiled.set(schemaText, check);
  }
  return check;
}

/** Throws INVALID_RECORD for the first record whose value is not JSON matching the schema. */
export function validateRecordValues(records: readonly LogRecord[], check: ValueCheck, firstIndex = 0): void {
  records.forEach((record, i) => {
    if (record.value === null) return; // a tombstone (delete marker) has no value to check
    let value: unknown;
    try {
      value = JSON.parse(decodeUtf8(record.value));
    } catch {
      throw new RillError("INVALID_RECORD", `record ${firstIndex + i}: value is not JSON, but the topic has a value schema`);
    }
    const problem = check(value);
    if (problem) throw new RillError("INVALID_RECORD", `record ${firstIndex + i}: ${problem}`);
  });
}

/**
 * Splits a producer's concatenated batches and checks each against the topic: size limit, no
 * transactional or control batches, CRC and framing with dense offsets, keys where required, and
 * the value schema. Throws CORRUPT_MESSAGE, MESSAGE_TOO_LARGE or INVALID_RECORD.
 */
export function parseClientBatches(
  bytes: Uint8Array,
  cfg: TopicConfig,
  options: { verified?: boolean } = {},
): Array<{ header: BatchHeader; bytes: Uint8Array }> {
  const parts = splitBatches(bytes);
  const schema = cfg["rill.value.schema"] ? valueSchemaCheck(cfg["rill.value.schema"]) : undefined;
  const requireKeys = cfg["cleanup.policy"] !== "delete" || cfg["rill.key.required"];
  // bytes a caller verified need the record walk again only for what depends on this config
  const walk = !options.verified || requireKeys;
  let index = 0;
  for (const { header, bytes: batch } of parts) {
    if (header.sizeInBytes > cfg["max.message.bytes"]) {
      throw new RillError(
        "MESSAGE_TOO_LARGE",
        `record batch of ${header.sizeInBytes} bytes exceeds max.message.bytes ${cfg["max.message.bytes"]}`,
      );
    }
    if (isTransactionalBatch(header) || isControlBatch(header)) {
      throw new RillError("INVALID_RECORD", "transactional and control batches are not supported");
    }
    if (walk) verifyBatch(batch, { requireDenseOffsets: true, maxDecompressedBytes: cfg["max.message.bytes"] * 64, requireKeys });
    if (schema) validateRecordValues(decodeBatch(batch).records, schema, index);
    index += header.recordCount;
  }
  return parts;
}
