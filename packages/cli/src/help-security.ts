// `--help` text of the security commands (acls, quotas, credentials).

const common = `Common options:
  -b, --broker URL     broker URL (default: $RILL_BROKER, else http://127.0.0.1:8787)
      --token TOKEN    bearer token for the broker (default: $RILL_TOKEN): a super user's, or an
                       API key whose principal may ALTER/DESCRIBE the cluster
  -h, --help           show help`;

const resource = `Resource (one of):
      --topic NAME              a topic (or a prefix with --prefixed; "*" is every topic)
      --group NAME              a consumer group
      --transactional-id NAME   a transactional id
      --cluster                 the cluster (admin operations)
      --prefixed                NAME is a prefix (default: the literal name)`;

export const securityHelp: Record<string, string> = {
  acls: `Usage: rill acls <add|list|remove> ...

ACL bindings, Kafka's model: a deny wins over any allow; with auth on, no allow means no.

${common}`,
  "acls add": `Usage: rill acls add --principal User:NAME --operation OP... <resource> [--deny] [--host ADDR]

Adds a binding per operation. Operations: read, write, create, delete, alter, describe,
alterConfigs, describeConfigs, all. READ, WRITE, DELETE and ALTER imply DESCRIBE.

${resource}
      --principal User:NAME     who (User:* is everyone)
      --operation OP            repeatable
      --deny                    a deny (default: allow)
      --host ADDR               only from this client address (default *)
      --json                    print the added bindings as JSON

${common}`,
  "acls list": `Usage: rill acls list [--principal P] [<resource>] [--operation OP] [--allow|--deny] [--json]

Lists the bindings matching every option given.

${resource}

${common}`,
  "acls remove": `Usage: rill acls remove [--principal P] [<resource>] [--operation OP] [--allow|--deny] [--all]

Removes the bindings matching every option given (--all with no filter removes every binding),
and prints them.

${resource}

${common}`,
  quotas: `Usage: rill quotas <set|describe> ...

Byte-rate quotas per user, per client id, or per user + client id (<default> for either default).

${common}`,
  "quotas set": `Usage: rill quotas set [--user U] [--client-id C] [--producer-byte-rate N|none] [--consumer-byte-rate N|none]

Sets (or with none removes) produce and fetch rates in bytes per second. A client over its rate
is told to wait (throttle time) before its next request.

${common}`,
  "quotas describe": `Usage: rill quotas describe [--user U] [--client-id C] [--json]

${common}`,
  credentials: `Usage: rill credentials <create|list|delete> ...

API keys: the broker stores a salted hash; the key is printed once.

${common}`,
  "credentials create": `Usage: rill credentials create <principal> [--description TEXT] [--json]

Prints a new API key for <principal> (User:NAME) on stdout. Use it as --token or RILL_TOKEN.

${common}`,
  "credentials list": `Usage: rill credentials list [--principal P] [--json]

${common}`,
  "credentials delete": `Usage: rill credentials delete <principal> [--key-id ID] [--json]

Deletes the principal's keys, or only key ID (rotate: create a new key, switch, delete the old).

${common}`,
};
