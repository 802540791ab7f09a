// Fault injection for crash tests, switched on only by RILL_FAULTS=enabled (never in a deployed
// Worker unless someone sets it). A replica can be made unreachable for a while (every call fails
// as if the object could not be reached; survives a crash because it is stored) or slow (its
// replication answers are delayed), and it can be crashed outright with ctx.abort().

import { RillError } from "@rill/core";

export type Fault =
  | { kind: "crash"; durationMs?: number }
  | { kind: "unreachable"; durationMs: number }
  | { kind: "slow"; delayMs: number; durationMs: number };

export interface FaultState {
  unreachableUntil: number;
  slowUntil: number;
  delayMs: number;
}

export const noFaults: FaultState = { unreachableUntil: 0, slowUntil: 0, delayMs: 0 };

export function faultsEnabled(env: { RILL_FAULTS?: string }): boolean {
  return env.RILL_FAULTS === "enabled";
}

export function applyFault(state: FaultState, fault: Fault, now: number): FaultState {
  switch (fault.kind) {
    case "crash":
      return { ...state, unreachableUntil: now + (fault.durationMs ?? 0) };
    case "unreachable":
      return { ...state, unreachableUntil: now + fault.durationMs };
    case "slow":
      return { ...state, slowUntil: now + fault.durationMs, delayMs: fault.delayMs };
  }
}

/** Refuses the call as if the object could not be reached (callers see NETWORK_EXCEPTION, as for a real outage). */
export function gate(state: FaultState, now: number): void {
  if (state.unreachableUntil > now) throw new RillError("NETWORK_EXCEPTION", "injected fault: replica unreachable");
}

export function validateFault(input: unknown): Fault {
  const f = input as Partial<Fault> & { kind?: string };
  const ms = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 600_000;
  if (f?.kind === "crash" && (f.durationMs === undefined || ms(f.durationMs))) return f as Fault;
  if (f?.kind === "unreachable" && ms(f.durationMs)) return f as Fault;
  if (f?.kind === "slow" && ms((f as { delayMs?: number }).delayMs) && ms(f.durationMs)) return f as Fault;
  throw new RillError(
    "INVALID_REQUEST",
    'a fault is {kind: "crash", durationMs?} | {kind: "unreachable", durationMs} | {kind: "slow", delayMs, durationMs}',
  );
}
