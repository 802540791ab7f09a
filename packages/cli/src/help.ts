// `--help` text of every command.

import { securityHelp } from "./help-security.ts";
import { subscriptionHelp } from "./help-subscriptions.ts";

const common = `Common options:
  -b, --broker URL     broker URL (default: $RILL_BROKER, else http://127.0.0.1:8787)
      --token TOKEN    bearer token for the broker (default: $RILL_TOKEN)
  -h, --help           show help`;

const exitCodes = `Exit codes: 0 ok, 1 the broker refused or failed (code and message on stderr), 2 usage error.`;

export const help: Record<string, string> = {
  rill: `rill: a command line for Rill, the Kafka-style event log.

Usage: rill [-b URL] <command> [options]

Commands:
  topics list                    list topics
  topics create <topic>          create a topic
  topics describe <topic>        show partitions, offsets and config
  topics alter <topic>           change config, add partitions
  topics delete <topic>          delete a topic
  produce <topic>                send lines from stdin or a file as records
  consume <topic>                print records (--group G: as a member of consumer group G)
  groups list                    list consumer groups
  groups describe <group>        show members, committed offsets and lag
  groups reset-offsets <group>   move an empty group's committed offsets
  groups delete <group>          delete an empty group and its offsets
  acls add|list|remove           who may do what (ACL bindings)
  quotas set|describe            produce/fetch byte rates per user or client id
  credentials create|list|delete API keys
  subscriptions create|list|describe|alter|pause|resume|delete
                                 push delivery to a Worker or a webhook

Run 'rill <command> --help' for a command's options.

${common}
  -V, --version        print the version

${exitCodes}`,

  topics: `Usage: rill topics <list|create|describe|alter|delete> ...

Run 'rill topics <subcommand> --help' for its options.

${common}`,

  "topics list": `Usage: rill topics list [--json]

Lists topic names, one per line.

      --json           print the list as JSON (with partition counts)

${common}`,

  "topics create": `Usage: rill topics create <topic> [options]

  -p, --partitions N           partition count (default 1)
  -r, --replication-factor N   replicas per partition (default 1)
  -c, --config KEY=VALUE       topic config under Kafka's names (repeatable),
                               e.g. -c retention.ms=86400000 -c cleanup.policy=compact
      --if-not-exists          succeed when the topic already exists

${common}`,

  "topics describe": `Usage: rill topics describe <topic> [--json]

Shows the topic's partitions with their offsets (log start, high watermark) and its config.

      --json           print the description as JSON

${common}`,

  "topics alter": `Usage: rill topics alter <topic> [options]

  -c, --config KEY=VALUE       set a config key (repeatable)
      --delete-config KEY      remove an override, back to the default (repeatable)
  -p, --partitions N           grow the topic to N partitions; keyed records then map to
                               other partitions than before (a warning is printed)

${common}`,

  "topics delete": `Usage: rill topics delete <topic> [--if-exists]

      --if-exists      succeed when the topic does not exist

${common}`,

  produce: `Usage: rill produce <topic> [options]

Sends each line of stdin (or --file) as one record; empty lines are skipped.

  -f, --file PATH              read lines from a file instead of stdin
  -K, --key-separator SEP      split each line at the first SEP into key and value
  -k, --key KEY                the same key for every record
  -H, --header KEY=VALUE       a header on every record (repeatable)
  -p, --partition N            send every record to partition N
      --acks 0|1|all           acknowledgement to wait for (default all)
      --compression TYPE       none, gzip, snappy or lz4 (default none)
      --batch-size BYTES       batch size (default 16384)
      --linger-ms MS           batching delay (default 5)
      --progress               print the rate on stderr (default: when stderr is a terminal)

${common}

${exitCodes} Ctrl-C stops reading, sends what was read, then exits 130.`,

  consume: `Usage: rill consume <topic> [options]

Prints records up to the end of each partition as it was at the start, then exits; with
--follow, keeps waiting for new records until Ctrl-C.

  -p, --partition N            only partition N (repeatable; default all)
      --from-beginning         start at each partition's first record (the default)
      --from-end               start after the last record (useful with --follow)
  -o, --offset N               start at offset N (an offset out of range is an error)
  -t, --timestamp TIME         start at the first record at or after TIME
                               (ms since the epoch, or ISO-8601 like 2024-05-01T12:00:00Z)
  -F, --follow                 keep waiting for new records
  -n, --max-messages N         exit after N records
      --format FORMAT          json (default): one JSON object per line;
                               value: the value only; kv: key, separator, value
  -K, --key-separator SEP      separator of --format kv (default: a tab)
      --progress               print the rate on stderr (default: when stderr is a terminal)
  -g, --group GROUP            consume as a member of consumer group GROUP: the group assigns
                               the partitions (members share them, each record goes to one member)
                               and what is printed is committed; a partition without a committed
                               offset starts at --from-beginning (the default) or --from-end.
                               Without --follow, exits once caught up with its partitions;
                               with --follow, Ctrl-C or SIGTERM commits and leaves the group.
                               Not with --partition, --offset or --timestamp.

${common}

${exitCodes}`,

  groups: `Usage: rill groups <list|describe|reset-offsets|delete> ...

Consumer groups, like Kafka's kafka-consumer-groups. Members join with 'rill consume <topic> --group G'.
Run 'rill groups <subcommand> --help' for its options.

${common}`,

  "groups list": `Usage: rill groups list [--internal] [--json]

Lists consumer groups with their state (Empty, Assigning, Reconciling, Stable) and member count.

      --internal       include the broker's internal groups (ids starting with __: the state of the
                       Durable Streams and Upstash faces), left out by default
      --json           print the list as JSON

${common}`,

  "groups describe": `Usage: rill groups describe <group> [--json]

Shows, per partition, the committed offset (the next offset the group reads), the log end offset
(high watermark), the lag between them and the member that owns it; then each member with its
instance id, client id, epoch and assignment; and the group's state and total lag.

      --json           print the description as JSON

${common}

${exitCodes}`,

  "groups reset-offsets": `Usage: rill groups reset-offsets <group> --topic TOPIC <target> [options]

Moves the committed offsets of a group without members (stop its consumers first; with members
the broker refuses: NON_EMPTY_GROUP, exit 1), then prints the new offsets. Target, exactly one of:

      --to-earliest            each partition's first offset (read everything again)
      --to-latest              each partition's end (skip everything so far)
      --to-datetime ISO        the first record at or after a time, e.g. 2024-05-01T12:00:00Z
      --to-timestamp MS        the same, in ms since the epoch
      --to-offset N            offset N (clamped into each partition's log)

  -t, --topic TOPIC            the topic whose offsets move (required)
  -p, --partition N            only partition N (repeatable; default all)
      --dry-run                print the offsets a reset would set; change nothing

${common}

${exitCodes}`,

  "groups delete": `Usage: rill groups delete <group>...

Deletes groups without members, with their committed offsets (NON_EMPTY_GROUP, exit 1, while a
group has members).

${common}

${exitCodes}`,
  ...securityHelp,
  ...subscriptionHelp,
};
