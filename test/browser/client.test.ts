// The client suite inside Chromium: the browser's own fetch, over real HTTP (and CORS) to a Node
// server started by client-server.ts.
import { inject } from "vitest";
import { clientSuite } from "../../packages/client/test/suite.ts";
import type {} from "./client-context.ts";

clientSuite({ name: "chromium (fetch over HTTP)", brokers: [inject("rillBrokerUrl")] });
