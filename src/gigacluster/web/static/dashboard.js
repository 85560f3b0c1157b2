// The dashboard: inputs <-> URL <-> POST /api/plan -> numbers and charts. No libraries, no network but this server.
"use strict";

const MI = 2 ** 20;
const FIELDS = ["scenario", "size_by", "size", "accelerator", "model", "batch_mtok", "daily_active_users",
  "researchers", "failure_profile"];
const $ = (id) => document.getElementById(id);
let SCENARIOS = {};
let PENDING = 0;

// ---- formatting ----------------------------------------------------------------------------------
function num(x, digits) {
  if (x === null || x === undefined || !isFinite(x)) return "—";
  const a = Math.abs(x), d = digits ?? (a >= 100 ? 0 : a >= 10 ? 1 : 2);
  return x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 });
}
function compact(x) {
  const a = Math.abs(x);
  for (const [s, v] of [["T", 1e12], ["B", 1e9], ["M", 1e6], ["k", 1e3]]) if (a >= v) return num(x / v, a / v >= 100 ? 0 : 1) + s;
  return num(x);
}
const usd = (x) => (x === null || x === undefined ? "—" : "$" + (Math.abs(x) >= 1e4 ? compact(x) : num(x, 2)));
const pct = (x) => num(100 * x, 1) + "%";
const human = (k) => k.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
const parts = (obj) => Object.entries(obj).filter(([k, v]) => typeof v === "number" && v > 0 && k !== "total" && !k.endsWith("_total"))
  .map(([k, v]) => [human(k), v]);

// ---- state: form <-> URL <-> request -------------------------------------------------------------
function scenarioDefaults(s) {
  const phase = (s.phases || [])[0] || {};
  return { accelerator: phase.accelerator || s.design.accelerator || "gb200", model: s.training.model,
    batch_mtok: String(s.training.global_batch_tokens / MI), daily_active_users: String(s.serving.daily_active_users),
    researchers: String(s.researchers), failure_profile: s.training.failure_profile || "llama3", size_by: "", size: "" };
}

function fillSelect(select, values, current) {
  const list = values.includes(current) || !current ? values : [current, ...values];
  select.replaceChildren(...list.map((v) => new Option(v, v)));
  if (current) select.value = current;
}

function setForm(state) {
  const s = SCENARIOS[state.scenario];
  const d = scenarioDefaults(s);
  for (const f of FIELDS) if (f !== "scenario") $(f).value = state[f] ?? d[f];
  fillSelect($("model"), window.OPTIONS.models, $("model").value || d.model);
  fillSelect($("accelerator"), window.OPTIONS.accelerators, $("accelerator").value || d.accelerator);
  $("title").textContent = s.name;
  $("description").textContent = s.description;
}

// The overrides: only the inputs that differ from the scenario's own values.
function readState() {
  const state = { scenario: $("scenario").value };
  const d = scenarioDefaults(SCENARIOS[state.scenario]);
  for (const f of FIELDS.slice(1)) if ($(f).value !== "" && $(f).value !== d[f]) state[f] = $(f).value;
  if (!state.size_by || !state.size) { delete state.size_by; delete state.size; }
  return state;
}

function requestOf(state) {
  const body = { scenario: state.scenario };
  if (state.size_by) body[state.size_by] = Number(state.size);
  if (state.accelerator) body.accelerator = state.accelerator;
  if (state.model) body.model = state.model;
  if (state.batch_mtok) body.global_batch_tokens = Number(state.batch_mtok) * MI;
  if (state.daily_active_users) body.daily_active_users = Number(state.daily_active_users);
  if (state.researchers) body.researchers = Number(state.researchers);
  if (state.failure_profile) body.failure_profile = state.failure_profile;
  return body;
}

function stateFromUrl() {
  const q = new URLSearchParams(location.search), state = {};
  for (const f of FIELDS) if (q.get(f)) state[f] = q.get(f);
  if (!SCENARIOS[state.scenario]) state.scenario = "meta-24k" in SCENARIOS ? "meta-24k" : Object.keys(SCENARIOS)[0];
  return state;
}

// ---- rendering -----------------------------------------------------------------------------------
function stats(p) {
  const d = p.design, t = p.training, run = t.run || {}, sv = p.serving, q = p.scheduling.queue;
  return [
    ["accelerators", "Accelerators", num(d.accelerators)], ["it_mw", "IT power", num(d.it_power_mw) + " MW"],
    ["facility_mw", "Facility power", num(d.facility_power_mw) + " MW"], ["capex", "Capex", usd(p.cost.capex_usd)],
    ["gpu_hour", "Cost per GPU-hour", usd(p.cost.usd_per_gpu_hour)], ["mfu", "MFU", pct(t.best.mfu)],
    ["job_gpus", "GPUs in the training job", num(t.gpus)], ["wall_days", "Days to train (wall-clock)", num(run.wall_days)],
    ["ettr", "ETTR", run.ettr === undefined ? "—" : pct(run.ettr)], ["run_cost", "Cost of the run", usd(run.cost_usd?.total_usd)],
    ["serving_gpus", "Serving GPUs at the peak hour", num(sv.fleet_peak_gpus)], ["mtok", "Price per Mtok served", usd(sv.cost.usd_per_mtok)],
    ["researcher_median", "Median GPU-h per researcher-day", num(q.researcher_compute.median)],
    ["utilisation", "Cluster utilisation", pct(q.utilization)],
  ];
}

function render(p) {
  $("stats").replaceChildren(...stats(p).map(([key, label, value]) => {
    const div = document.createElement("div");
    div.className = "stat"; div.dataset.key = key;
    div.innerHTML = `<div class="v"></div><div class="l"></div>`;
    div.firstChild.textContent = value; div.lastChild.textContent = label;
    return div;
  }));
  const d = p.design, t = p.training, sv = p.serving, q = p.scheduling.queue;
  charts.barChart($("chart-power"), parts(d.power_mw), (x) => num(x) + " MW", "Power breakdown, MW");
  charts.barChart($("chart-capex"), parts(d.capex_usd), usd, "Capex breakdown, USD");
  charts.barChart($("chart-step"), parts(t.best.step_breakdown_s), (x) => num(x, 3) + " s", "Step time breakdown, s");
  const gpusLabel = (pt) => `${num(pt.gpus)} GPUs`;
  charts.lineChart($("chart-scaling"), { label: "Days to train against job size", xlog: true, xlabel: "GPUs in the job",
    xfmt: compact, yfmt: num, ylabel: "days to train", series: [
      { name: "wall-clock (failures)", points: p.scaling.map((s) => [s.gpus, s.wall_days, gpusLabel(s)]) },
      { name: "failure-free", dashed: true, points: p.scaling.map((s) => [s.gpus, s.train_days, gpusLabel(s)]) }] });
  charts.lineChart($("chart-frontier"), { label: "Run cost against wall-clock days", xlabel: "wall-clock days to train",
    xlog: true, xfmt: num, yfmt: usd, ylabel: "cost of the run (held GPU-hours + energy)", yzero: false, labels: true,
    series: [{ name: "job sizes (label: GPUs, ETTR)", points: p.scaling.map((s) => [s.wall_days, s.run_cost_usd,
      `${compact(s.gpus)}, ${pct(s.ettr)}`, `${gpusLabel(s)}, ETTR ${pct(s.ettr)}, ${num(s.wall_days)} days`]) }] });
  const curve = sv.plan.interactivity || [];
  if (curve.length) {
    charts.lineChart($("chart-serving"), { label: "Throughput per GPU against tokens/s per user", xlabel: "output tokens/s per user",
      xfmt: num, yfmt: compact, ylabel: "output tokens/s per GPU", series: [
        { name: sv.plan.layout, points: curve.map((c) => [c.tokens_per_s_per_user, c.tokens_per_s_per_gpu, `batch ${c.batch}`]) },
        { name: "under the SLOs", points: [[1000 / sv.plan.tpot_ms.p50, sv.plan.slo_throughput_tokens_per_s_per_gpu, "SLO point"]] }] });
  } else {
    charts.barChart($("chart-serving"), [["no latency bound", sv.plan.max_throughput_tokens_per_s_per_gpu],
      ["under the SLOs", sv.plan.slo_throughput_tokens_per_s_per_gpu]], (x) => compact(x) + " tok/s", "Throughput per GPU");
  }
  const r = q.researcher_compute;
  charts.barChart($("chart-researchers"), [["p10", r.p10], ["median", r.median], ["mean", r.mean], ["p90", r.p90]],
    (x) => num(x) + " GPU-h", "GPU-hours per researcher per day");
  texts(p);
}

function texts(p) {
  const t = p.training, sv = p.serving, s = p.scheduling, lay = t.best.layout;
  $("training-text").textContent = `${t.model} on ${num(t.gpus)} × ${t.accelerator}: ` +
    Object.entries(lay).map(([k, v]) => `${k}=${v}`).join(" ") + `. ${t.job_choice}.`;
  $("serving-text").textContent = `${sv.plan.model} on ${sv.plan.accelerator} (${sv.plan.layout}): ` +
    `${num(sv.fleet_peak_gpus)} GPUs at the peak hour, ${num(sv.fleet_avg_gpus)} on average ` +
    `(${sv.traffic_profile} day, N+${sv.n_plus}; ${pct(sv.share_of_cluster)} of the cluster), ` +
    `TTFT p99 ${num(sv.plan.ttft_ms.p99)} ms, TPOT p99 ${num(sv.plan.tpot_ms.p99)} ms.`;
  $("scheduling-text").textContent = `${num(s.researchers)} researchers under ${s.policy}, ${num(s.queue.jobs)} jobs ` +
    `simulated; mean queue wait ${num(s.queue.queue_wait_h.mean)} h; Gini of compute per researcher ` +
    `${num(s.queue.researcher_compute.gini, 2)}.`;
  const rows = [["Capex", usd(p.cost.capex_usd)], ["Opex per year", usd(p.cost.opex_usd_per_year)],
    ["TCO per year", usd(p.cost.tco_usd_per_year)], ["Cost per installed GPU-hour", usd(p.cost.usd_per_gpu_hour)],
    ["Cost of the training run", usd(p.cost.training_run_usd)], ["Serving fleet per hour", usd(p.cost.serving_usd_per_hour)],
    ["Serving price per Mtok", usd(p.cost.serving_usd_per_mtok)]];
  const table = document.createElement("table");
  for (const [k, v] of rows) { const tr = table.insertRow(); tr.insertCell().outerHTML = "<th></th>"; tr.cells[0].textContent = k; tr.insertCell().textContent = v; }
  $("cost-table").replaceChildren(table);
}

function showError(detail) {
  const items = Array.isArray(detail) ? detail.map((e) => `${(e.loc || []).filter((x) => x !== "body").join(".")}: ${e.msg}`) : [String(detail)];
  $("error").textContent = items.join("; ");
  $("error").hidden = false;
}

async function update(pushUrl) {
  const state = readState(), body = requestOf(state), ticket = ++PENDING;
  const url = "?" + new URLSearchParams(state).toString();
  if (pushUrl) history.replaceState(null, "", url);
  document.querySelector("main").classList.add("loading");
  $("run").disabled = true; $("status").textContent = "planning…"; document.body.dataset.state = "loading";
  try {
    const res = await fetch("/api/plan", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await res.json();
    if (ticket !== PENDING) return;
    if (!res.ok) { showError(data.detail); $("status").textContent = `error ${res.status}`; document.body.dataset.state = "error"; return; }
    $("error").hidden = true;
    window.lastPlan = data; document.body.dataset.request = JSON.stringify(body);
    render(data);
    $("status").textContent = `updated in ${num((data.timings ? Object.values(data.timings).reduce((a, b) => a + b, 0) : 0), 1)} s of compute`;
    document.body.dataset.state = "ready";
  } catch (err) {
    showError(err.message); document.body.dataset.state = "error";
  } finally {
    if (ticket === PENDING) { document.querySelector("main").classList.remove("loading"); $("run").disabled = false; }
  }
}

async function main() {
  const [opts, list] = await Promise.all([fetch("/api/options").then((r) => r.json()), fetch("/api/scenarios").then((r) => r.json())]);
  window.OPTIONS = opts;
  SCENARIOS = Object.fromEntries(list.map((s) => [s.id, s]));
  fillSelect($("scenario"), opts.scenarios);
  fillSelect($("failure_profile"), opts.failure_profiles);
  const state = stateFromUrl();
  $("scenario").value = state.scenario;
  setForm(state);
  $("scenario").addEventListener("change", () => { setForm({ scenario: $("scenario").value }); update(true); });
  $("controls").addEventListener("change", (e) => { if (e.target.id !== "scenario" && e.target.id !== "size_by") update(true); });
  $("controls").addEventListener("submit", (e) => { e.preventDefault(); update(true); });
  let resize;
  window.addEventListener("resize", () => { clearTimeout(resize); resize = setTimeout(() => window.lastPlan && render(window.lastPlan), 150); });
  update(false);
}

main();
