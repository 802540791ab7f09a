// Client quotas, Kafka's model: byte rates for producing and fetching, set per user, per client id,
// or per user + client id, each possibly the `<default>` of its kind. The most specific entry that
// matches a request wins (Kafka's precedence), and everyone matched by one entry shares one meter,
// except that a default stands for each name it matches on its own (every user gets the default).
//
// The meter is a virtual-clock bucket (GCRA): each charge moves the entity's "theoretical arrival
// time" on by bytes / rate; whatever lies more than a burst window ahead of now is throttle time.
// Over any interval T an entity is let through at most rate × (T + burst) bytes plus the request in
// hand, which is what Kafka's windowed rate measures too, with one number of state per entity.

import { RillError } from "./errors.ts";

/** The `<default>` of an entity kind, as Kafka writes it. */
export const DEFAULT_ENTITY = "<default>";

export type QuotaKind = "produce" | "fetch";

export interface QuotaEntity {
  /** A user name (the principal without `User:`), or `<default>`; absent: not part of the entity. */
  user?: string;
  /** A client id, or `<default>`; absent: not part of the entity. */
  clientId?: string;
}

export interface QuotaValues {
  /** Bytes per second a producer may send (Kafka's producer_byte_rate). */
  producerByteRate?: number;
  /** Bytes per second a consumer may fetch (Kafka's consumer_byte_rate). */
  consumerByteRate?: number;
}

export interface QuotaEntry {
  entity: QuotaEntity;
  values: QuotaValues;
}

/** The quota a request falls under: the meter it shares, and its rate. */
export interface ResolvedQuota {
  /** Identifies the meter, e.g. `user=alice` or `user=alice,client=app-1`. */
  key: string;
  bytesPerSecond: number;
}

export const MAX_QUOTA_ENTRIES = 10_000;
const MAX_RATE = 1e12;

function entityName(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > 255 || /[\s,=]/.test(value)) {
    throw new RillError("INVALID_REQUEST", `${what} must be 1 to 255 characters without spaces, commas or "=", or ${DEFAULT_ENTITY}`);
  }
  return value;
}

function rate(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_RATE) {
    throw new RillError(
      "INVALID_REQUEST",
      `${what} must be a positive number of bytes per second (at most ${MAX_RATE}), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Checks an entity; it needs a user, a client id, or both. */
export function validateQuotaEntity(input: { user?: unknown; clientId?: unknown }): QuotaEntity {
  const user = entityName(input.user, "user");
  const clientId = entityName(input.clientId, "clientId");
  if (user === undefined && clientId === undefined)
    throw new RillError("INVALID_REQUEST", "a quota entity needs a user, a clientId or both");
  return { ...(user !== undefined ? { user } : {}), ...(clientId !== undefined ? { clientId } : {}) };
}

/** Checks quota changes: a positive rate sets it, null removes it, a key left out is unchanged. */
export function validateQuotaChanges(input: { producerByteRate?: unknown; consumerByteRate?: unknown }): {
  producerByteRate?: number | null;
  consumerByteRate?: number | null;
} {
  const out: { producerByteRate?: number | null; consumerByteRate?: number | null } = {};
  for (const name of ["producerByteRate", "consumerByteRate"] as const) {
    const value = input[name];
    if (value === null) out[name] = null;
    else if (value !== undefined) out[name] = rate(value, name);
  }
  return out;
}

/** A stable key for an entity, for storage and comparison. */
export function entityKey(entity: QuotaEntity): string {
  return [entity.user !== undefined ? `user=${entity.user}` : "", entity.clientId !== undefined ? `client=${entity.clientId}` : ""]
    .filter(Boolean)
    .join(",");
}

function valueFor(values: QuotaValues, kind: QuotaKind): number | undefined {
  return kind === "produce" ? values.producerByteRate : values.consumerByteRate;
}

/**
 * The quota of a request by `user` with `clientId`, by Kafka's precedence: user+client,
 * user+default client, user, default user+client, default user+default client, default user,
 * client, default client. Null when no entry sets a rate of this kind.
 */
export function resolveQuota(entries: readonly QuotaEntry[], user: string, clientId: string, kind: QuotaKind): ResolvedQuota | null {
  const byKey = new Map(entries.map((e) => [entityKey(e.entity), e]));
  const D = DEFAULT_ENTITY;
  const candidates: Array<[QuotaEntity, QuotaEntity]> = [
    // [the entry to look up, the meter it stands for]
    [
      { user, clientId },
      { user, clientId },
    ],
    [
      { user, clientId: D },
      { user, clientId },
    ],
    [{ user }, { user }],
    [
      { user: D, clientId },
      { user, clientId },
    ],
    [
      { user: D, clientId: D },
      { user, clientId },
    ],
    [{ user: D }, { user }],
    [{ clientId }, { clientId }],
    [{ clientId: D }, { clientId }],
  ];
  for (const [lookup, meter] of candidates) {
    const entry = byKey.get(entityKey(lookup));
    const bytesPerSecond = entry ? valueFor(entry.values, kind) : undefined;
    if (bytesPerSecond !== undefined) return { key: `${kind}:${entityKey(meter)}`, bytesPerSecond };
  }
  return null;
}

export interface QuotaMeterOptions {
  now?: () => number;
  /** How far ahead of its rate an entity may run before it is throttled, in ms (default 1000). */
  burstMs?: number;
  /** Meters kept at most; the idlest go first (default 100 000). */
  maxEntities?: number;
}

export interface QuotaMeter {
  /** How long `key` must still wait before its next request, in ms (0: go ahead). */
  pending(key: string): number;
  /** Counts `bytes` against `key`; answers the throttle time the client must now wait, in ms. */
  charge(key: string, bytes: number, bytesPerSecond: number): number;
}

/** An in-memory meter (per process, or per quota Durable Object at the edge). */
export function createQuotaMeter(options: QuotaMeterOptions = {}): QuotaMeter {
  const now = options.now ?? Date.now;
  const burstMs = options.burstMs ?? 1000;
  const maxEntities = options.maxEntities ?? 100_000;
  /** Theoretical arrival time of each key's next byte, in ms. */
  const tat = new Map<string, number>();

  const throttle = (key: string, t: number) => Math.max(0, Math.ceil((tat.get(key) ?? 0) - t - burstMs));

  return {
    pending: (key) => throttle(key, now()),
    charge(key, bytes, bytesPerSecond) {
      const t = now();
      const next = Math.max(tat.get(key) ?? 0, t) + (Math.max(0, bytes) * 1000) / bytesPerSecond;
      tat.delete(key); // re-inserted last: the map's order is then least recently charged first
      tat.set(key, next);
      if (tat.size > maxEntities) {
        const oldest = tat.keys().next().value;
        if (oldest !== undefined) tat.delete(oldest);
      }
      return throttle(key, t);
    },
  };
}
