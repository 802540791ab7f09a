// @rill/node: the in-process broker as a runtime of its own, as workers/ is for the edge. One place
// composes storage, the local broker and the HTTP app, and (optionally) serves it on a socket.
export { createNodeBroker, type NodeBroker, type NodeBrokerOptions } from "./node-broker.ts";
export {
  type ListenOptions,
  type ServedNodeBroker,
  type StartNodeBrokerOptions,
  serveNodeBroker,
  startNodeBroker,
} from "./serve.ts";
