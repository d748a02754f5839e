import { describe, expect, it } from "vitest";
import type { TimelineEntry } from "../ipc/bindings/TimelineEntry";
import { excerptView, searchView, shortenPaths, timelineView, type Actions } from "./panels";
import { parseZone } from "../lib/time";

const HOSTILE = "<img src=x onerror=window.__pwned=1>";
const noop = () => {};
const act: Actions = { openCitation: noop, openHit: noop, pick: noop, toggleLane: noop, deleteNote: noop, closeExcerpt: noop, closeSearch: noop };
const zone = parseZone("+03:00")!;

describe("panels render log text as text", () => {
  it("timeline", () => {
    const e: TimelineEntry = { time: "2026-11-17T08:40:05Z", kind: "error_onset", source: "/x/nginx/access.log", text: `GET /search?q=${HOSTILE}`, citation: null, change_id: null, suspect: false };
    const el = timelineView([e], [], new Set(), zone, null, act);
    expect(el.querySelector("img")).toBeNull();
    expect(el.textContent).toContain(HOSTILE);
    expect(el.textContent).toContain("11:40:05");
  });
  it("search results and raw lines", () => {
    const hit = { source: "/x", file: "/x/access.log", line: 2, offset: 10, text: `"GET /q=${HOSTILE} HTTP/1.1" 500`, time: "2026-11-17T08:40:05Z" };
    const s = searchView({ pattern: "onerror", literal: true, hits: [hit], summary: { hits: 1, truncated: false }, running: false, error: null }, zone, act);
    const x = excerptView({ title: "t", error: null, data: { file: "/x/access.log", lines: [{ line: 2, offset: 10, text: hit.text, in_record: true }] } }, act);
    for (const el of [s, x]) {
      expect(el.querySelector("img")).toBeNull();
      expect(el.textContent).toContain(HOSTILE);
    }
    expect(s.textContent).toContain("1 hit");
  });
  it("shortens deep paths in evidence", () => {
    expect(shortenPaths("first: /tmp/e2e/cache/faultline/samples/app/archive-portal.log:5857)")).toBe("first: app/archive-portal.log:5857)");
  });
});
