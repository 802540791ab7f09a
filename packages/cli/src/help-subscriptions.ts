// `--help` text of `rill subscriptions`.

const common = `Common options:
  -b, --broker URL     broker URL (default: $RILL_BROKER, else http://127.0.0.1:8787)
      --token TOKEN    bearer token for the broker (default: $RILL_TOKEN); creating and changing
                       a subscription takes ALTER on the cluster
  -h, --help           show help`;

const exitCodes = `Exit codes: 0 ok, 1 the broker refused or failed (code and message on stderr), 2 usage error.`;

const settings = `Settings:
  -t, --topic TOPIC            deliver from this topic (repeatable)
      --pattern REGEX          deliver from topics matching REGEX (instead of --topic)
      --webhook URL            POST signed deliveries to URL (https; http only for localhost)
      --service BINDING        call the rill(delivery) method of a Worker the broker has a service
                               binding to (edge broker only)
      --fetch [--path PATH]    with --service: POST deliveries to that Worker's fetch handler instead
      --batch-size N           most records per delivery (1..1000, default 100)
      --max-wait-ms N          how long a batch may wait to fill up (default 0)
      --max-retries N          failures a record may have before it is dead-lettered (default 3)
      --retry-delay-ms N       first retry delay, doubling per failure with jitter (default 1000)
      --max-retry-delay-ms N   longest retry delay (default 60000)
      --dead-letter-topic T    where exhausted records go (an existing topic; default: dropped)
      --max-concurrency N      deliveries in flight at once, one per partition at most (default 4)
      --delivery-timeout-ms N  a delivery not answered by then failed (default 30000)
      --start WHERE            earliest, latest (default) or a time (ms or ISO-8601), for partitions
                               the group has no committed offset for
      --encoding E             utf8 (default) or base64 keys and values
      --json                   print the answer as JSON`;

export const subscriptionHelp: Record<string, string> = {
  subscriptions: `Usage: rill subscriptions <create|list|describe|alter|pause|resume|delete> ...

Push subscriptions: the broker consumes as a member of a consumer group and delivers batches of
each partition, in offset order, to a Worker (service binding) or a webhook, with retries and a
dead-letter topic. A subscription is named <group>/<name>.
Run 'rill subscriptions <subcommand> --help' for its options.

${common}`,
  "subscriptions create": `Usage: rill subscriptions create <group>/<name> (--topic T... | --pattern RE) (--webhook URL | --service B) [options]

Creates a subscription and prints its signing secret (once): webhook receivers check the
rill-signature header with it (@rill/worker's verifySignature or handleRillRequest).

${settings}
      --paused                 create it paused

${common}

${exitCodes}`,
  "subscriptions list": `Usage: rill subscriptions list [--group G] [--json]

Lists subscriptions with their state, target, lag, deliveries in flight and counters.

${common}`,
  "subscriptions describe": `Usage: rill subscriptions describe <group>/<name> [--json]

Shows the settings, counters (delivered, redelivered, acked, retried, dead-lettered, dropped,
unreachable), the last error, and per partition: position, high watermark, lag, the batch in
flight, records retrying or waiting for the dead-letter topic, and when it may deliver again.

${common}

${exitCodes}`,
  "subscriptions alter": `Usage: rill subscriptions alter <group>/<name> [settings] [--rotate-secret] [--no-dead-letter-topic]

Changes settings; they apply from the next batch.

${settings}
      --no-dead-letter-topic   drop exhausted records instead
      --rotate-secret          issue a new signing secret (printed once)

${common}

${exitCodes}`,
  "subscriptions pause": `Usage: rill subscriptions pause <group>/<name>

Stops delivering: the subscription finishes its deliveries in flight and leaves its group.

${common}`,
  "subscriptions resume": `Usage: rill subscriptions resume <group>/<name>

Joins the group again and delivers from the committed offsets.

${common}`,
  "subscriptions delete": `Usage: rill subscriptions delete <group>/<name>...

Deletes subscriptions; their groups' committed offsets stay.

${common}

${exitCodes}`,
};
