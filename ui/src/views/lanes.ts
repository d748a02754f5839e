// The incident as lanes under the error-rate chart, on the chart's own time
// axis (zoom, pan and brush move both): changes with the suspect marked, the
// top error signatures as spans, users' and the support side's messages,
// alerts and acknowledgements, restarts and the analyst's notes. Drawn on one
// canvas, so thousands of events cost one paint; log-derived text reaches the
// DOM only as the tooltip's textContent. The palette matches the SVG export's
// (crates/report/src/chart/lanes.rs).
import type { Analysis } from "../ipc";
import type { Citation } from "../ipc/bindings/Citation";
import type { LaneKind } from "../ipc/bindings/LaneKind";
import type { LaneMark } from "../ipc/bindings/LaneMark";
import { h, mount } from "../lib/dom";
import { formatInstant, type Zone } from "../lib/time";
import { LANES, type Lane } from "../lib/timeline";
import type { ErrorChart } from "./chart";

/** One lane's height in CSS pixels: its title above a strip of marks. */
export const ROW_H = 26;
const STRIP_Y = 13;
const STRIP_H = 10;
const ORDER_KEY = "faultline.laneOrder";

export type LaneEvent = { t: number; end: number | null; text: string; mark: LaneMark; citation: Citation | null };
export type LaneRow = { group: Lane; kind: LaneKind; title: string; items: LaneEvent[]; omitted: number };

/** Each drawn lane belongs to one of the timeline's lane groups, which hide (and move) together. */
export const GROUP_OF: Record<LaneKind, Lane> = {
  changes: "changes",
  signature: "errors",
  users: "support",
  support: "support",
  alerts: "alerts",
  restarts: "restarts",
  notes: "notes",
};

/** The rows to draw: the analysis' non-empty lanes and the analyst's notes, hidden groups left out, in `order`. */
export function laneRows(a: Analysis, hidden: ReadonlySet<Lane>, order: readonly Lane[]): LaneRow[] {
  const rows: LaneRow[] = a.lanes
    .filter((l) => l.items.length > 0)
    .map((l) => ({
      group: GROUP_OF[l.kind],
      kind: l.kind,
      title: l.omitted > 0 ? `${l.title} (${l.omitted} more not drawn)` : l.title,
      items: l.items.map((i) => ({ t: Date.parse(i.time), end: i.end === null ? null : Date.parse(i.end), text: i.text, mark: i.mark, citation: i.citation })),
      omitted: Number(l.omitted),
    }));
  const notes = a.timeline.filter((e) => e.kind === "note" && e.source === "analyst");
  if (notes.length > 0) {
    rows.push({ group: "notes", kind: "notes", title: "Notes", items: notes.map((e) => ({ t: Date.parse(e.time), end: null, text: e.text, mark: "plain" as LaneMark, citation: e.citation })), omitted: 0 });
  }
  const rank = (g: Lane) => order.indexOf(g);
  return rows
    .filter((r) => !hidden.has(r.group))
    .map((r, i) => ({ r, i }))
    .sort((x, y) => rank(x.r.group) - rank(y.r.group) || x.i - y.i)
    .map((x) => x.r);
}

/** A stored order made whole: unknown names dropped, missing groups appended (localStorage is not trusted to hold a valid one). */
export function normalizeOrder(order: unknown): Lane[] {
  const known = LANES.map((l) => l.lane);
  const given = Array.isArray(order) ? order.filter((x): x is Lane => typeof x === "string" && (known as string[]).includes(x)) : [];
  const out = [...new Set(given)];
  for (const k of known) if (!out.includes(k)) out.push(k);
  return out;
}

/** `order` with `lane` moved one place up (-1) or down (+1). */
export function moveGroup(order: readonly Lane[], lane: Lane, by: -1 | 1): Lane[] {
  const out = normalizeOrder(order);
  const i = out.indexOf(lane);
  const j = i + by;
  if (i < 0 || j < 0 || j >= out.length) return out;
  const [a, b] = [out[i], out[j]];
  if (a === undefined || b === undefined) return out;
  out[i] = b;
  out[j] = a;
  return out;
}

/** The event under (x, y), in the canvas' CSS pixels: a span containing x, else the nearest point within 5 px. */
export function hitTest(rows: readonly LaneRow[], xOf: (t: number) => number, x: number, y: number): { row: LaneRow; item: LaneEvent } | null {
  const row = rows[Math.floor(y / ROW_H)];
  const within = y - Math.floor(y / ROW_H) * ROW_H;
  if (!row || within < STRIP_Y - 3 || within > STRIP_Y + STRIP_H + 3) return null;
  let best: LaneEvent | null = null;
  let bestD = 5;
  for (const it of row.items) {
    const x0 = xOf(it.t);
    const d = it.end === null ? Math.abs(x - x0) : x >= x0 - 2 && x <= Math.max(xOf(it.end), x0 + 2) + 2 ? 0.5 : Infinity;
    if (d < bestD) {
      best = it;
      bestD = d;
    }
  }
  return best ? { row, item: best } : null;
}

export function laneColor(kind: LaneKind, mark: LaneMark): string {
  switch (mark) {
    case "suspect":
      return "#b00020";
    case "fix":
      return "#2e7d32";
    case "failed":
      return "#d97706";
    case "report":
      return "#7b1fa2";
    case "ack":
      return "#1f4e79";
    default:
      break;
  }
  switch (kind) {
    case "signature":
      return "#c0392b";
    case "changes":
      return "#3e6fd8";
    case "alerts":
      return "#d97706";
    case "notes":
      return "#0f766e";
    default:
      return "#52606d";
  }
}

const MARK_WORD: Partial<Record<LaneMark, string>> = { suspect: "suspect", fix: "fix", failed: "failed", report: "reports the symptom", ack: "acknowledged", new: "new" };

export class LaneStrip {
  readonly el: HTMLDivElement;
  /** The "Lanes" menu: show, hide and reorder the lane groups. */
  readonly controls: HTMLDetailsElement;
  private canvas: HTMLCanvasElement;
  private tip: HTMLDivElement;
  private menuList: HTMLDivElement;
  private rows: LaneRow[] = [];
  private zone: Zone = { kind: "utc" };
  private order: Lane[];
  private present: Lane[] = [];
  private hidden: ReadonlySet<Lane> = new Set();
  private analysis: Analysis | null = null;
  private xOf: ((t: number) => number) | null = null;

  constructor(
    private chart: ErrorChart,
    private open: (c: Citation, title: string) => void,
    private toggle: (lane: Lane) => void,
  ) {
    this.canvas = h("canvas", { class: "lanes-canvas", role: "img", "aria-label": "Incident lanes on the chart's time axis: changes, error signatures, messages, alerts, restarts and notes. Hover for an event, click for its raw line; the timeline below lists the milestones" });
    this.tip = h("div", { class: "lane-tip", hidden: true, role: "tooltip" });
    this.el = h("div", { class: "lanes", "data-testid": "lanes" }, this.canvas, this.tip);
    this.menuList = h("div", { class: "lane-menu-list" });
    this.controls = h("details", { class: "lane-menu", "data-testid": "lane-menu" }, h("summary", { class: "btn small", title: "Show, hide and reorder the lanes under the chart" }, "Lanes"), this.menuList);
    let stored: unknown = null;
    try {
      stored = JSON.parse(localStorage.getItem(ORDER_KEY) ?? "null");
    } catch {
      stored = null;
    }
    this.order = normalizeOrder(stored);
    chart.onDrawn = () => this.draw();
    this.canvas.addEventListener("mousemove", (ev) => this.hover(ev));
    this.canvas.addEventListener("mouseleave", () => (this.tip.hidden = true));
    this.canvas.addEventListener("click", (ev) => {
      const hit = this.at(ev);
      if (hit?.item.citation) this.open(hit.item.citation, hit.row.title);
    });
  }

  /** The lanes as drawn, for the PNG export (stacked under the chart). */
  canvasElement(): HTMLCanvasElement {
    return this.canvas;
  }

  /** Shows the lanes of `a` (none: cleared) in `zone`, without the `hidden` groups. */
  update(a: Analysis | null, zone: Zone, hidden: ReadonlySet<Lane>): void {
    this.analysis = a;
    this.zone = zone;
    this.hidden = hidden;
    this.rows = a ? laneRows(a, hidden, this.order) : [];
    const all = a ? laneRows(a, new Set(), this.order) : [];
    this.present = [...new Set(all.map((r) => r.group))];
    this.el.dataset.lanes = this.rows.map((r) => r.kind).join(",");
    this.el.dataset.events = String(this.rows.reduce((n, r) => n + r.items.length, 0));
    this.renderMenu();
    this.draw();
  }

  private renderMenu(): void {
    const label = (g: Lane) => LANES.find((l) => l.lane === g)?.label ?? g;
    mount(
      this.menuList,
      this.present.map((g, i) => {
        const box = h("input", { type: "checkbox", checked: !this.hidden.has(g), "data-lane": g, on: { change: () => this.toggle(g) } });
        const move = (by: -1 | 1) => {
          this.order = moveGroup(this.order, g, by);
          try {
            localStorage.setItem(ORDER_KEY, JSON.stringify(this.order));
          } catch {
            // A full or disabled storage only loses the order at the next start.
          }
          this.update(this.analysis, this.zone, this.hidden);
        };
        return h(
          "div",
          { class: "lane-menu-row" },
          h("label", null, box, " ", label(g)),
          h("button", { type: "button", class: "icon-btn", "aria-label": `Move ${label(g)} up`, disabled: i === 0, "data-testid": `lane-up-${g}`, on: { click: () => move(-1) } }, "↑"),
          h("button", { type: "button", class: "icon-btn", "aria-label": `Move ${label(g)} down`, disabled: i === this.present.length - 1, "data-testid": `lane-down-${g}`, on: { click: () => move(1) } }, "↓"),
        );
      }),
    );
  }

  /** Draws the rows against the chart's plot as it is now; called after every chart redraw. */
  draw(): void {
    const area = this.chart.plotArea();
    if (!area || this.rows.length === 0 || area.to <= area.from) {
      this.canvas.hidden = true;
      this.xOf = null;
      return;
    }
    this.canvas.hidden = false;
    const cssW = Math.max(1, this.el.clientWidth);
    const cssH = this.rows.length * ROW_H;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(cssW * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(cssW * dpr);
      this.canvas.height = Math.round(cssH * dpr);
      this.canvas.style.width = `${cssW}px`;
      this.canvas.style.height = `${cssH}px`;
    }
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    // Named in the browser's performance timeline: `make bench` reports what a draw costs.
    const started = performance.now();
    const host = this.canvas.getBoundingClientRect();
    const left = area.rect.left - host.left;
    const width = area.rect.width;
    const scale = width / (area.to - area.from);
    const xOf = (t: number) => left + (t - area.from) * scale;
    this.xOf = xOf;
    const style = getComputedStyle(this.el);
    const text = style.color || "#52606d";
    const strip = style.getPropertyValue("--lane-strip").trim() || "rgba(128,128,128,0.12)";
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "alphabetic";
    const right = left + width;
    this.rows.forEach((row, r) => {
      const y = r * ROW_H;
      ctx.fillStyle = text;
      ctx.fillText(clipText(ctx, row.title, Math.max(40, width)), left, y + 10);
      ctx.fillStyle = strip;
      ctx.fillRect(left, y + STRIP_Y, width, STRIP_H);
      // Points on one pixel are one mark: a busy channel stays a few hundred rectangles.
      let lastPx = -1;
      let lastMark: LaneMark | null = null;
      for (const it of row.items) {
        const x0 = xOf(it.t);
        if (it.end !== null) {
          const x1 = Math.min(right, xOf(it.end));
          const a = Math.max(left, x0);
          if (x1 < left || a > right) continue;
          ctx.globalAlpha = 0.55;
          ctx.fillStyle = laneColor(row.kind, it.mark);
          ctx.fillRect(a, y + STRIP_Y, Math.max(2, x1 - a), STRIP_H);
          ctx.globalAlpha = 1;
          continue;
        }
        if (x0 < left - 1 || x0 > right + 1) continue;
        const px = Math.round(x0);
        if (px === lastPx && it.mark === lastMark) continue;
        lastPx = px;
        lastMark = it.mark;
        ctx.fillStyle = laneColor(row.kind, it.mark);
        const wide = it.mark === "suspect" ? 4 : 2.5;
        ctx.fillRect(px - wide / 2, y + STRIP_Y - (it.mark === "suspect" ? 2 : 0), wide, STRIP_H + (it.mark === "suspect" ? 4 : 0));
      }
    });
    performance.measure("faultline:lanes-draw", { start: started });
  }

  private at(ev: MouseEvent): { row: LaneRow; item: LaneEvent } | null {
    if (!this.xOf) return null;
    const r = this.canvas.getBoundingClientRect();
    return hitTest(this.rows, this.xOf, ev.clientX - r.left, ev.clientY - r.top);
  }

  private hover(ev: MouseEvent): void {
    const hit = this.at(ev);
    this.canvas.style.cursor = hit?.item.citation ? "pointer" : "";
    if (!hit) {
      this.tip.hidden = true;
      return;
    }
    const word = MARK_WORD[hit.item.mark];
    const when = formatInstant(hit.item.t, this.zone) + (hit.item.end !== null ? ` – ${formatInstant(hit.item.end, this.zone, "clock")}` : "");
    this.tip.textContent = `${when}${word ? ` · ${word}` : ""}\n${hit.item.text}`;
    this.tip.hidden = false;
    const host = this.el.getBoundingClientRect();
    const x = Math.min(ev.clientX - host.left + 12, Math.max(0, host.width - 320));
    this.tip.style.left = `${x}px`;
    this.tip.style.top = `${ev.clientY - host.top + 14}px`;
  }
}

function clipText(ctx: CanvasRenderingContext2D, s: string, max: number): string {
  if (ctx.measureText(s).width <= max) return s;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${s.slice(0, mid)}…`).width <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${s.slice(0, lo)}…`;
}
