// The example dashboard of a county organization department: how to use
// the grassroots API from a page. Plain JavaScript, no build step:
//   1. sign in with `login`, keep the tokens in this tab, refresh them
//      with `refreshToken` a minute before the access token expires;
//   2. read a scope's figures with one GraphQL query;
//   3. follow `coverageChanged`, `staffingChanged` and `unitChanged` over
//      graphql-transport-ws at /graphql/ws, so the page updates by itself.
"use strict";

const $ = (id) => document.getElementById(id);
const store = window.sessionStorage;
const charts = {};
let path = [];        // the drill-down: [{ id, name }], the scope first
let socket = null;
let refreshTimer = null;

// ---- GraphQL over HTTP, and the session --------------------------------

async function post(body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = "Bearer " + token;
  const res = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify(body) });
  return res.json();
}

const session = () => JSON.parse(store.getItem("grassroots-dashboard") || "null");

function keep(s) {
  if (s) store.setItem("grassroots-dashboard", JSON.stringify(s));
  else store.removeItem("grassroots-dashboard");
  clearTimeout(refreshTimer);
  if (s) refreshTimer = setTimeout(refresh, Math.max(5000, Date.parse(s.expiresAt) - Date.now() - 60000));
}

const PAYLOAD = "accessToken accessExpiresAt refreshToken account { displayName grants { regionWide scope { id name } } }";

function opened(p) {
  return p && { token: p.accessToken, expiresAt: p.accessExpiresAt, refreshToken: p.refreshToken,
                name: p.account.displayName, grants: p.account.grants };
}

async function refresh() {
  const s = session();
  if (!s) return;
  const out = await post({ query: `mutation($t: String!) { refreshToken(token: $t) { ${PAYLOAD} } }`,
                           variables: { t: s.refreshToken } });
  const next = opened(out.data && out.data.refreshToken);
  keep(next);
  if (!next) return signedOut();
  connect(); // the socket signs in with the new token
}

async function gql(query, variables) {
  let out = await post({ query, variables }, session() && session().token);
  const code = out.errors && out.errors[0].extensions && out.errors[0].extensions.code;
  if (code === "UNAUTHENTICATED") {
    await refresh();
    out = await post({ query, variables }, session() && session().token);
  }
  if (out.errors) throw new Error(out.errors.map((e) => e.message).join("; "));
  return out.data;
}

$("signin").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const out = await post({ query: `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { ${PAYLOAD} } }`,
                           variables: { u: $("username").value, p: $("password").value } });
  const s = opened(out.data && out.data.login);
  if (!s) { $("signin-error").textContent = "用户名或密码不正确"; return; }
  $("password").value = "";
  keep(s);
  start();
});

$("logout").addEventListener("click", async () => {
  const s = session();
  if (s) await post({ query: "mutation($t: String!) { logout(refreshToken: $t) }", variables: { t: s.refreshToken } }, s.token);
  keep(null);
  signedOut();
});

function signedOut() {
  if (socket) socket.close();
  $("board").hidden = $("logout").hidden = true;
  $("signin").hidden = false;
  $("who").textContent = "";
}

// ---- The board ---------------------------------------------------------

function start() {
  const s = session();
  $("signin").hidden = true;
  $("board").hidden = $("logout").hidden = false;
  $("who").textContent = s.name;
  // One unit grant: that unit is the scope. Otherwise the whole region.
  const units = s.grants.filter((g) => g.scope);
  path = units.length === 1 && !s.grants.some((g) => g.regionWide)
    ? [{ id: units[0].scope.id, name: units[0].scope.name }]
    : [{ id: null, name: "全县" }];
  show();
}

const here = () => path[path.length - 1].id;
const percent = (r) => (r == null ? "–" : (r * 100).toFixed(1) + "%");

function drawCrumbs() {
  const nav = $("crumbs");
  nav.textContent = "";
  path.forEach((p, i) => {
    const a = document.createElement("a");
    a.textContent = p.name;
    if (i < path.length - 1) a.onclick = () => { path = path.slice(0, i + 1); show(); };
    nav.append(a, i < path.length - 1 ? " › " : "");
  });
}

function fill(list, items, text, onClick) {
  const ul = $(list);
  ul.textContent = "";
  for (const item of items) {
    const li = document.createElement("li");
    const [main, note] = text(item);
    li.textContent = main;
    if (note) { const small = document.createElement("small"); small.textContent = note; li.append(small); }
    if (onClick) li.onclick = () => onClick(item);
    ul.append(li);
  }
  if (!items.length) ul.innerHTML = "<li><small>无</small></li>";
}

const BOARD = `query($u: ID, $inside: Boolean!, $from: Date!) {
  dashboard(under: $u) { secretaries { count alsoVillageDirectorRatio } }
  coverageTrend(under: $u, from: $from, interval: MONTH) { period rate }
  coverageGaps(under: $u, first: 50) { totalCount nodes { name levelLabel ancestors { name } } }
  chainGaps(under: $u, first: 50) { totalCount nodes { name levelLabel } }
  orgUnit(id: $u) @include(if: $inside) { children(first: 100) { nodes { ...Child } } }
  orgUnits(level: TOWNSHIP, first: 100) @skip(if: $inside) { nodes { ...Child } }
}
fragment Child on OrgUnit { id name unitTypeLabel covered }`;

function monthsAgo(n) {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - n);
  return d.toISOString().slice(0, 10);
}

// Everything but the live figures, which `coverageChanged` and
// `staffingChanged` send first as they stand.
async function show() {
  drawCrumbs();
  connect();
  const u = here();
  const data = await gql(BOARD, { u, inside: !!u, from: monthsAgo(23) });
  const sec = data.dashboard.secretaries;
  $("f-secretaries").textContent = sec.count;
  $("f-yijian").textContent = percent(sec.alsoVillageDirectorRatio);
  // The children of the current unit (or the townships of the region).
  const children = (u ? data.orgUnit.children : data.orgUnits).nodes;
  fill("children", children, (n) => [n.name, n.unitTypeLabel + (n.covered === false ? " · 空白" : "")],
       (n) => { path.push({ id: n.id, name: n.name }); show(); });
  fill("gaps", data.coverageGaps.nodes, (n) => [n.name, n.ancestors.map((a) => a.name).join(" › ")]);
  fill("chain-gaps", data.chainGaps.nodes, (n) => [n.name, n.levelLabel]);
  chart("chart-trend", {
    title: { text: "覆盖率趋势（近24个月）", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.coverageTrend.map((p) => p.period) },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ type: "line", smooth: true, data: data.coverageTrend.map((p) => (p.rate == null ? null : +(p.rate * 100).toFixed(1))) }],
  });
}

function chart(id, option) {
  charts[id] = charts[id] || echarts.init($(id));
  charts[id].setOption(option, true);
}

function showCoverage(c) {
  $("f-rate").textContent = percent(c.rate);
  $("f-covered").textContent = `${c.covered} / ${c.total}`;
  $("f-gaps").textContent = c.gaps;
  $("f-chain").textContent = c.chainGaps;
  $("f-teams").textContent = c.volunteerTeams;
  chart("chart-levels", {
    title: { text: "分层级覆盖", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    xAxis: { type: "category", data: c.levels.map((l) => l.levelLabel), axisLabel: { interval: 0 } },
    yAxis: { type: "value" },
    series: [
      { name: "已覆盖", type: "bar", stack: "n", data: c.levels.map((l) => l.covered), itemStyle: { color: "#c62828" } },
      { name: "空白", type: "bar", stack: "n", data: c.levels.map((l) => l.gaps), itemStyle: { color: "#bdbdbd" } },
    ],
  });
  const types = c.levels.flatMap((l) => l.unitTypes).filter((t) => t.total > 0);
  chart("chart-types", {
    title: { text: "按单元类型", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], top: 20,
               data: types.map((t) => ({ name: t.unitTypeLabel, value: t.total })) }],
  });
}

function showStaffing(rules) {
  const table = $("staffing");
  table.textContent = "";
  for (const r of rules) {
    const row = table.insertRow();
    row.insertCell().textContent = r.ruleLabel;
    row.insertCell().textContent = r.count;
  }
}

document.querySelectorAll("[data-report]").forEach((button) => {
  button.onclick = async () => {
    const data = await gql("mutation($r: ReportKind!, $f: ReportFormat!, $u: ID) { reportLink(report: $r, format: $f, under: $u) { url } }",
                           { r: button.dataset.report, f: button.dataset.format, u: here() });
    window.location.href = data.reportLink.url; // a signed link, valid for 60 s
  };
});

// ---- Live updates (graphql-transport-ws) -------------------------------

const LIVE = {
  coverage: "subscription($u: ID) { coverageChanged(under: $u) { total covered gaps rate chainGaps volunteerTeams levels { levelLabel covered gaps unitTypes { unitTypeLabel total } } } }",
  staffing: "subscription($u: ID) { staffingChanged(under: $u) { ruleLabel count } }",
  units: "subscription($u: ID) { unitChanged(under: $u) { kind unitId } }",
};
let reload = null;

function connect() {
  if (socket) { socket.onclose = null; socket.close(); }
  const s = session();
  if (!s) return;
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql/ws",
                           "graphql-transport-ws");
  socket = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init", payload: { Authorization: "Bearer " + s.token } }));
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === "connection_ack") {
      $("live").textContent = "● 实时";
      $("live").className = "on";
      for (const [id, query] of Object.entries(LIVE)) {
        ws.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables: { u: here() } } }));
      }
    } else if (msg.type === "next" && msg.payload.data) {
      const d = msg.payload.data;
      if (msg.id === "coverage") showCoverage(d.coverageChanged);
      if (msg.id === "staffing") showStaffing(d.staffingChanged);
      // Lists follow unit changes, once per burst.
      if (msg.id === "units") { clearTimeout(reload); reload = setTimeout(show, 500); }
    }
  };
  ws.onclose = (ev) => {
    $("live").textContent = "○ 未连接";
    $("live").className = "";
    if (socket !== ws) return;
    // 4401: the token expired; refresh it, then reconnect. Otherwise retry.
    if (ev.code === 4401) refresh();
    else if (ev.code !== 4403) setTimeout(connect, 3000);
    else signedOut();
  };
}

if (session()) start();
