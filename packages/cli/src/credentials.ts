// `rill credentials create|list|delete`: API keys. A key is printed once, when it is created; the
// broker keeps only a salted hash. Several keys per principal let a key be rotated without downtime.

import type { Client } from "@rill/client";
import { expectPositionals, parse, str, UsageError } from "./args.ts";
import { type CliIO, write } from "./io.ts";
import { table } from "./table.ts";

export const credentialSubcommands = ["create", "list", "delete"] as const;

const principalArg = (p: string) => (p.startsWith("User:") ? p : `User:${p}`);

export async function credentialsCommand(sub: string, args: string[], client: () => Client, io: CliIO): Promise<number> {
  const out = (text: string) => write(io.stdout, text);
  const admin = () => client().admin();
  switch (sub) {
    case "create": {
      const { values, positionals } = parse(args, { description: { type: "string" }, json: { type: "boolean" } });
      const [principal] = expectPositionals(positionals, ["principal"]);
      const created = await admin().createCredential({
        principal: principalArg(principal as string),
        description: str(values, "description"),
      });
      if (values.json) await out(`${JSON.stringify(created)}\n`);
      else await out(`${created.key}\n`);
      if (!values.json) io.stderr.write(`API key ${created.keyId} for ${created.principal}: shown once, store it now.\n`);
      return 0;
    }
    case "list": {
      const { values, positionals } = parse(args, { principal: { type: "string" }, json: { type: "boolean" } });
      expectPositionals(positionals, []);
      const principal = str(values, "principal");
      const found = await admin().listCredentials(principal ? { principal: principalArg(principal) } : {});
      if (values.json) await out(`${JSON.stringify(found)}\n`);
      else if (found.length > 0)
        await out(
          table(
            ["PRINCIPAL", "KEY-ID", "CREATED", "DESCRIPTION"],
            found.map((c) => [c.principal, c.keyId, new Date(c.createdAt).toISOString(), c.description ?? "-"]),
          ),
        );
      return 0;
    }
    case "delete": {
      const { values, positionals } = parse(args, { "key-id": { type: "string" }, json: { type: "boolean" } });
      const [principal] = expectPositionals(positionals, ["principal"]);
      const deleted = await admin().deleteCredentials({ principal: principalArg(principal as string), keyId: str(values, "key-id") });
      await out(values.json ? `${JSON.stringify(deleted)}\n` : `Deleted ${deleted.length} key(s).\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "credentials ${sub}"`);
  }
}
