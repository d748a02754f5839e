import { describe, expect, it } from "vitest";
import type { Analysis } from "../ipc";
import type { Lane } from "../ipc/bindings/Lane";
import type { TimelineEntry } from "../ipc/bindings/TimelineEntry";
import { hitTest, laneRows, moveGroup, normalizeOrder, ROW_H } from "./lanes";

const lane = (kind: Lane["kind"], title: string, times: string[], end: string | null = null): Lane => ({
  kind,
  title,
  omitted: 0,
  items: times.map((t) => ({ time: t, end, text: `${title} at ${t}`, count: 1, mark: kind === "changes" ? "suspect" : "plain", citation: null })),
});

const note: TimelineEntry = { time: "2026-11-17T08:45:00Z", kind: "note", source: "analyst", text: "Rolled back", citation: null, change_id: null, suspect: false, clock_offset_ms: null };

const analysis = {
  lanes: [
    lane("changes", "Changes", ["2026-11-17T08:20:00Z"]),
    lane("signature", "KeyError", ["2026-11-17T08:40:00Z"], "2026-11-17T09:10:00Z"),
    lane("users", "Users", ["2026-11-17T08:50:00Z"]),
    lane("support", "Support", []),
    lane("alerts", "Alerts", ["2026-11-17T08:55:00Z"]),
  ],
  timeline: [note],
} as unknown as Analysis;

describe("lanes", () => {
  it("draws the non-empty lanes and the analyst's notes, in the chosen order, without hidden groups", () => {
    const order = normalizeOrder(null);
    expect(laneRows(analysis, new Set(), order).map((r) => r.kind)).toEqual(["changes", "signature", "users", "alerts", "notes"]);
    expect(laneRows(analysis, new Set(["support"]), order).map((r) => r.kind)).toEqual(["changes", "signature", "alerts", "notes"]);
    const moved = moveGroup(moveGroup(order, "alerts", -1), "alerts", -1);
    expect(laneRows(analysis, new Set(), moved).map((r) => r.kind)).toEqual(["changes", "alerts", "signature", "users", "notes"]);
  });

  it("reads a stored order it cannot trust", () => {
    expect(normalizeOrder(["notes", "bogus", 3, "notes"])[0]).toBe("notes");
    expect(normalizeOrder("garbage")).toHaveLength(6);
    expect(moveGroup(normalizeOrder(null), "changes", -1)[0]).toBe("changes");
  });

  it("finds the event under the pointer: a span anywhere along it, a point within a few pixels", () => {
    const rows = laneRows(analysis, new Set(), normalizeOrder(null));
    const t0 = Date.parse("2026-11-17T08:00:00Z");
    const xOf = (t: number) => (t - t0) / 60_000; // one pixel a minute
    const strip = (r: number) => r * ROW_H + 18;
    expect(hitTest(rows, xOf, 21, strip(0))?.item.text).toContain("Changes");
    expect(hitTest(rows, xOf, 40, strip(0))).toBeNull();
    expect(hitTest(rows, xOf, 60, strip(1))?.row.kind).toBe("signature");
    expect(hitTest(rows, xOf, 50, strip(2))?.item.text).toContain("Users");
    expect(hitTest(rows, xOf, 45, strip(4))?.item.text).toBe("Rolled back");
    // On a lane's title line, not its strip: nothing.
    expect(hitTest(rows, xOf, 21, 2)).toBeNull();
  });
});
