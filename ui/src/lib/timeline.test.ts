import { describe, expect, it } from "vitest";
import type { TimelineEntry } from "../ipc/bindings/TimelineEntry";
import type { Citation } from "../ipc/bindings/Citation";
import { citationFor, laneCounts, laneOf, noteFor, visibleEntries } from "./timeline";

function entry(time: string, kind: TimelineEntry["kind"], text: string = kind, source = "x.log"): TimelineEntry {
  return { time, kind, source, text, citation: null, change_id: null, suspect: false, clock_offset_ms: null };
}

describe("timeline lanes", () => {
  it("puts every kind in a lane", () => {
    expect(laneOf("change")).toBe("changes");
    expect(laneOf("fix")).toBe("changes");
    expect(laneOf("error_onset")).toBe("errors");
    expect(laneOf("user_report")).toBe("support");
    expect(laneOf("ack")).toBe("alerts");
    expect(laneOf("restart")).toBe("restarts");
    expect(laneOf("note")).toBe("notes");
  });
  it("hides lanes and keeps time order, stable for equal times", () => {
    const es = [entry("2026-11-17T08:30:00Z", "alert", "b"), entry("2026-11-17T08:20:00Z", "change"), entry("2026-11-17T08:30:00Z", "note", "c"), entry("2026-11-17T08:27:00Z", "error_onset")];
    expect(visibleEntries(es, new Set()).map((e) => e.text)).toEqual(["change", "error_onset", "b", "c"]);
    expect(visibleEntries(es, new Set(["alerts", "notes"])).map((e) => e.kind)).toEqual(["change", "error_onset"]);
    expect(laneCounts(es)).toEqual({ changes: 1, errors: 1, support: 0, alerts: 1, restarts: 0, notes: 1 });
  });
  it("finds the stored note behind an analyst's entry, not a user's confirmation", () => {
    const notes = [{ id: 7, time: "2026-11-17T08:27:00Z", text: "rollback" }];
    expect(noteFor(entry("2026-11-17T08:27:00.000Z", "note", "rollback", "analyst"), notes)?.id).toBe(7);
    expect(noteFor(entry("2026-11-17T08:27:00Z", "note", "rollback", "support.csv"), notes)).toBeUndefined();
  });
});

describe("citationFor", () => {
  const cites: Citation[] = [
    { file: "/cache/samples/app/archive-portal.log", line: 5857, offset: 0, text: "x" },
    { file: "/cache/samples/deploys/config-history.log", line: 1, offset: 0, text: "y" },
  ];
  it("links an evidence line to the record it names", () => {
    expect(citationFor("appears in 339 tracebacks (first: /cache/samples/app/archive-portal.log:5857)", cites)).toBe(cites[0]);
    expect(citationFor("changes the same files (deploys/config-history.log:1, 7 min before recovery)", cites)).toBe(cites[1]);
  });
  it("does not link a different line of the same file", () => {
    expect(citationFor("see app/archive-portal.log:58571", cites)).toBeUndefined();
    expect(citationFor("made 6 min before the onset", cites)).toBeUndefined();
  });
});
