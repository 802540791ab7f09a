// Under `wrangler dev`, requests to the advertised port pass through wrangler's dev proxy (a
// second workerd running a proxy Durable Object) before they reach the runtime that runs the
// Worker. A soak that wants the broker's own behaviour can talk to the runtime's entry socket
// directly: found here from the process's listening sockets, and confirmed by asking /healthz.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Listening TCP ports (IPv4) of a process, from its socket inodes and /proc/net/tcp. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // local_address is HEX_IP:HEX_PORT, st 0A is LISTEN, inode is the 10th field
    if (fields[3] === "0A" && inodes.has(fields[9] ?? "")) ports.push(Number.parseInt((fields[1] ?? "").split(":")[1] ?? "", 16));
  }
  return ports;
}

/** The pid of the workerd process in `pgid` that runs the user Worker (the one with an inspector). */
export function runtimePid(pgid: number): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== pgid) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (args[0]?.endsWith("workerd") && args.some((a) => a.startsWith("--inspector-addr"))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The URL of the runtime's entry socket, which answers `/healthz` as the broker does. */
export async function runtimeEntryUrl(pgid: number, healthPath = "/healthz"): Promise<string> {
  const pid = runtimePid(pgid);
  if (pid === undefined) throw new Error(`no workerd runtime in process group ${pgid}`);
  for (const port of listeningPorts(pid)) {
    const url = `http://127.0.0.1:${port}`;
    try {
      const res = await fetch(`${url}${healthPath}`, { signal: AbortSignal.timeout(2_000) });
      const type = res.headers.get("content-type") ?? "";
      await res.body?.cancel();
      if (res.ok && type.includes("application/json")) return url;
    } catch {
      // the inspector or the debug port: not HTTP, or not this
    }
  }
  throw new Error(`the workerd runtime (pid ${pid}) has no socket that answers ${healthPath}`);
}
