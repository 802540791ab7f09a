// `rill quotas set|describe`: Kafka's kafka-configs --entity-type users/clients for quotas.
// Rates are bytes per second; "none" removes one. <default> names the default of an entity kind.

import type { Client, QuotaEntry } from "@rill/client";
import { expectPositionals, parse, str, UsageError, type Values } from "./args.ts";
import { type CliIO, write } from "./io.ts";
import { table } from "./table.ts";

export const quotaSubcommands = ["set", "describe"] as const;

function rate(values: Values, name: string): number | null | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (v === "none") return null;
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new UsageError(`--${name} must be a positive number of bytes per second, or none`);
  return Number(v);
}

function render(entries: QuotaEntry[]): string {
  if (entries.length === 0) return "";
  return table(
    ["USER", "CLIENT-ID", "PRODUCER-BYTE-RATE", "CONSUMER-BYTE-RATE"],
    entries.map((e) => [
      e.entity.user ?? "-",
      e.entity.clientId ?? "-",
      String(e.values.producerByteRate ?? "-"),
      String(e.values.consumerByteRate ?? "-"),
    ]),
  );
}

export async function quotasCommand(sub: string, args: string[], client: () => Client, io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    user: { type: "string" },
    "client-id": { type: "string" },
    "producer-byte-rate": { type: "string" },
    "consumer-byte-rate": { type: "string" },
    json: { type: "boolean" },
  });
  expectPositionals(positionals, []);
  const entity = {
    ...(str(values, "user") !== undefined ? { user: str(values, "user") } : {}),
    ...(str(values, "client-id") !== undefined ? { clientId: str(values, "client-id") } : {}),
  };
  const out = (text: string) => write(io.stdout, text);
  switch (sub) {
    case "set": {
      if (!entity.user && !entity.clientId) throw new UsageError("name the entity: --user, --client-id or both");
      const producerByteRate = rate(values, "producer-byte-rate");
      const consumerByteRate = rate(values, "consumer-byte-rate");
      if (producerByteRate === undefined && consumerByteRate === undefined)
        throw new UsageError("set --producer-byte-rate and/or --consumer-byte-rate (a number, or none)");
      const entry = await client().admin().alterClientQuotas({ entity, values: { producerByteRate, consumerByteRate } });
      await out(values.json ? `${JSON.stringify(entry)}\n` : render([entry]));
      return 0;
    }
    case "describe": {
      const entries = await client().admin().describeClientQuotas(entity);
      await out(values.json ? `${JSON.stringify(entries)}\n` : render(entries));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "quotas ${sub}"`);
  }
}
