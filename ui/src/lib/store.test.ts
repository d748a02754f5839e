import { describe, expect, it } from "vitest";
import { applyProgress, defaultNoteTime, exportFileName, progressFraction, Store, toggleLane } from "./store";

describe("ingest progress", () => {
  it("counts finished sources against the plan", () => {
    let p = applyProgress(null, { event: "planned", sources: 4, problems: [] });
    p = applyProgress(p, { event: "started", path: "/a/nginx", format: "nginx-combined", bytes: 10 });
    expect(p.current).toBe("/a/nginx");
    p = applyProgress(p, { event: "finished", path: "/a/nginx", format: "nginx-combined", records: 25353, unparsed: 0, reused: false });
    expect(p).toEqual({ planned: 4, finished: 1, current: null, records: 25353 });
    expect(progressFraction(p)).toBe(0.25);
    expect(progressFraction(null)).toBe(0);
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
