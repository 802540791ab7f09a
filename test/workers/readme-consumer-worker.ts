// README.md, "Consumers that are Workers": the consumer printed there, verbatim between the markers
// (test/node/readme-worker-consumer.test.ts checks the README still prints this). Bound to the broker
// as BILLING in the workers project, with its LEDGER namespace shared with the tests.
// readme:begin
import { withRill } from "@rill/worker";

export default withRill<{ LEDGER: KVNamespace }>({
  async rill(batch, env) {
    for (const message of batch.messages) {
      const order = message.json<{ amount: number }>();
      if (order.amount < 0) throw new Error(`refund ${message.id} by hand`); // retried, then dead-lettered
      await env.LEDGER.put(message.id, String(order.amount)); // ids stay the same on redelivery
      message.ack();
    }
  },
});
// readme:end
