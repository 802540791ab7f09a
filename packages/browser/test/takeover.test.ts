// When a follower may take the host lock: only after missed heartbeats, only with a visible page,
// and never twice within the steal interval anywhere (a steal heard of in a beat counts too), so two
// half-frozen tabs cannot bounce the lock between them. Fake timers: the rules are about time.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Election } from "../src/election.ts";
import { createTakeover } from "../src/takeover.ts";

function fakeElection() {
  const election = {
    holding: false,
    steals: 0,
    campaign: () => undefined,
    release: () => undefined,
    verify: async () => true,
    steal: () => undefined,
  };
  election.steal = () => {
    election.steals++;
    election.holding = true;
  };
  return election;
}

describe("takeover", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const setup = (eligible = () => true) => {
    const election = fakeElection();
    const stolen: number[] = [];
    const takeover = createTakeover({
      election: election as unknown as Election,
      heartbeatMs: 2000,
      missedBeats: 3,
      stealIntervalMs: 30_000,
      eligible,
      onSteal: () => stolen.push(Date.now()),
    });
    // the follower checks on every heartbeat, as host-node.ts does
    const advance = (ms: number) => {
      for (let t = 0; t < ms; t += 1000) {
        vi.advanceTimersByTime(1000);
        takeover.check();
      }
    };
    return { election, takeover, stolen, advance };
  };

  it("steals only after three silent heartbeats", () => {
    const { election, takeover, advance } = setup();
    for (let i = 0; i < 10; i++) {
      advance(2000);
      takeover.heard(0); // the host beats
    }
    expect(election.steals).toBe(0);
    advance(6000 + 2000); // three missed beats, plus the random pause (under one beat)
    expect(election.steals).toBe(1);
  });

  it("never steals without a visible page", () => {
    const { election, advance } = setup(() => false);
    advance(60_000);
    expect(election.steals).toBe(0);
  });

  it("steals at most once per interval, counting steals heard from other workers", () => {
    const { election, takeover, advance } = setup();
    // another worker stole 10 s ago and has been silent since: wait until 30 s after that steal
    takeover.heard(Date.now() - 10_000);
    advance(8000);
    expect(election.steals).toBe(0);
    advance(14_000);
    expect(election.steals).toBe(1);
    expect(takeover.lastStealAt).toBeGreaterThan(0);
    // lost again at once (the lock bounced): no second steal until the interval has passed
    election.holding = false;
    const first = takeover.lastStealAt;
    advance(20_000);
    expect(election.steals).toBe(1);
    advance(12_000);
    expect(election.steals).toBe(2);
    expect(takeover.lastStealAt - first).toBeGreaterThanOrEqual(30_000);
  });
});
