// The Rill console: topics with their offsets and write rates, consumer groups with their lag, a live
// tail with a throughput chart, and a produce box. Plain ES modules over the broker's own HTTP API
// (same origin), so it needs no build and works against any Rill broker that serves it.

// A broker with RILL_TOKENS set wants a bearer token: the console asks once and keeps it in this
// browser. EventSource cannot send headers, so the tail carries it as ?access_token=.
let token = localStorage.getItem("rill.token") ?? "";
const withToken = (init = {}) => (token ? { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } } : init);

const api = (path, init) =>
  fetch(path, withToken(init)).then(async (res) => {
    const body = await res.json();
    if (res.status === 401) $("#auth").hidden = false;
    if (!res.ok) throw new Error(`${body.error?.code}: ${body.error?.message}`);
    return body;
  });

const $ = (selector) => document.querySelector(selector);
const text = (value) => document.createTextNode(value === null || value === undefined ? "–" : String(value));

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    td.append(cell instanceof Node ? cell : text(cell));
    tr.append(td);
  }
  return tr;
}

/** High watermarks seen at the previous refresh, to show each partition's write rate. */
const previous = new Map();

async function refreshTopics() {
  const { topics } = await api("/v1/topics");
  const details = await Promise.all(topics.map((t) => api(`/v1/topics/${encodeURIComponent(t.name)}`)));
  const now = performance.now();
  const rows = [];
  for (const topic of details) {
    for (const p of topic.partitions) {
      const key = `${topic.name}/${p.partition}`;
      const before = previous.get(key);
      const rate = before ? Math.max(0, ((p.highWatermark - before.hw) * 1000) / (now - before.at)) : null;
      previous.set(key, { hw: p.highWatermark, at: now });
      rows.push(
        row([
          topic.name,
          p.partition,
          p.leader,
          p.isr.join(","),
          p.logStartOffset,
          p.highWatermark,
          `${(p.sizeInBytes / 1024).toFixed(1)} KiB`,
          rate === null ? "…" : rate.toFixed(1),
        ]),
      );
    }
  }
  $("#topics tbody").replaceChildren(...rows);
}

function lagCell(lag, max) {
  const span = document.createElement("span");
  const bar = document.createElement("span");
  bar.className = "bar";
  bar.style.width = `${max > 0 ? Math.round((80 * (lag ?? 0)) / max) : 0}px`;
  span.className = `lag${lag > 1000 ? " high" : ""}`;
  span.append(bar, text(lag));
  return span;
}

async function refreshGroups() {
  const { groups } = await api("/v1/groups");
  const details = await Promise.all(groups.map((g) => api(`/v1/groups/${encodeURIComponent(g.groupId)}`).catch(() => null)));
  const rows = [];
  for (const group of details.filter(Boolean)) {
    const max = Math.max(0, ...group.partitions.map((p) => p.lag ?? 0));
    if (group.partitions.length === 0) rows.push(row([group.groupId, group.state, group.members.length, "", "", "", "", ""]));
    for (const p of group.partitions) {
      rows.push(
        row([
          group.groupId,
          group.state,
          group.members.length,
          p.topic,
          p.partition,
          p.committedOffset,
          lagCell(p.lag, max),
          p.memberId ?? "",
        ]),
      );
    }
  }
  $("#groups tbody").replaceChildren(...rows);
}

async function refresh() {
  try {
    await Promise.all([refreshTopics(), refreshGroups()]);
    $("#status").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    $("#status").textContent = `broker unreachable: ${error.message}`;
  }
}

// live tail over server-sent events, with records per second drawn over the last minute
let source;
const perSecond = [];
function drawChart() {
  const canvas = $("#tail-chart");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const max = Math.max(1, ...perSecond);
  const w = canvas.width / 60;
  ctx.fillStyle = "#3b82f6";
  perSecond.forEach((n, i) => {
    const h = (n / max) * (canvas.height - 4);
    ctx.fillRect(i * w, canvas.height - h, w - 1, h);
  });
  $("#tail-rate").textContent = source ? `${perSecond.at(-1) ?? 0} records/s (max ${max})` : "";
}
setInterval(() => {
  perSecond.push(0);
  if (perSecond.length > 60) perSecond.shift();
  drawChart();
}, 1000);

$("#tail-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  source?.close();
  $("#tail").replaceChildren();
  const url = `/v1/topics/${encodeURIComponent(form.get("topic"))}/partitions/${form.get("partition")}/records?live=sse&offset=${form.get("from")}`;
  source = new EventSource(token ? `${url}&access_token=${encodeURIComponent(token)}` : url);
  source.addEventListener("record", (e) => {
    const record = JSON.parse(e.data);
    if (perSecond.length === 0) perSecond.push(0);
    perSecond[perSecond.length - 1]++;
    const li = document.createElement("li");
    li.value = record.offset;
    li.textContent = `${record.key ?? "∅"}  ${record.value}`; // the list number is the offset
    $("#tail").prepend(li);
    while ($("#tail").children.length > 200) $("#tail").lastChild.remove();
  });
  source.onerror = () => {
    $("#tail-rate").textContent = "tail interrupted; reconnecting…";
  };
});

$("#produce-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const record = { value: form.get("value") };
  if (form.get("key")) record.key = form.get("key");
  try {
    const { offsets } = await api(`/v1/topics/${encodeURIComponent(form.get("topic"))}/records`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ records: [record] }),
    });
    $("#produce-result").textContent = `partition ${offsets[0].partition}, offset ${offsets[0].offset}`;
  } catch (error) {
    $("#produce-result").textContent = error.message;
  }
  refresh();
});

$("#auth").addEventListener("submit", (event) => {
  event.preventDefault();
  token = new FormData(event.target).get("token").trim();
  localStorage.setItem("rill.token", token);
  $("#auth").hidden = true;
  refresh();
});

refresh();
setInterval(refresh, 2000);
