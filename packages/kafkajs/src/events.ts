// Instrumentation events (kafkajs's `instrumentation events`): `on(name, listener)` returns a
// function that removes the listener; each event is { id, type, timestamp, payload }.

export interface InstrumentationEvent<T = unknown> {
  id: number;
  type: string;
  timestamp: number;
  payload: T;
}

export type RemoveInstrumentationEventListener = () => void;

let nextId = 0;

export function createEmitter<N extends string>(prefix: string, names: readonly N[]) {
  const listeners = new Map<string, Set<(event: InstrumentationEvent) => void>>();
  const events = Object.fromEntries(names.map((n) => [n, `${prefix}.${n.toLowerCase()}`])) as Record<N, string>;
  const known = new Set(Object.values(events));
  return {
    events,
    on(type: string, listener: (event: InstrumentationEvent) => void): RemoveInstrumentationEventListener {
      if (!known.has(type)) throw new TypeError(`Event name should be one of ${[...known].join(", ")}`);
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(name: N, payload: unknown = {}): void {
      const type = events[name] as string;
      for (const listener of listeners.get(type) ?? []) {
        try {
          listener({ id: nextId++, type, timestamp: Date.now(), payload });
        } catch {
          // a listener's failure is its own; the client goes on
        }
      }
    },
  };
}

export type Emitter = ReturnType<typeof createEmitter<string>>;

export const PRODUCER_EVENTS = ["CONNECT", "DISCONNECT", "REQUEST", "REQUEST_TIMEOUT", "REQUEST_QUEUE_SIZE"] as const;
export const CONSUMER_EVENTS = [
  "HEARTBEAT",
  "COMMIT_OFFSETS",
  "GROUP_JOIN",
  "FETCH",
  "FETCH_START",
  "START_BATCH_PROCESS",
  "END_BATCH_PROCESS",
  "CONNECT",
  "DISCONNECT",
  "STOP",
  "CRASH",
  "REBALANCING",
  "RECEIVED_UNSUBSCRIBED_TOPICS",
  "REQUEST",
  "REQUEST_TIMEOUT",
  "REQUEST_QUEUE_SIZE",
] as const;
export const ADMIN_EVENTS = ["CONNECT", "DISCONNECT", "REQUEST", "REQUEST_TIMEOUT", "REQUEST_QUEUE_SIZE"] as const;

export type ProducerEvents = Record<(typeof PRODUCER_EVENTS)[number], string>;
export type ConsumerEvents = Record<(typeof CONSUMER_EVENTS)[number], string>;
export type AdminEvents = Record<(typeof ADMIN_EVENTS)[number], string>;
