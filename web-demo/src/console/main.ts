// The Rill console: topics with offsets and write rates, the selected topic's partitions and a record
// browser, consumer groups with lag (and lag over time), a live tail and a produce box. Everything goes
// through the broker's public HTTP API (the page's own origin, or ?broker=<url>), so it works
// against any Rill broker.

import "../shared/page.css";
import "./console.css";
import { type GroupDescription, isRillError, type SubscriptionDescription, type TopicDescription } from "@rill/client";
import { $ } from "../shared/dom.ts";
import { type ConsoleApi, createConsoleApi, describeError, needsToken } from "./api.ts";
import { renderGroups } from "./groups-view.ts";
import { createLagChart } from "./lag-chart.ts";
import { renderPartitions } from "./partitions-view.ts";
import { createProduceView } from "./produce-view.ts";
import { createRateMeter } from "./rates.ts";
import { createRecordBrowser } from "./record-browser.ts";
import { renderSubscriptions } from "./subscriptions-view.ts";
import { createTailView } from "./tail-view.ts";
import { renderTopics } from "./topics-view.ts";

const REFRESH_MS = 2000;
const TOKEN_KEY = "rill.token";

// The broker that served the page, or the one `?broker=<url>` names (brokers answer CORS requests).
const broker = new URLSearchParams(location.search).get("broker")?.replace(/\/+$/, "") ?? location.origin;
// A broker with RILL_TOKENS set wants a bearer token: the console asks once and keeps it in this browser.
let api: ConsoleApi = createConsoleApi({ broker, token: localStorage.getItem(TOKEN_KEY) ?? "" });
const currentApi = () => api;

const rates = createRateMeter();
const lagChart = createLagChart();
const browser = createRecordBrowser(currentApi);
const tail = createTailView(currentApi);
const produce = createProduceView(currentApi, () => void refresh());

const selectedFromHash = () => {
  const match = /topic=([^&]+)/.exec(location.hash);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
};
let selected: string | null = selectedFromHash();

function select(topic: string) {
  selected = topic;
  tail.suggestTopic(topic);
  produce.suggestTopic(topic);
  void refresh();
}
window.addEventListener("hashchange", () => {
  const topic = selectedFromHash();
  if (topic && topic !== selected) select(topic);
});

function showTopics(topics: TopicDescription[], now: number) {
  const partitionRates = new Map<string, number | null>();
  for (const t of topics)
    for (const p of t.partitions)
      partitionRates.set(`${t.name}/${p.partition}`, rates.sample(`${t.name}/${p.partition}`, p.highWatermark, now));
  const rows = topics.map((topic) => {
    const known = topic.partitions.map((p) => partitionRates.get(`${topic.name}/${p.partition}`) ?? null);
    return { topic, rate: known.some((r) => r === null) ? null : known.reduce<number>((sum, r) => sum + (r ?? 0), 0) };
  });
  renderTopics($("#topics-table tbody"), rows, selected, select);
  const chosen = topics.find((t) => t.name === selected) ?? null;
  $("#topic-name").textContent = chosen ? chosen.name : "— pick one above";
  renderPartitions($("#partitions-table tbody"), $("#topic-config"), chosen, (p) => partitionRates.get(`${selected}/${p}`) ?? null);
  browser.setTopic(chosen);
}

async function describeGroups(): Promise<GroupDescription[]> {
  const groups = await api.listGroups();
  // a group deleted between the list and its description just drops out of this refresh
  const described = await Promise.all(groups.map((g) => api.describeGroup(g.groupId).catch(() => null)));
  return described.filter((g): g is GroupDescription => g !== null);
}

/** Push subscriptions, or why there are none to show (a broker that runs none answers INVALID_REQUEST). */
async function listSubscriptions(): Promise<SubscriptionDescription[] | string> {
  try {
    return await api.listSubscriptions();
  } catch (error) {
    if (isRillError(error) && (error.code === "INVALID_REQUEST" || error.code.endsWith("AUTHORIZATION_FAILED"))) return error.message;
    throw error;
  }
}

function toggleSubscription(s: SubscriptionDescription) {
  api
    .setSubscriptionPaused(s.group, s.name, !s.paused)
    .then(() => refresh())
    .catch((error) => {
      $("#status").textContent = `could not ${s.paused ? "resume" : "pause"} ${s.group}/${s.name}: ${describeError(error)}`;
    });
}

let refreshing: Promise<void> | null = null;
async function refreshOnce() {
  try {
    const names = await api.listTopics();
    const [topics, groups, subscriptions] = await Promise.all([
      Promise.all(names.map((name) => api.describeTopic(name))),
      describeGroups(),
      listSubscriptions(),
    ]);
    const now = Date.now();
    showTopics(topics, now);
    renderGroups($("#groups-table tbody"), groups);
    renderSubscriptions($("#subscriptions-table tbody"), subscriptions, toggleSubscription);
    lagChart.sample(groups, now);
    $("#status").textContent = `updated ${new Date(now).toLocaleTimeString()}`;
  } catch (error) {
    if (needsToken(error)) $<HTMLFormElement>("#auth").hidden = false;
    $("#status").textContent = `broker unreachable: ${describeError(error)}`;
  }
}
/** One refresh at a time: a slow broker delays the next instead of piling requests up. */
function refresh(): Promise<void> {
  refreshing ??= refreshOnce().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

$<HTMLFormElement>("#auth").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = String(new FormData(event.target as HTMLFormElement).get("token") ?? "").trim();
  localStorage.setItem(TOKEN_KEY, token);
  api = createConsoleApi({ broker, token });
  $<HTMLFormElement>("#auth").hidden = true;
  void refresh();
});

if (selected) select(selected);
else void refresh();
setInterval(() => void refresh(), REFRESH_MS);
