// Tiny inline-SVG charts for the dashboard: horizontal bars and x/y line charts.
// Each chart is drawn at its container's real pixel width, so 13px text stays 13px on a phone.
"use strict";

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"];
const SVGNS = "http://www.w3.org/2000/svg";

function el(tag, attrs, text) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function tip(node, text) { node.appendChild(el("title", {}, text)); return node; }

function frame(container, height, label) {
  const width = Math.max(container.clientWidth || 320, 260);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label });
  container.replaceChildren(svg);
  return { svg, width };
}

// Horizontal bars, one per [label, value]; the value printed after each bar.
function barChart(container, parts, fmt, label) {
  const rowH = 26, labelW = Math.min(Math.max(...parts.map(([k]) => k.length), 4) * 7.4 + 10, 150);
  const { svg, width } = frame(container, rowH * parts.length + 8, label);
  const valueW = 78, span = Math.max(width - labelW - valueW, 40);
  const vmax = Math.max(...parts.map(([, v]) => v), 1e-12);
  const total = parts.reduce((a, [, v]) => a + v, 0);
  parts.forEach(([k, v], i) => {
    const y = 4 + i * rowH, w = span * v / vmax;
    svg.appendChild(el("text", { x: labelW - 6, y: y + 17, "text-anchor": "end" }, k));
    svg.appendChild(tip(el("rect", { x: labelW, y: y + 4, width: w, height: rowH - 8, fill: PALETTE[i % 9], rx: 2 }),
      `${k}: ${fmt(v)} (${(100 * v / total).toFixed(1)}%)`));
    svg.appendChild(el("text", { x: labelW + w + 5, y: y + 17, class: "small" }, fmt(v)));
  });
  container.dataset.values = JSON.stringify(parts.map(([, v]) => v));
}

function niceTicks(lo, hi, log) {
  if (log) {
    const out = [];
    for (let d = Math.floor(Math.log10(lo)); d <= Math.ceil(Math.log10(hi)); d++) {
      for (const m of [1, 2, 5]) { const t = m * 10 ** d; if (t >= lo * 0.999 && t <= hi * 1.001) out.push(t); }
    }
    return out.length > 6 ? out.filter((t) => Math.log10(t) % 1 === 0) : out;
  }
  const raw = (hi - lo) / 5, mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(t);
  return out;
}

function scale(lo, hi, log, a, b) {
  if (log) { const l0 = Math.log10(lo), l1 = Math.log10(hi); return (v) => a + (b - a) * (Math.log10(v) - l0) / (l1 - l0 || 1); }
  return (v) => a + (b - a) * (v - lo) / (hi - lo || 1);
}

function extent(values, log, zero) {
  let lo = Math.min(...values), hi = Math.max(...values);
  if (log) return [lo / 1.15, hi * 1.15];
  if (zero) lo = Math.min(lo, 0);
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
  return [zero ? lo : lo - pad, hi + pad];
}

function legend(svg, series, width, left) {
  let x = left, y = 12;
  series.forEach((s, i) => {
    const w = 34 + s.name.length * 7.4;
    if (x + w > width && x > left) { x = left; y += 20; }
    const dash = s.dashed ? { "stroke-dasharray": "6 4" } : {};
    svg.appendChild(el("line", { x1: x, x2: x + 20, y1: y, y2: y, stroke: PALETTE[i % 9], "stroke-width": 2.5, ...dash }));
    svg.appendChild(el("text", { x: x + 25, y: y + 4 }, s.name));
    x += w + 8;
  });
  return y + 8;
}

// A text label's box (baseline y, 12 px tall) and whether it overlaps none of ``boxes``.
function box(x, y, w, anchor) {
  const x0 = anchor === "end" ? x - w : x;
  return [x0, y - 11, x0 + w, y + 2];
}
// Whether a label box ``b`` overlaps none of ``boxes``, no drawn line (``lines``: the [x, y] screen
// points of each series, sampled along every segment) and stays inside ``plot``.
function free(b, boxes, lines, plot) {
  const [a0, b0, a1, b1] = b;
  if (a0 < plot[0] || a1 > plot[2] || b0 < plot[1] || b1 > plot[3]) return false;
  const apart = ([c0, d0, c1, d1]) => a1 < c0 || c1 < a0 || b1 < d0 || d1 < b0;
  const hit = (x, y) => x >= a0 - 3 && x <= a1 + 3 && y >= b0 - 3 && y <= b1 + 3;
  const crossed = (pts) => pts.some(([x, y], i) => hit(x, y) || (i > 0 && [0.25, 0.5, 0.75].some((f) =>
    hit(x + (pts[i - 1][0] - x) * f, y + (pts[i - 1][1] - y) * f))));
  return boxes.every(apart) && !lines.some(crossed);
}

// Lines over points: series = [{name, points: [[x, y, label?]], dashed}], one shared y axis;
// opts.labels prints each point's label beside it.
function lineChart(container, opts) {
  const height = opts.height || 260, left = 64, right = 16, bottom = 46;
  const { svg, width } = frame(container, height, opts.label);
  const top = legend(svg, opts.series, width - right, 8) + (opts.ylabel ? 26 : 10);
  if (opts.ylabel) svg.appendChild(el("text", { x: 4, y: top - 10, class: "small" }, opts.ylabel));
  const all = opts.series.flatMap((s) => s.points);
  const [x0, x1] = extent(all.map((p) => p[0]), opts.xlog, false), [y0, y1] = extent(all.map((p) => p[1]), false, opts.yzero !== false);
  const px = scale(x0, x1, opts.xlog, left, width - right), py = scale(y0, y1, false, height - bottom, top);
  for (const t of niceTicks(y0, y1, false)) {
    svg.appendChild(el("line", { x1: left, x2: width - right, y1: py(t), y2: py(t), stroke: "#e4e7eb" }));
    svg.appendChild(el("text", { x: left - 6, y: py(t) + 4, "text-anchor": "end", class: "small" }, opts.yfmt(t)));
  }
  const xt = niceTicks(x0, x1, opts.xlog), every = Math.ceil(xt.length * 56 / (width - left - right));
  xt.forEach((t, i) => {
    if (i % every) return;
    svg.appendChild(el("text", { x: px(t), y: height - bottom + 18, "text-anchor": "middle", class: "small" }, opts.xfmt(t)));
  });
  svg.appendChild(el("text", { x: (left + width - right) / 2, y: height - 8, "text-anchor": "middle" }, opts.xlabel));
  const placed = [];  // boxes of the point labels drawn so far
  const lines = opts.series.map((s) => s.points.map((p) => [px(p[0]), py(p[1])]));
  const plot = [left, top - 4, width - right, height - bottom + 4];
  opts.series.forEach((s, i) => {
    const color = PALETTE[i % 9], dash = s.dashed ? { "stroke-dasharray": "6 4" } : {};
    svg.appendChild(el("polyline", { points: s.points.map((p) => `${px(p[0])},${py(p[1])}`).join(" "), fill: "none",
      stroke: color, "stroke-width": 2.5, ...dash }));
    s.points.forEach((p) => {
      svg.appendChild(tip(el("circle", { cx: px(p[0]), cy: py(p[1]), r: 4.5, fill: color }),
        `${p[3] || p[2] || opts.xfmt(p[0])}: ${s.name} ${opts.yfmt(p[1])}`));
      if (opts.labels && p[2]) {
        // beside the point, above or below, right or left: the first place that overlaps no label
        // already drawn and no line and stays in the plot; else the label is in the tooltip only
        const w = String(p[2]).length * 6.2, x0 = px(p[0]), y0 = py(p[1]);
        const spot = [[7, -8, "start"], [9, 4, "start"], [7, 18, "start"], [-7, -8, "end"], [-9, 4, "end"], [-7, 18, "end"]]
          .map(([dx, dy, anchor]) => ({ x: x0 + dx, y: y0 + dy, anchor }))
          .find((o) => free(box(o.x, o.y, w, o.anchor), placed, lines, plot));
        if (spot) {
          placed.push(box(spot.x, spot.y, w, spot.anchor));
          svg.appendChild(el("text", { x: spot.x, y: spot.y, "text-anchor": spot.anchor, class: "small" }, p[2]));
        }
      }
    });
  });
  container.dataset.values = JSON.stringify(opts.series.map((s) => s.points.map((p) => p[1])));
}

window.charts = { barChart, lineChart };
