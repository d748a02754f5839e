// The error-rate chart: total vs errors per bucket (uPlot), the incident
// window as a band, changes as vertical markers with the suspect in red.
// Marker labels are drawn on the canvas, so log-derived text never becomes DOM.
import "../lib/locale-guard"; // must run before uPlot loads
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Analysis } from "../ipc";
import type { ErrorSeries } from "../ipc/bindings/ErrorSeries";
import { chartData } from "../lib/series";
import { formatInstant, shiftedForLocalGetters, type Zone } from "../lib/time";
import { formatCount } from "../lib/format";
import { h } from "../lib/dom";
import { clampRange, fullRange, panRange, zoomRange, type Range } from "../lib/store";
import { CHART_COLORS } from "../lib/theme";

// Read from the theme (styles.css `--chart-*`), updated in place when it changes; the app rebuilds the plot then.
const COLORS = CHART_COLORS;

type Marker = { x: number; label: string; suspect: boolean };

export class ErrorChart {
  readonly el: HTMLDivElement;
  private plot: uPlot | null = null;
  private resize: ResizeObserver;
  private band: { from: number; to: number | null } | null = null;
  /** What is new's baseline window (seconds), drawn as a grey band. */
  private baseline: { from: number; to: number } | null = null;
  /** Set while the next brush chooses a range for someone else (the baseline) instead of zooming. */
  private picking: ((r: Range) => void) | null = null;
  private markers: Marker[] = [];
  private picked: number | null = null;
  private justSelected = false;
  private bounds: Range | null = null;
  private range: Range | null = null;
  /** The series of a `render({ defer: true })` not drawn yet. */
  private pending: uPlot.AlignedData | null = null;
  /** The bucket width of the preview on show; null when the plot is an analysis. */
  private previewStep: number | null = null;

  /**
   * `onRange` is told the range the analyst zoomed or panned to (null: all);
   * the chart shows it once the app passes it back through `setRange`, so
   * the chart, the timeline and search share one visible range.
   */
  constructor(private onPick: (iso: string) => void, private onRange: (r: Range | null) => void = () => {}) {
    this.el = h("div", { class: "chart-host", tabindex: "0", "aria-label": "Error-rate chart: drag to zoom, wheel to zoom, arrows to pan, 0 to reset", "data-testid": "chart" });
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(this.el);
    this.el.addEventListener("keydown", (ev) => this.onKey(ev));
    // A pick is for the drag that follows it: leaving the chart gives it up, so a
    // zoom minutes later cannot silently become a baseline.
    this.el.addEventListener("focusout", (ev) => {
      if (!(ev.relatedTarget instanceof Node && this.el.contains(ev.relatedTarget))) this.cancelPick();
    });
  }

  /** Told after every redraw (zoom, pan, resize, new data): the lanes follow the plot. */
  onDrawn: () => void = () => {};

  /** The plot area on screen and the instants (ms) at its edges; null before a plot exists. */
  plotArea(): { rect: DOMRect; from: number; to: number } | null {
    const u = this.plot;
    const min = u?.scales.x?.min;
    const max = u?.scales.x?.max;
    if (!u || min == null || max == null) return null;
    return { rect: u.over.getBoundingClientRect(), from: min * 1000, to: max * 1000 };
  }

  private current(): Range | null {
    return this.range ?? this.bounds;
  }

  private onKey(ev: KeyboardEvent): void {
    if (this.picking && ev.key === "Escape") {
      ev.preventDefault();
      this.cancelPick();
      return;
    }
    const r = this.current();
    if (!r || !this.bounds) return;
    const mid = (r.from + r.to) / 2;
    let next: Range | null | undefined;
    if (ev.key === "+" || ev.key === "=") next = zoomRange(r, 0.5, mid, this.bounds);
    else if (ev.key === "-" || ev.key === "_") next = zoomRange(r, 2, mid, this.bounds);
    else if (ev.key === "ArrowLeft") next = panRange(r, -0.25, this.bounds);
    else if (ev.key === "ArrowRight") next = panRange(r, 0.25, this.bounds);
    else if (ev.key === "0" || ev.key === "Escape") next = null;
    if (next === undefined) return;
    ev.preventDefault();
    this.onRange(next && isFull(next, this.bounds) ? null : next);
  }

  /** The next drag on the chart is handed to `done` (ms) instead of zooming; Esc on the chart or `cancelPick` gives up. */
  pickRange(done: (r: Range) => void): void {
    this.picking = done;
    this.el.dataset.picking = "true";
    this.el.focus();
  }

  cancelPick(): void {
    this.picking = null;
    delete this.el.dataset.picking;
  }

  /** A drag on the chart is waiting to choose a range (see `pickRange`). */
  isPicking(): boolean {
    return this.picking !== null;
  }

  /** Shows `r` (null: everything). */
  setRange(r: Range | null): void {
    this.range = r && this.bounds ? clampRange(r, this.bounds) : null;
    const u = this.plot;
    if (!u) return;
    const show = this.current();
    if (show) u.setScale("x", { min: show.from / 1000, max: show.to / 1000 });
  }

  /** The chart as drawn (PNG bytes), for export, with `below` (the lanes) under it when given. */
  toPng(below: HTMLCanvasElement | null = null): number[] | null {
    const plot = this.plot?.ctx.canvas;
    if (!plot) return null;
    let canvas = plot;
    if (below && !below.hidden && below.width > 0) {
      canvas = document.createElement("canvas");
      canvas.width = Math.max(plot.width, below.width);
      canvas.height = plot.height + below.height;
      const ctx = canvas.getContext("2d");
      if (!ctx) return null;
      // Opaque, in the page's own background: the lanes' text is drawn for it.
      ctx.fillStyle = getComputedStyle(this.el).backgroundColor === "rgba(0, 0, 0, 0)" ? getComputedStyle(document.body).backgroundColor : getComputedStyle(this.el).backgroundColor;
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(plot, 0, 0);
      ctx.drawImage(below, 0, plot.height);
    }
    const url = canvas.toDataURL("image/png");
    const b64 = url.slice(url.indexOf(",") + 1);
    const bin = atob(b64);
    const out = new Array<number>(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  private fit(): void {
    if (!this.plot) return;
    const w = Math.max(200, this.el.clientWidth);
    if (Math.abs(this.plot.width - w) > 1) this.plot.setSize({ width: w, height: this.plot.height });
  }

  setPicked(iso: string | null): void {
    this.picked = iso ? Math.floor(Date.parse(iso) / 1000) : null;
    this.plot?.redraw(false, false);
  }

  /**
   * Builds the chart of `analysis`. With `defer`, the plot (axes, legend,
   * canvas) is built empty and `fill()` draws the series later: the caller
   * can then put the two halves of the work in two frames.
   */
  render(analysis: Analysis, zone: Zone, { defer = false }: { defer?: boolean } = {}): void {
    const inc = analysis.incident;
    this.band = inc ? { from: Date.parse(inc.onset) / 1000, to: inc.recovered ? Date.parse(inc.recovered) / 1000 : null } : null;
    const n = analysis.novelty;
    this.baseline = n ? { from: Date.parse(n.baseline_from) / 1000, to: Date.parse(n.baseline_to) / 1000 + 1 } : null;
    this.markers = analysis.timeline
      .filter((e) => e.kind === "change" || e.kind === "fix")
      .map((e) => ({ x: Date.parse(e.time) / 1000, label: e.change_id ?? e.kind, suspect: e.suspect }));
    this.build(analysis.series, zone, defer, false);
  }

  /**
   * The counts of files still being read (no incident band, no markers yet).
   * A preview of the same bucket width updates the drawn plot in place; the
   * analysis that follows replaces it through `render`.
   */
  preview(series: ErrorSeries, zone: Zone, { defer = false }: { defer?: boolean } = {}): void {
    const step = Number(series.bucket_seconds);
    if (this.plot && this.previewStep === step) {
      const data = chartData(series);
      this.bounds = fullRange({ series });
      this.pending = null;
      this.showPreviewRecords(data);
      this.plot.setData(data);
      this.setRange(this.range);
      return;
    }
    this.band = null;
    this.baseline = null;
    this.markers = [];
    this.build(series, zone, defer, true);
  }

  private showPreviewRecords(data: uPlot.AlignedData): void {
    let n = 0;
    for (const v of data[1] as number[]) n += v;
    this.el.dataset.previewRecords = String(n);
  }

  private build(series: ErrorSeries, zone: Zone, defer: boolean, preview: boolean): void {
    this.plot?.destroy();
    this.plot = null;
    this.pending = null;
    this.previewStep = preview ? Number(series.bucket_seconds) : null;
    this.el.replaceChildren();
    if (preview) this.el.dataset.preview = "true";
    else {
      delete this.el.dataset.preview;
      delete this.el.dataset.previewRecords;
    }
    const data = chartData(series);
    if (preview) this.showPreviewRecords(data);
    if (data[0].length === 0) {
      this.el.append(h("div", { class: "muted chart-empty" }, preview ? "Reading…" : "No timed records to chart."));
      return;
    }
    const step = Math.max(1, Number(series.bucket_seconds));
    this.bounds = fullRange({ series });

    const opts: uPlot.Options = {
      width: Math.max(200, this.el.clientWidth || 800),
      height: 220,
      tzDate: (ts) => shiftedForLocalGetters(ts * 1000, zone),
      legend: { show: true, live: true },
      // Drag selects a range (brush); setSelect turns it into a zoom.
      cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
      // Errors get their own scale (right axis): at a few per minute against
      // a hundred requests they would be a flat line on the shared one.
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.08] },
        err: { range: (_u, _min, max) => [0, Math.max(4, max) * 1.15] },
      },
      axes: [
        {
          stroke: COLORS.axis,
          grid: { stroke: COLORS.grid, width: 1 },
          ticks: { stroke: COLORS.tick, width: 1 },
          font: "11px system-ui, sans-serif",
          // 24-hour clock in the display zone; the date where the day changes.
          values: (_u, splits) => {
            let lastDay = "";
            return splits.map((v) => {
              const day = formatInstant(v * 1000, zone).slice(5, 10);
              const clock = formatInstant(v * 1000, zone, "clock");
              const out = day !== lastDay ? `${clock}\n${day}` : clock;
              lastDay = day;
              return out;
            });
          },
        },
        // Compact counts (15k, 1.2M): a day of traffic per bucket must fit the axis.
        { stroke: COLORS.axis, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.tick, width: 1 }, size: 48, font: "11px system-ui, sans-serif", values: (_u, splits) => splits.map((v) => formatCount(v, true)) },
        { scale: "err", side: 1, stroke: COLORS.errors, grid: { show: false }, ticks: { stroke: COLORS.errTick, width: 1 }, size: 44, font: "11px system-ui, sans-serif", values: (_u, splits) => splits.map((v) => formatCount(v, true)) },
      ],
      series: [
        { label: "Time", value: (_u, v) => (v == null ? "—" : formatInstant(v * 1000, zone)) },
        { label: `All records / ${formatStep(step)}`, stroke: COLORS.total, fill: COLORS.totalFill, width: 1.25, points: { show: false } },
        { label: `Errors / ${formatStep(step)} (right axis)`, scale: "err", stroke: COLORS.errors, fill: COLORS.errorsFill, width: 1.75, points: { show: false } },
      ],
      hooks: {
        drawClear: [(u) => this.drawBand(u)],
        draw: [(u) => this.drawMarkers(u), () => this.onDrawn()],
        setSelect: [
          (u) => {
            if (u.select.width < 4 || !this.bounds) return;
            const from = u.posToVal(u.select.left, "x") * 1000;
            const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
            this.justSelected = true;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            const picked = this.picking;
            if (picked) {
              this.cancelPick();
              picked({ from, to });
              return;
            }
            this.onRange(clampRange({ from, to }, this.bounds));
          },
        ],
      },
    };
    this.pending = defer ? data : null;
    this.plot = new uPlot(opts, defer ? [[], [], []] : data, this.el);
    this.setRange(this.range);
    this.plot.over.addEventListener(
      "wheel",
      (ev: WheelEvent) => {
        const u = this.plot;
        const r = this.current();
        if (!u || !r || !this.bounds) return;
        ev.preventDefault();
        const rect = u.over.getBoundingClientRect();
        const at = u.posToVal(ev.clientX - rect.left, "x") * 1000;
        const next = ev.shiftKey ? panRange(r, Math.sign(ev.deltaY) * 0.15, this.bounds) : zoomRange(r, ev.deltaY < 0 ? 0.8 : 1.25, at, this.bounds);
        this.onRange(isFull(next, this.bounds) ? null : next);
      },
      { passive: false },
    );
    this.plot.over.addEventListener("click", () => {
      const u = this.plot;
      if (this.justSelected) {
        this.justSelected = false;
        return;
      }
      if (!u || u.cursor.left == null || u.cursor.left < 0) return;
      const x = u.posToVal(u.cursor.left, "x");
      this.picked = Math.round(x);
      this.onPick(new Date(this.picked * 1000).toISOString());
      u.redraw(false, false);
    });
  }

  /** Draws the series a deferred `render` left out (nothing when none is pending). */
  fill(): void {
    const u = this.plot;
    const data = this.pending;
    this.pending = null;
    if (!u || !data) return;
    u.setData(data);
    this.setRange(this.range);
  }

  private xPos(u: uPlot, x: number): number {
    return Math.round(u.valToPos(x, "x", true));
  }

  private drawBand(u: uPlot): void {
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    if (this.baseline) {
      const b0 = Math.max(left, this.xPos(u, this.baseline.from));
      const b1 = Math.min(left + width, this.xPos(u, this.baseline.to));
      if (b1 > b0) {
        ctx.save();
        ctx.fillStyle = COLORS.baseline;
        ctx.fillRect(b0, top, b1 - b0, height);
        ctx.fillStyle = COLORS.axis;
        ctx.font = `${10 * uPlot.pxRatio}px system-ui, sans-serif`;
        ctx.textBaseline = "bottom";
        ctx.fillText("baseline", b0 + 3 * uPlot.pxRatio, top + height - 3 * uPlot.pxRatio);
        ctx.restore();
      }
    }
    if (!this.band) return;
    const x0 = Math.max(left, this.xPos(u, this.band.from));
    const x1 = this.band.to === null ? left + width : Math.min(left + width, this.xPos(u, this.band.to));
    if (x1 <= x0) return;
    ctx.save();
    ctx.fillStyle = COLORS.band;
    ctx.fillRect(x0, top, x1 - x0, height);
    ctx.restore();
  }

  private drawMarkers(u: uPlot): void {
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    const dpr = uPlot.pxRatio;
    ctx.save();
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.textBaseline = "top";
    if (this.band) {
      ctx.strokeStyle = COLORS.bandEdge;
      ctx.lineWidth = 1 * dpr;
      ctx.setLineDash([]);
      for (const [x, label] of [[this.band.from, "onset"], [this.band.to, "recovered"]] as const) {
        if (x === null) continue;
        const px = this.xPos(u, x);
        if (px < left || px > left + width) continue;
        ctx.beginPath();
        ctx.moveTo(px, top);
        ctx.lineTo(px, top + height);
        ctx.stroke();
        ctx.fillStyle = COLORS.bandEdge;
        ctx.fillText(label, px + 3 * dpr, top + 16 * dpr);
      }
    }
    // Suspects first: their labels claim space, and other labels that would
    // overlap one are left out (the line is still drawn).
    const ordered = [...this.markers].sort((a, b) => Number(b.suspect) - Number(a.suspect));
    const taken: [number, number][] = [];
    for (const m of ordered) {
      const px = this.xPos(u, m.x);
      if (px < left || px > left + width) continue;
      ctx.strokeStyle = m.suspect ? COLORS.suspect : COLORS.change;
      ctx.lineWidth = (m.suspect ? 2 : 1) * dpr;
      ctx.setLineDash(m.suspect ? [] : [4 * dpr, 3 * dpr]);
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, top + height);
      ctx.stroke();
      const label = m.suspect ? `${clip(m.label)} · suspect` : clip(m.label);
      ctx.font = `${m.suspect ? "600 " : ""}${11 * dpr}px system-ui, sans-serif`;
      const w = ctx.measureText(label).width;
      const lx = Math.min(px + 3 * dpr, left + width - w - 2 * dpr);
      const span: [number, number] = [lx - 4 * dpr, lx + w + 4 * dpr];
      if (!taken.some(([a, b]) => span[0] < b && span[1] > a)) {
        ctx.fillStyle = m.suspect ? COLORS.suspect : COLORS.change;
        ctx.fillText(label, lx, top + 2 * dpr);
        taken.push(span);
      }
    }
    if (this.picked !== null) {
      const px = this.xPos(u, this.picked);
      if (px >= left && px <= left + width) {
        ctx.strokeStyle = COLORS.cursor;
        ctx.lineWidth = 1 * dpr;
        ctx.setLineDash([2 * dpr, 2 * dpr]);
        ctx.beginPath();
        ctx.moveTo(px, top);
        ctx.lineTo(px, top + height);
        ctx.stroke();
      }
    }
    ctx.restore();
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
  }
}

/** Commit hashes as git shows them short; other ids clipped. */
function clip(s: string): string {
  if (/^[0-9a-f]{12,}$/i.test(s)) return s.slice(0, 8);
  return s.length > 18 ? `${s.slice(0, 17)}…` : s;
}

function formatStep(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function isFull(r: Range, bounds: Range): boolean {
  return r.from <= bounds.from && r.to >= bounds.to;
}
