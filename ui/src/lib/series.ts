// Turns the analysis' error series into the column arrays uPlot draws.
import type { ErrorSeries } from "../ipc/bindings/ErrorSeries";
import { num } from "./format";

export type ChartData = [xs: number[], total: number[], errors: number[]];

/** Beyond this many buckets, gaps are not filled (the chart would be all zeros anyway). */
const MAX_FILLED = 20000;

/**
 * x in epoch seconds. Empty buckets are omitted by the engine; they are put
 * back as zeros so a quiet minute draws as a dip, not as a straight line
 * from the last busy bucket to the next.
 */
export function chartData(series: ErrorSeries): ChartData {
  const step = Math.max(1, num(series.bucket_seconds));
  const pts = series.buckets
    .map((b) => ({ x: Math.floor(Date.parse(b.start) / 1000), total: num(b.total), errors: num(b.errors) }))
    .filter((p) => Number.isFinite(p.x))
    .sort((a, b) => a.x - b.x);
  const xs: number[] = [];
  const total: number[] = [];
  const errors: number[] = [];
  if (pts.length === 0) return [xs, total, errors];
  const first = pts[0]!.x;
  const last = pts[pts.length - 1]!.x;
  const fill = (last - first) / step <= MAX_FILLED;
  let i = 0;
  if (fill) {
    for (let x = first; x <= last; x += step) {
      let t = 0;
      let e = 0;
      while (i < pts.length && pts[i]!.x < x + step) {
        t += pts[i]!.total;
        e += pts[i]!.errors;
        i++;
      }
      xs.push(x);
      total.push(t);
      errors.push(e);
    }
  } else {
    for (const p of pts) {
      xs.push(p.x);
      total.push(p.total);
      errors.push(p.errors);
    }
  }
  return [xs, total, errors];
}
