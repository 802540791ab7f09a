// The fault run: the real local broker (wrangler dev, workerd, SQLite on disk) with fault injection
// on; idempotent producers with acks=all write unique ids to a replicated topic while leaders are
// crashed, followers cut off or slowed, and (optionally) the whole broker process is SIGKILLed and
// restarted. Then everything is read back and judged by check.ts.

import { createClient, type Producer } from "@rill/client";
import { decodeBatches, decodeUtf8 } from "@rill/core";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";
import { sleep, until } from "../helpers/wait.ts";
import { type Acked, check, type ReadRecord, type Verdict } from "./check.ts";

export interface FaultRunOptions {
  producers: number;
  partitions: number;
  /** Leader crashes to inject before the load stops. */
  leaderCrashes: number;
  /** SIGKILL the broker process group this many times mid-load. */
  processKills: number;
  /** The load goes on (after the faults) until this many records were acknowledged (default 0). */
  minAcknowledged?: number;
  log?: (line: string) => void;
}

export interface FaultRunResult {
  verdict: Verdict;
  faults: { leaderCrashes: number; followerOutages: number; slowFollowers: number; processKills: number; elections: number };
  seconds: number;
}

const rand = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo));

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field where used
async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function runFaultCheck(options: FaultRunOptions): Promise<FaultRunResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  let broker: LocalBrokerProcess = await startLocalBroker({ vars: { RILL_FAULTS: "enabled" } });
  const { stateDir } = broker;
  const port = Number(new URL(broker.url).port);
  const url = broker.url;
  const topic = "checked";
  const faults = { leaderCrashes: 0, followerOutages: 0, slowFollowers: 0, processKills: 0, elections: 0 };
  const acked: Acked[] = [];
  let attempted = 0;
  let producing = true;
  try {
    const created = await json(`${url}/v1/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: topic,
        partitions: options.partitions,
        replicationFactor: 3,
        config: { "min.insync.replicas": "2", "replica.lag.time.max.ms": "800" },
      }),
    });
    if (created.status !== 201) throw new Error(`create topic: ${JSON.stringify(created.body)}`);
    const client = createClient({ brokers: [url], requestTimeoutMs: 15_000, logger: { warn: () => undefined } });

    // producers: each sends p<n>-<seq> in order, several sends in flight, keyed over the partitions
    const producers: Producer[] = [];
    const loads = Array.from({ length: options.producers }, async (_, n) => {
      const producer = client.producer({
        acks: "all",
        idempotent: true,
        lingerMs: 2,
        maxInFlight: 5,
        retry: { retries: 200, initialRetryTime: 50, maxRetryTime: 1000 },
      });
      producers.push(producer);
      const inFlight = new Set<Promise<void>>();
      for (let seq = 0; producing; seq++) {
        const id = `p${n}-${seq}`;
        attempted++;
        const send = producer
          .send({ topic, messages: [{ key: `p${n}-k${seq % options.partitions}`, value: id }] })
          .then(([meta]) => {
            if (meta) acked.push({ id, producer: n, seq, partition: meta.partition, offset: meta.offset });
          })
          .catch(() => undefined); // unacknowledged: allowed to be present or absent
        inFlight.add(send);
        send.finally(() => inFlight.delete(send));
        if (inFlight.size >= 8) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    });

    // faults: mostly leader crashes; follower outages and slow followers in between
    const injector = (async () => {
      const kills = new Set(
        Array.from({ length: options.processKills }, (_, i) => Math.floor(((i + 1) * options.leaderCrashes) / (options.processKills + 1))),
      );
      while (faults.leaderCrashes < options.leaderCrashes) {
        await sleep(rand(250, 700));
        const partition = rand(0, options.partitions);
        const roll = Math.random();
        const fault =
          roll < 0.65
            ? { replica: "leader", fault: { kind: "crash", durationMs: rand(300, 1500) } }
            : roll < 0.85
              ? { replica: rand(0, 3), fault: { kind: "unreachable", durationMs: rand(300, 1200) } }
              : { replica: rand(0, 3), fault: { kind: "slow", delayMs: rand(50, 400), durationMs: rand(500, 1500) } };
        const res = await json(`${url}/v1/_faults`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ topic, partition, ...fault }),
        }).catch(() => ({ status: 0, body: null }));
        if (res.status !== 200) continue;
        if (fault.fault.kind === "crash") faults.leaderCrashes++;
        else if (fault.fault.kind === "unreachable") faults.followerOutages++;
        else faults.slowFollowers++;
        log(
          `fault ${faults.leaderCrashes}/${options.leaderCrashes} leader crashes: ${fault.fault.kind} partition ${partition} replica ${res.body.replica} (acked so far ${acked.length})`,
        );
        if (kills.has(faults.leaderCrashes)) {
          kills.delete(faults.leaderCrashes);
          log("SIGKILL of the whole broker process group, mid-load");
          await broker.stop("SIGKILL");
          faults.processKills++;
          await sleep(300);
          broker = await startLocalBroker({ stateDir, port, vars: { RILL_FAULTS: "enabled" } });
        }
      }
    })();

    await injector;
    await sleep(1600); // every injected outage is over
    // a run that acknowledged next to nothing (a slow machine) would prove nothing: write on until it has
    const minAcknowledged = options.minAcknowledged ?? 0;
    await until(() => acked.length >= minAcknowledged, `${minAcknowledged} acknowledged records`, { timeoutMs: 120_000, everyMs: 50 });
    producing = false;
    await Promise.all(loads);
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));

    // read everything back from each partition's leader, once it has caught up with what was acknowledged
    const read: ReadRecord[] = [];
    const described = (await json(`${url}/v1/topics/${topic}`)).body;
    faults.elections = described.partitions.reduce((n: number, p: { leaderEpoch: number }) => n + p.leaderEpoch, 0);
    for (let p = 0; p < options.partitions; p++) {
      const need = Math.max(-1, ...acked.filter((a) => a.partition === p).map((a) => a.offset)) + 1;
      let offset = 0;
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${url}/v1/topics/${topic}/partitions/${p}/records?offset=${offset}&maxBytes=1000000&maxWaitMs=2000`, {
          headers: { accept: "application/vnd.rill.batches" },
        });
        if (res.status !== 200) {
          if (attempt > 60) throw new Error(`reading partition ${p}: ${res.status} ${await res.text()}`);
          await sleep(500);
          continue;
        }
        const records = decodeBatches([new Uint8Array(await res.arrayBuffer())]).filter((r) => r.offset >= offset);
        for (const r of records) read.push({ id: decodeUtf8(r.value as Uint8Array), partition: p, offset: r.offset });
        offset = Number(res.headers.get("rill-next-offset"));
        const hw = Number(res.headers.get("rill-high-watermark"));
        if (offset >= hw && hw >= need) break;
        if (attempt > 200) throw new Error(`partition ${p} never reached offset ${need} (high watermark ${hw})`);
      }
    }
    return { verdict: check(attempted, acked, read), faults, seconds: (Date.now() - started) / 1000 };
  } finally {
    producing = false;
    await broker.stop("SIGKILL");
  }
}
