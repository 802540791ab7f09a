// Common kafkajs idioms, written as kafkajs users write them, run against @rill/kafkajs with only
// the import (and `brokers`) changed. Runtime-agnostic: the Node file runs them against the
// in-process broker over a socket, the workerd file against the edge broker through SELF.fetch.
import { adminIdioms } from "./kafkajs-idioms/admin.ts";
import { consumerIdioms } from "./kafkajs-idioms/consumer.ts";
import type { Idiom } from "./kafkajs-idioms/context.ts";
import { producerIdioms } from "./kafkajs-idioms/producer.ts";

export type { Idiom, IdiomContext } from "./kafkajs-idioms/context.ts";

export const idioms: Idiom[] = [...producerIdioms, ...consumerIdioms, ...adminIdioms];
