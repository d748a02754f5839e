import { describe, expect, it } from "vitest";
import { chartData } from "./series";

const b = (start: string, total: number, errors: number) => ({ start, total, errors, http_5xx: 0, http_4xx: 0, warnings: 0 });

describe("chartData", () => {
  it("puts omitted empty buckets back as zeros", () => {
    const [xs, total, errors] = chartData({ bucket_seconds: 60, buckets: [b("2026-11-17T08:00:00Z", 10, 1), b("2026-11-17T08:03:00Z", 7, 5)] });
    expect(xs.map((x) => x - xs[0]!)).toEqual([0, 60, 120, 180]);
    expect(total).toEqual([10, 0, 0, 7]);
    expect(errors).toEqual([1, 0, 0, 5]);
  });
  it("draws nothing for an empty series", () => {
    expect(chartData({ bucket_seconds: 60, buckets: [] })).toEqual([[], [], []]);
  });
});
