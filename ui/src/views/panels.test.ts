import { describe, expect, it } from "vitest";
import type { TimelineEntry } from "../ipc/bindings/TimelineEntry";
import { excerptView, incidentsView, noveltyView, searchView, shortenPaths, sourcesView, timelineView, type Actions } from "./panels";
import type { Analysis } from "../ipc";
import type { Novelty } from "../ipc/bindings/Novelty";
import type { SourceRow } from "../ipc/bindings/SourceRow";
import { parseZone } from "../lib/time";

const HOSTILE = "<img src=x onerror=window.__pwned=1>";
const noop = () => {};
const act: Actions = { openCitation: noop, openHit: noop, pick: noop, toggleLane: noop, deleteNote: noop, closeExcerpt: noop, closeSearch: noop, editEntry: noop, correctSource: noop, setClockOffset: noop, pickBaseline: noop, resetBaseline: noop, confirmCaseFolder: noop, chooseIncident: noop };
const zone = parseZone("+03:00")!;

describe("panels render log text as text", () => {
  it("timeline", () => {
    const e: TimelineEntry = { time: "2026-11-17T08:40:05Z", kind: "error_onset", source: "/x/nginx/access.log", text: `GET /search?q=${HOSTILE}`, citation: null, change_id: null, suspect: false, clock_offset_ms: null };
    const el = timelineView({ entries: [e], states: [{ key: "k", pinned: false, renamed_from: null }], hiddenEntries: [], notes: [], hiddenLanes: new Set(), zone, cursor: null, range: null }, act);
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
  it("a corrected clock shows on its source's entries", () => {
    const e: TimelineEntry = { time: "2026-11-17T08:40:05Z", kind: "user_report", source: "/x/tickets.csv", text: "login broken", citation: null, change_id: null, suspect: false, clock_offset_ms: -90_000 };
    const el = timelineView({ entries: [e], states: [{ key: "k", pinned: false, renamed_from: null }], hiddenEntries: [], notes: [], hiddenLanes: new Set(), zone, cursor: null, range: null }, act);
    expect(el.querySelector("[data-testid=tl-clock]")!.textContent).toBe(" clock -1m30s");
  });
  it("shortens deep paths in evidence", () => {
    expect(shortenPaths("first: /tmp/e2e/cache/faultline/samples/app/archive-portal.log:5857)")).toBe("first: app/archive-portal.log:5857)");
  });
  it("a timeline row names the cited file of a rotated set, with its line", () => {
    const e: TimelineEntry = { time: "2026-11-17T08:27:04Z", kind: "error_onset", source: "/x/nginx/access.log", text: "first error", citation: { file: "/x/nginx/access.log.1", line: 10298, offset: 5, text: "raw" }, change_id: null, suspect: false, clock_offset_ms: null };
    const el = timelineView({ entries: [e], states: [{ key: "k", pinned: true, renamed_from: "old" }], hiddenEntries: [], notes: [], hiddenLanes: new Set(), zone, cursor: null, range: null }, act);
    expect(el.querySelector(".tl-source")!.textContent).toBe("nginx/access.log.1:10298");
    expect(el.querySelector(".pin-flag")).not.toBeNull();
    expect(el.querySelector(".renamed-flag")).not.toBeNull();
  });
  it("a long timeline builds only the rows in view, and follows the visible range", () => {
    const entries: TimelineEntry[] = Array.from({ length: 20_000 }, (_, i) => ({ time: new Date(Date.UTC(2026, 10, 17, 8) + i * 1000).toISOString(), kind: "alert", source: "/p", text: `alert ${i}`, citation: null, change_id: null, suspect: false, clock_offset_ms: null }));
    const states = entries.map((_, i) => ({ key: `k${i}`, pinned: false, renamed_from: null }));
    const base = { entries, states, hiddenEntries: [], notes: [], hiddenLanes: new Set<never>(), zone, cursor: null };
    const all = timelineView({ ...base, range: null }, act);
    expect(all.querySelectorAll("[data-testid=timeline-entry]").length).toBeLessThan(100);
    expect(all.querySelector("[data-testid=timeline-list]")!.getAttribute("data-count")).toBe("20001");
    const from = Date.UTC(2026, 10, 17, 8);
    const some = timelineView({ ...base, range: { from, to: from + 9_000 } }, act);
    expect(some.querySelector("[data-testid=timeline-list]")!.getAttribute("data-count")).toBe("11");
    expect(some.querySelector("[data-testid=timeline-range]")!.textContent).toMatch(/^10 in/);
  });
});

describe("a reopened case's inputs", () => {
  const row = (path: string, unavailable: SourceRow["unavailable"]): SourceRow => ({
    summary: { path, kind: "log", format: "nginx-combined", records: 10, unparsed: 0, first: null, last: null, tz: "UTC", bytes: 100, sha256: "ab", notes: [], clock_offset_ms: 0, complete: true, window: null },
    files: 1,
    notes: [],
    unavailable,
  });
  it("says which are unavailable and why, and offers to confirm their folder", () => {
    let confirmed = 0;
    const el = sourcesView(
      [row("/logs/app.log", null), row("/home/me/.ssh/id_rsa", { reason: "not_granted", message: "not opened in this session: confirm the case's input folder, or add the file again" })],
      zone,
      { ...act, confirmCaseFolder: () => (confirmed += 1) },
    );
    const tags = [...el.querySelectorAll("[data-testid=source-unavailable]")];
    expect(tags).toHaveLength(1);
    expect(tags[0]!.textContent).toContain("not opened in this session");
    expect(tags[0]!.closest("[data-testid=source-row]")!.getAttribute("data-path")).toBe("/home/me/.ssh/id_rsa");
    expect(el.textContent).toContain("1 unavailable");
    (el.querySelector("[data-testid=confirm-case-folder]") as HTMLButtonElement).click();
    expect(confirmed).toBe(1);
  });
  it("shows the notes on how a source was read, and marks an interrupted one", () => {
    const base = row("/logs/access.log", null);
    const windowed: SourceRow = {
      ...base,
      summary: { ...base.summary, sha256: "", complete: false, window: { from: "2026-11-24T10:00:00Z", to: "2026-11-24T10:20:00Z" } },
      notes: ["only 2026-11-24T10:00:00Z – 2026-11-24T10:20:00Z was read (--from/--to; …)", "not hashed: only a window was read (hashing would read the whole file)"],
    };
    const el = sourcesView([windowed, row("/logs/app.log", null)], zone, act);
    const [first, second] = [...el.querySelectorAll("[data-testid=source-row]")] as HTMLElement[];
    expect(first!.title).toContain("only 2026-11-24T10:00:00Z – 2026-11-24T10:20:00Z was read");
    expect(first!.title).toContain("not hashed");
    expect(first!.textContent).toContain("2 notes");
    expect(first!.textContent).toContain("incomplete");
    expect(second!.textContent).not.toContain("note");
    expect(second!.textContent).not.toContain("incomplete");
  });
  it("offer nothing to confirm when every input is readable", () => {
    const el = sourcesView([row("/logs/app.log", null)], zone, act);
    expect(el.querySelector("[data-testid=source-unavailable]")).toBeNull();
    expect(el.querySelector("[data-testid=confirm-case-folder]")).toBeNull();
  });
});

describe("what is new in the incident", () => {
  const novelty: Novelty = {
    incident_from: "2026-11-17T08:27:04Z", incident_to: "2026-11-17T10:53:01Z", baseline_from: "2026-11-17T06:01:06Z", baseline_to: "2026-11-17T08:27:03Z",
    baseline_given: false, incident_seconds: 8758, baseline_seconds: 8758, incident_records: 13577, baseline_records: 15165, incident_errors: 754, baseline_errors: 102,
    comparable: true, unobserved_sources: [],
    signatures: [], hosts: [], clients: [],
    endpoints: [
      { value: `/login?next=${HOSTILE}`, incident: 678, baseline: 0, ratio: null, rise: 250.6, new: true, rose: true, example: { file: "/x/nginx/access.log", line: 10298, offset: 5, text: "raw" } },
      { value: "/archive/export", incident: 76, baseline: 102, ratio: 0.75, rise: 0.6, new: false, rose: false, example: null },
    ],
    status_codes: [{ value: "500", incident: 377, baseline: 51, ratio: 7.39, rise: 5.8, new: false, rose: true, example: null }],
  };
  const analysis = (n: Novelty | null) => ({ novelty: n, clock_suggestions: [] }) as unknown as Analysis;

  it("ranks what rose, marks what is new, and opens an example", () => {
    const opened: string[] = [];
    const el = noveltyView(analysis(novelty), zone, { ...act, openCitation: (c, title) => opened.push(`${c.file}:${c.line} ${title}`) });
    const rows = [...el.querySelectorAll("[data-testid=novelty-item]")].map((r) => [(r as HTMLElement).dataset.dim, r.textContent]);
    expect(rows).toEqual([
      ["endpoints", `/login?next=${HOSTILE}6780new`],
      ["endpoints", "/archive/export76102×0.8"],
      ["status_codes", "50037751×7.4"],
    ]);
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("[data-testid=novelty-baseline]")!.textContent).toBe("vs 09:01 – 11:27 (before onset)");
    // The default baseline can be replaced by one dragged on the chart; there is nothing to reset yet.
    expect(el.querySelector("[data-testid=pick-baseline]")).not.toBeNull();
    expect(el.querySelector("[data-testid=reset-baseline]")).toBeNull();
    (el.querySelector("[data-testid=novelty-item] button") as HTMLButtonElement).click();
    expect(opened).toEqual([`/x/nginx/access.log:10298 /login?next=${HOSTILE}`]);
  });

  it("says so when there is nothing to compare", () => {
    expect(noveltyView(analysis(null), zone, act).textContent).toContain("No incident window");
    const flat = noveltyView(analysis({ ...novelty, comparable: false }), zone, act);
    expect(flat.textContent).toContain("nothing can be called new");
    expect(flat.querySelector(".badge-new")).toBeNull();
  });
});

describe("several incidents in the data", () => {
  const listing = (number: number, onset: string, recovered: string | null, errors: number, analyzed: boolean) =>
    ({ number, onset, recovered, errors, summary: `incident ${number}`, onset_citation: { file: "/x/a.log", line: 1, offset: 0, text: "" }, analyzed });
  it("lists each with its span, the analyzed one pressed, and picks another", () => {
    const picked: number[] = [];
    const a = { incidents: [listing(1, "2026-11-24T02:00:00Z", "2026-11-24T02:30:00Z", 1200, false), listing(2, "2026-11-24T05:00:00Z", null, 3400, true)] } as unknown as Analysis;
    const el = incidentsView(a, zone, { ...act, chooseIncident: (n) => picked.push(n) })!;
    const chips = [...el.querySelectorAll("[data-testid=incident-choice]")] as HTMLButtonElement[];
    expect(chips.map((c) => [c.textContent, c.getAttribute("aria-pressed")])).toEqual([
      ["#1 05:00–05:30 · 1,200 errors", "false"],
      ["#2 08:00–ongoing · 3,400 errors", "true"],
    ]);
    chips[1]!.click();
    chips[0]!.click();
    expect(picked).toEqual([1]);
  });
  it("shows nothing for a single incident", () => {
    expect(incidentsView({ incidents: [listing(1, "2026-11-24T02:00:00Z", null, 5, true)] } as unknown as Analysis, zone, act)).toBeNull();
  });
});
