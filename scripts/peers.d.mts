/** Paths of the peer servers' binaries (Debian's packages). */
export declare const peerBinaries: { redis: string; nats: string };
/** Installs the missing peers with apt-get; answers which binaries exist afterwards. */
export declare function ensurePeers(log?: (line: string) => void): { redis: boolean; nats: boolean };
