// The whole @rill/client API through the browser broker, unchanged: the client, consumer-group and
// messaging suites that run in Node and workerd, here against IndexedDB in a SharedWorker.
import { createBrowserBroker, LOCAL_BROKER_URL } from "@rill/browser";
import { groupSuite } from "../../packages/client/test/group-suite.ts";
import { messagingSuite } from "../../packages/client/test/messaging-suite.ts";
import { type ClientFixture, clientSuite } from "../../packages/client/test/suite.ts";

const broker = await createBrowserBroker({ name: `rill-client-${Math.random().toString(36).slice(2, 8)}` });
const fixture: ClientFixture = { name: "browser broker (SharedWorker, IndexedDB)", brokers: [LOCAL_BROKER_URL], fetch: broker.fetch };
clientSuite(fixture);
groupSuite(fixture);
messagingSuite(fixture);
