import { describe, expect, it } from "vitest";
import { applyProgress, centerOn, clampRange, defaultNoteTime, exportFileName, fileFraction, fullRange, inRange, panRange, progressFraction, recentChoices, Store, toggleLane, virtualWindow, zoomRange } from "./store";

describe("ingest progress", () => {
  it("counts finished sources against the plan", () => {
    let p = applyProgress(null, { event: "planned", sources: 4, problems: [] });
    p = applyProgress(p, { event: "started", path: "/a/nginx", format: "nginx-combined", bytes: 10 });
    expect(p.current).toBe("/a/nginx");
    p = applyProgress(p, { event: "finished", path: "/a/nginx", format: "nginx-combined", records: 25353, unparsed: 0, reused: false });
    expect(p).toMatchObject({ planned: 4, finished: 1, current: null, records: 25353 });
    expect(progressFraction(p)).toBe(0.25);
    expect(progressFraction(null)).toBe(0);
  });
  it("leaves the status bar alone for a chart preview, whose range the chart then spans", () => {
    const p = applyProgress(null, { event: "planned", sources: 1, problems: [] });
    const series = { bucket_seconds: 60, buckets: [{ start: "2026-11-24T08:00:00Z", total: 120, errors: 3, http_5xx: 3, http_4xx: 0, warnings: 0 }, { start: "2026-11-24T08:05:00Z", total: 80, errors: 0, http_5xx: 0, http_4xx: 0, warnings: 0 }] };
    expect(applyProgress(p, { event: "series", series })).toEqual(p);
    expect(fullRange({ series })).toEqual({ from: Date.parse("2026-11-24T08:00:00Z"), to: Date.parse("2026-11-24T08:06:00Z") });
  });
});

describe("notes and lanes", () => {
  it("puts a new note where the analyst pointed, else at the onset", () => {
    const incident = { onset: "2026-11-17T08:27:04Z" } as never;
    expect(defaultNoteTime({ cursor: "2026-11-17T08:30:00Z", analysis: null })).toBe("2026-11-17T08:30:00Z");
    expect(defaultNoteTime({ cursor: null, analysis: { incident } as never })).toBe("2026-11-17T08:27:04Z");
    expect(defaultNoteTime({ cursor: null, analysis: null }, Date.parse("2026-01-01T00:00:00Z"))).toBe("2026-01-01T00:00:00.000Z");
  });
  it("toggles a lane without touching the set it was given", () => {
    const hidden = new Set(["alerts" as const]);
    expect([...toggleLane(hidden, "notes")].sort()).toEqual(["alerts", "notes"]);
    expect([...toggleLane(hidden, "alerts")]).toEqual([]);
    expect([...hidden]).toEqual(["alerts"]);
  });
  it("tells listeners what changed", () => {
    const s = new Store();
    const seen: string[] = [];
    s.subscribe((now, prev) => seen.push(`${prev.phase}->${now.phase}`));
    s.set({ phase: "loading" });
    s.set((st) => ({ phase: st.phase === "loading" ? "ready" : "empty" }));
    expect(seen).toEqual(["empty->loading", "loading->ready"]);
  });
});

describe("exportFileName", () => {
  it("names the file after the incident and its day", () => {
    expect(exportFileName("The Archive crash", "2026-11-17T08:27:04Z", "md")).toBe("the-archive-crash-postmortem-2026-11-17.md");
    expect(exportFileName(null, null, "json")).toBe("incident-postmortem.json");
    expect(exportFileName("../../etc/passwd", null, "csv")).toBe("etc-passwd-postmortem.csv");
  });
});

describe("per-file progress", () => {
  it("shows bytes, records and rate per file, capped for a .gz that inflates", () => {
    let p = applyProgress(null, { event: "planned", sources: 2, problems: [] }, 0);
    p = applyProgress(p, { event: "started", path: "/big.log", format: "app-log", bytes: 1000 }, 0);
    p = applyProgress(p, { event: "started", path: "/small.gz", format: "app-log", bytes: 100 }, 0);
    p = applyProgress(p, { event: "bytes", path: "/big.log", bytes_read: 250, records: 40 }, 500);
    p = applyProgress(p, { event: "bytes", path: "/small.gz", bytes_read: 400, records: 9 }, 500);
    const [big, small] = p.files!;
    expect(big).toMatchObject({ read: 250, records: 40, rate: 500, done: false });
    expect(fileFraction(big!)).toBe(0.25);
    expect(fileFraction(small!)).toBe(1);
    p = applyProgress(p, { event: "finished", path: "/big.log", format: "app-log", records: 160, unparsed: 0, reused: false }, 900);
    expect(p.files![0]).toMatchObject({ done: true, records: 160 });
    expect(fileFraction(p.files![0]!)).toBe(1);
  });
});

describe("visible range (chart zoom, timeline, search)", () => {
  const bounds = { from: 0, to: 3_600_000 };
  it("spans the chart's buckets", () => {
    const a = { series: { bucket_seconds: 60, buckets: [{ start: "1970-01-01T00:00:00Z" }, { start: "1970-01-01T00:59:00Z" }] } } as never;
    expect(fullRange(a)).toEqual(bounds);
    expect(fullRange(null)).toBeNull();
  });
  it("zooms around a point and never leaves the data", () => {
    const z = zoomRange(bounds, 0.5, 900_000, bounds);
    expect(z).toEqual({ from: 450_000, to: 2_250_000 });
    expect(zoomRange(z, 10, 900_000, bounds)).toEqual(bounds);
    expect(clampRange({ from: 10, to: 20 }, bounds).to - 10).toBe(60_000);
  });
  it("pans by a share of the span, stopping at the edges", () => {
    const r = { from: 600_000, to: 1_200_000 };
    expect(panRange(r, 0.5, bounds)).toEqual({ from: 900_000, to: 1_500_000 });
    expect(panRange(r, -5, bounds)).toEqual({ from: 0, to: 600_000 });
  });
  it("centres on a search hit and filters timeline rows", () => {
    const r = centerOn({ from: 0, to: 600_000 }, 2_000_000, bounds);
    expect(r).toEqual({ from: 1_700_000, to: 2_300_000 });
    expect(inRange(new Date(2_000_000).toISOString(), r)).toBe(true);
    expect(inRange(new Date(100).toISOString(), r)).toBe(false);
    expect(inRange(new Date(100).toISOString(), null)).toBe(true);
  });
});

describe("virtual list windowing", () => {
  it("builds only the rows in view plus a margin", () => {
    expect(virtualWindow(0, 260, 26, 100_000, 8)).toEqual({ start: 0, end: 19, top: 0, height: 2_600_000 });
    const w = virtualWindow(26 * 5000, 260, 26, 100_000, 8);
    expect(w.start).toBe(4992);
    expect(w.end).toBe(5019);
    expect(w.top).toBe(4992 * 26);
  });
  it("clamps at the end and for short lists", () => {
    expect(virtualWindow(1e9, 260, 26, 50)).toMatchObject({ start: 50, end: 50 });
    expect(virtualWindow(0, 1000, 26, 3)).toMatchObject({ start: 0, end: 3 });
  });
});

describe("recent cases", () => {
  it("offers the ones still on disk, newest first, with their folder", () => {
    const list = [
      { path: "/home/ana/cases/archive crash.faultline", name: "archive crash", opened_at: "2026-11-25T10:00:00Z", exists: true },
      { path: "/mnt/usb/old.faultline", name: "old", opened_at: "2026-11-20T10:00:00Z", exists: false },
      { path: "C:\\Users\\ana\\db.faultline", name: "", opened_at: "2026-11-19T10:00:00Z", exists: true },
    ];
    expect(recentChoices(list)).toEqual([
      { path: "/home/ana/cases/archive crash.faultline", name: "archive crash", folder: "ana/cases" },
      { path: "C:\\Users\\ana\\db.faultline", name: "db.faultline", folder: "Users/ana" },
    ]);
    expect(recentChoices(list, 1)).toHaveLength(1);
  });
});
