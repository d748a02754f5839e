// The panels of the main screen. Each is a function from data to a fresh
// element; every log-derived string goes through `h` as a text node.
import type { Analysis, NoteDto, SearchHitDto, SourceRow } from "../ipc";
import type { Citation } from "../ipc/bindings/Citation";
import type { NoveltyItem } from "../ipc/bindings/NoveltyItem";
import type { Suspect } from "../ipc/bindings/Suspect";
import type { TimelineEntry } from "../ipc/bindings/TimelineEntry";
import { h, highlight, quoted, type Child } from "../lib/dom";
import { barPercent, formatBytes, formatCount, formatOffset, num, scoreTier, shortenHashes, shortPath } from "../lib/format";
import { dayOf, formatDuration, formatInstant, type Zone } from "../lib/time";
import { citationFor, citationLabel, kindLabel, laneCounts, laneOf, LANES, noteFor, visibleEntries, type Lane } from "../lib/timeline";
import { inRange, type SearchState, type ExcerptState, type Range } from "../lib/store";
import type { EntryStateDto } from "../ipc/bindings/EntryStateDto";
import type { HiddenEntryDto } from "../ipc/bindings/HiddenEntryDto";
import type { SourceKind, TimelineAction } from "../ipc";
import { noSuspectText, partialNotice } from "../lib/partial";
import { virtualList } from "./vlist";

export type Actions = {
  openCitation: (c: Citation, title: string) => void;
  openHit: (hit: SearchHitDto) => void;
  pick: (iso: string) => void;
  toggleLane: (lane: Lane) => void;
  deleteNote: (note: NoteDto) => void;
  closeExcerpt: () => void;
  closeSearch: () => void;
  editEntry: (key: string, edit: TimelineAction) => void;
  correctSource: (path: string, kind: SourceKind, tz: string) => void;
  /** The next drag on the chart chooses what is new's baseline. */
  pickBaseline: () => void;
  /** Back to the default baseline (as long as the incident, before its onset). */
  resetBaseline: () => void;
  /** Reads a source again with its clock moved (`+40s`; `0` undoes it). */
  setClockOffset: (path: string, offset: string) => void;
  /** Asks the analyst to confirm the folder of a reopened case's inputs. */
  confirmCaseFolder: () => void;
  /** Analyzes the case's `n`-th incident (1 = earliest). */
  chooseIncident: (n: number) => void;
  /** "Copy line with citation": `file:line` and the raw line, as Markdown. */
  copyLine?: (file: string, line: number | null, text: string) => void;
};

export function panel(title: Child, extra: Child, body: Child, cls = ""): HTMLElement {
  return h("section", { class: `panel ${cls}` }, h("header", { class: "panel-head" }, h("h2", null, title), h("div", { class: "panel-tools" }, extra)), h("div", { class: "panel-body" }, body));
}

// ---- Partial analysis ------------------------------------------------------------

/** Above everything else when inputs could not be read: which, and why. Null for a complete analysis. */
export function partialView(a: Analysis): HTMLElement | null {
  const n = partialNotice(a);
  if (!n) return null;
  return h(
    "section",
    { class: "partial-banner", role: "alert", "data-testid": "partial-banner" },
    h("strong", null, n.headline),
    h(
      "ul",
      null,
      n.inputs.map((u) =>
        h(
          "li",
          { "data-testid": "unread-input" },
          h("span", { class: "mono", title: u.path }, shortPath(u.path)),
          ` — ${u.what}: `,
          h("span", { class: "reason" }, u.reason),
          u.unparsed > 0 ? h("span", { class: "muted" }, ` (${formatCount(u.unparsed)} lines counted unparsed)`) : null,
        ),
      ),
    ),
  );
}

// ---- Incident summary and metrics -------------------------------------------

/** Every incident the data holds, earliest first, the analyzed one pressed; null when there is at most one. */
export function incidentsView(a: Analysis, zone: Zone, act: Actions): HTMLElement | null {
  if (a.incidents.length < 2) return null;
  return h(
    "div",
    { class: "incidents", "data-testid": "incidents" },
    h("span", { class: "muted" }, `${a.incidents.length} incidents found:`),
    a.incidents.map((i) => {
      const span = `${formatInstant(i.onset, zone, "clock")}–${i.recovered ? formatInstant(i.recovered, zone, "clock") : "ongoing"}`;
      return h(
        "button",
        {
          type: "button",
          class: `chip incident-choice${i.analyzed ? " active" : ""}`,
          "aria-pressed": String(i.analyzed),
          title: `${formatInstant(i.onset, zone)}: ${i.summary}`,
          "data-testid": "incident-choice",
          data: { number: String(i.number) },
          on: { click: () => (i.analyzed ? undefined : act.chooseIncident(i.number)) },
        },
        `#${i.number} ${span} · ${formatCount(i.errors, true)} errors`,
      );
    }),
  );
}

export function metricsView(a: Analysis, zone: Zone, act: Actions): HTMLElement {
  const m = a.metrics;
  const inc = a.incident;
  const card = (label: string, value: string, hint?: string, cls = "") =>
    h("div", { class: `metric ${cls}`, title: hint ?? "" }, h("div", { class: "metric-value" }, value), h("div", { class: "metric-label" }, label));
  const status = inc ? (inc.recovered ? "recovered" : "ongoing") : "none";
  return h(
    "section",
    { class: "summary" },
    h(
      "div",
      { class: "summary-line" },
      h("span", { class: `status status-${status}` }, inc ? (inc.recovered ? "Recovered" : "Ongoing") : "No incident found"),
      h("span", { class: "summary-text" }, quoted(inc ? inc.summary : (a.lead ?? "No error burst stands out from the baseline in these sources."))),
    ),
    incidentsView(a, zone, act),
    h(
      "div",
      { class: "metrics", "data-testid": "metrics" },
      card("Onset", inc ? formatInstant(inc.onset, zone, "seconds") : "—", inc ? formatInstant(inc.onset, zone) : undefined),
      card("Recovered", inc?.recovered ? formatInstant(inc.recovered, zone, "seconds") : "—", inc?.recovered ? formatInstant(inc.recovered, zone) : undefined),
      card("Time to detect", formatDuration(m.time_to_detect_s), "Onset → first alert"),
      card("First user report", formatDuration(m.time_to_first_report_s), "Onset → first support message"),
      card("Time to recover", formatDuration(m.time_to_recover_s), "Onset → errors back at baseline", "accent"),
      card("Errors", formatCount(m.errors, true), "Errors that belong to the incident"),
      card("Affected clients", formatCount(m.affected_clients, true), "Distinct IPs / users that saw an incident error"),
      card("Peak errors/min", formatCount(m.peak_errors_per_minute, true)),
      card("User reports", formatCount(m.user_reports), "Support messages about the symptom"),
    ),
  );
}

// ---- Suspects -----------------------------------------------------------------

/**
 * Evidence cites absolute paths (often deep in a cache or temp folder); the
 * last two segments are enough on screen, the tooltip has the full line.
 */
export function shortenPaths(text: string): string {
  return text.replace(/(?:\/[\w.@+-]+){3,}/g, (p) => shortPath(p));
}

function scoreBar(score: number, cls = ""): HTMLElement {
  const pct = barPercent(score);
  return h("div", { class: `bar ${cls}`, title: `${pct}%` }, h("div", { class: "bar-fill", style: { width: `${pct}%` } }));
}

function suspectCard(s: Suspect, rank: number, zone: Zone, act: Actions): HTMLElement {
  const tier = scoreTier(s.score);
  const used = new Set<Citation>();
  const evidence = s.evidence.map((raw) => {
    const c = citationFor(raw, s.citations);
    const line = quoted(shortenPaths(raw));
    if (c) used.add(c);
    return c
      ? h("li", null, h("button", { class: "link evidence", type: "button", title: `Show ${citationLabel(c)}\n${raw}`, on: { click: () => act.openCitation(c, s.change_id) } }, line))
      : h("li", { class: "evidence" }, line);
  });
  const rest = s.citations.filter((c) => !used.has(c));
  return h(
    "article",
    { class: `suspect tier-${tier}`, "data-testid": "suspect", data: { changeId: s.change_id } },
    h(
      "div",
      { class: "suspect-head" },
      h("span", { class: "rank" }, `#${rank}`),
      h("span", { class: "change-id", title: s.change_id }, shortenHashes(s.change_id)),
      h("span", { class: `tier tier-${tier}` }, tier === "likely" ? "likely root cause" : tier),
      h("span", { class: "score" }, s.score.toFixed(2)),
    ),
    scoreBar(s.score, `bar-${tier}`),
    h("p", { class: "suspect-summary" }, s.summary),
    h(
      "dl",
      { class: "suspect-meta" },
      h("dt", null, "When"),
      h("dd", null, h("button", { class: "link", type: "button", on: { click: () => act.pick(s.time) } }, formatInstant(s.time, zone))),
      s.service ? [h("dt", null, "Service"), h("dd", null, s.service)] : null,
      s.author ? [h("dt", null, "Author"), h("dd", null, s.author)] : null,
      s.files.length ? [h("dt", null, "Files"), h("dd", { class: "mono" }, s.files.join(", "))] : null,
    ),
    evidence.length ? h("ul", { class: "evidence-list" }, evidence) : null,
    rest.length
      ? h("div", { class: "citations" }, rest.map((c) => h("button", { class: "chip mono", type: "button", title: c.text, on: { click: () => act.openCitation(c, s.change_id) } }, shortPath(citationLabel(c)))))
      : null,
    s.ranked_lower_because ? h("p", { class: "lower" }, s.ranked_lower_because) : null,
  );
}

export function suspectsView(a: Analysis, zone: Zone, act: Actions): HTMLElement {
  const body: Child[] = [];
  if (a.suspects.length === 0) body.push(h("p", { class: "muted", "data-testid": "no-suspect" }, noSuspectText(partialNotice(a))));
  if (a.lead && !a.suspects.some((s) => s.score >= 0.5)) body.push(h("p", { class: "lead" }, h("strong", null, "Lead: "), a.lead));
  a.suspects.forEach((s, i) => body.push(suspectCard(s, i + 1, zone, act)));
  return panel("Suspects", h("span", { class: "muted" }, `${a.suspects.length} ranked`), body, "suspects");
}

// ---- What is new in the incident -------------------------------------------------

/** Rows shown per dimension; the JSON contract and the postmortem hold up to 20. */
export const NOVELTY_ROWS = 5;

const NOVELTY_DIMENSIONS: { key: "signatures" | "endpoints" | "status_codes" | "hosts" | "clients"; label: string }[] = [
  { key: "signatures", label: "Error signatures" },
  { key: "endpoints", label: "Endpoints" },
  { key: "status_codes", label: "Status codes" },
  { key: "hosts", label: "Hosts and services" },
  { key: "clients", label: "Clients" },
];

/** How an item's incident rate compares with the baseline's, in a few characters. */
export function noveltyChange(item: NoveltyItem, comparable: boolean): string {
  if (!comparable) return "";
  if (item.new) return "new";
  if (item.ratio === null) return "";
  return item.ratio >= 10 ? `×${Math.round(item.ratio)}` : `×${item.ratio.toFixed(1)}`;
}

/**
 * What rose in the incident window against the baseline: per dimension, the
 * items ranked by the rise their counts support, the new ones marked; a value
 * with an example opens its raw line.
 */
export function noveltyView(a: Analysis, zone: Zone, act: Actions): HTMLElement {
  const n = a.novelty;
  if (!n) return panel("What is new", null, h("p", { class: "muted", "data-testid": "novelty" }, "No incident window to compare with a baseline."), "novelty");
  const baseline = `${formatInstant(n.baseline_from, zone, "clock")} – ${formatInstant(n.baseline_to, zone, "clock")}`;
  const head = h(
    "span",
    { class: "novelty-head" },
    h("span", { class: "muted", "data-testid": "novelty-baseline", title: n.baseline_given ? "The baseline you chose" : "The incident's length just before the onset" }, `vs ${baseline}${n.baseline_given ? "" : " (before onset)"}`),
    h("button", { type: "button", class: "btn small", "data-testid": "pick-baseline", title: "Drag on the chart over the period to compare with (Esc cancels)", on: { click: () => act.pickBaseline() } }, "Pick baseline"),
    n.baseline_given ? h("button", { type: "button", class: "btn small", "data-testid": "reset-baseline", title: "Compare with the incident's length just before the onset", on: { click: () => act.resetBaseline() } }, "Default") : null,
  );
  const body: Child[] = [];
  if (!n.comparable) body.push(h("p", { class: "muted" }, "The baseline holds no records: ranked by incident counts alone, nothing can be called new."));
  for (const d of NOVELTY_DIMENSIONS) {
    const items = n[d.key].slice(0, NOVELTY_ROWS);
    if (items.length === 0) continue;
    body.push(
      h("h3", { class: "novelty-dim" }, d.label),
      h(
        "table",
        { class: "novelty-table" },
        h("thead", null, h("tr", null, h("th", null, ""), h("th", { class: "num", title: "Errors in the incident window" }, "incident"), h("th", { class: "num", title: "Errors in the baseline window" }, "before"), h("th", { class: "num" }, ""))),
        h(
          "tbody",
          null,
          items.map((item) => {
            const example = item.example;
            const value = example
              ? h("button", { class: "link mono", type: "button", title: `Show an example: ${citationLabel(example)}\n${item.value}`, on: { click: () => act.openCitation(example, item.value) } }, item.value)
              : h("span", { class: "mono", title: item.value }, item.value);
            const change = noveltyChange(item, n.comparable);
            return h(
              "tr",
              { class: item.rose ? "rose" : "flat", "data-testid": "novelty-item", data: { dim: d.key } },
              h("td", { class: "novelty-value" }, value),
              h("td", { class: "num" }, formatCount(item.incident, true)),
              h("td", { class: "num" }, formatCount(item.baseline, true)),
              h("td", { class: "num" }, change === "new" ? h("span", { class: "badge-new" }, "new") : change),
            );
          }),
        ),
      ),
    );
  }
  if (n.unobserved_sources.length) {
    const names = n.unobserved_sources.map((u) => `${shortPath(u.source)} (${formatCount(u.incident_errors)} errors)`).join(", ");
    body.push(h("p", { class: "muted" }, `Left out, not logging before the onset: ${names}.`));
  }
  for (const c of a.clock_suggestions) {
    const by = formatOffset(Math.abs(c.offset_ms)).slice(1);
    const way = c.offset_ms > 0 ? "behind" : "ahead of";
    const method = c.method === "request_ids" ? "the same request ids" : "the same error bursts";
    body.push(
      h(
        "p",
        { class: "clock-suggestion", "data-testid": "clock-suggestion" },
        `Clock: ${shortPath(c.source)} looks ${by} ${way} ${shortPath(c.reference)} (${c.pairs} matched events: ${method}); --offset ${shortPath(c.source)}=${formatOffset(c.offset_ms)} aligns it. `,
        h("button", { type: "button", class: "btn small", "data-testid": "clock-apply", title: `Read ${shortPath(c.source)} again with its clock moved by ${formatOffset(c.offset_ms)} (undo: set its clock back to 0 in Sources)`, on: { click: () => act.setClockOffset(c.source, formatOffset(c.offset_ms)) } }, "Apply"),
      ),
    );
  }
  const el = panel("What is new", head, body, "novelty");
  el.dataset.testid = "novelty";
  return el;
}

// ---- Timeline -------------------------------------------------------------------

/** Row height of the virtualized timeline (px); rows are one line, the tooltip has the rest. */
export const TIMELINE_ROW = 26;

export type TimelineRowsInput = {
  entries: TimelineEntry[];
  states: EntryStateDto[];
  hiddenEntries: HiddenEntryDto[];
  notes: NoteDto[];
  hiddenLanes: ReadonlySet<Lane>;
  zone: Zone;
  cursor: string | null;
  range: Range | null;
};

/** Where an entry comes from: the cited file and line (the rotated member, not the set's name), else its source. */
export function entryLocation(e: TimelineEntry): { label: string; title: string } {
  const c = e.citation;
  if (c) {
    const line = num(c.line);
    return { label: line > 0 ? `${shortPath(c.file)}:${line}` : shortPath(c.file), title: citationLabel(c) };
  }
  return { label: shortPath(e.source), title: e.source };
}

function entryRow(e: TimelineEntry, st: EntryStateDto | undefined, input: TimelineRowsInput, act: Actions): HTMLElement {
  const lane = laneOf(e.kind);
  const note = noteFor(e, input.notes);
  const c = e.citation;
  const zone = input.zone;
  const selected = input.cursor !== null && Date.parse(input.cursor) === Date.parse(e.time);
  const loc = entryLocation(e);
  const key = st?.key ?? "";
  const text = h(
    "div",
    { class: "tl-text", title: st?.renamed_from ? `${e.text}\n(renamed from: ${st.renamed_from})` : e.text },
    st?.pinned ? h("span", { class: "pin-flag", title: "Pinned: kept in the postmortem" }, "★") : null,
    e.suspect ? h("span", { class: "suspect-flag", title: "Suggested root cause" }, "suspect") : null,
    st?.renamed_from ? h("span", { class: "renamed-flag", title: `Renamed from: ${st.renamed_from}` }, "renamed") : null,
    shortenHashes(e.text),
  );
  const stop = (f: () => void) => (ev: MouseEvent) => {
    ev.stopPropagation();
    f();
  };
  const copyLine = act.copyLine;
  const copy = c && copyLine ? h("button", { class: "icon-btn", type: "button", title: "Copy line with citation (c)", "aria-label": "Copy line with citation", "data-testid": "tl-copy", on: { click: stop(() => copyLine(c.file, num(c.line), c.text)) } }, "❐") : null;
  const actions = note
    ? [h("button", { class: "icon-btn", type: "button", title: "Delete note", "aria-label": "Delete note", on: { click: stop(() => act.deleteNote(note)) } }, "✕")]
    : key
      ? [
          h("button", { class: `icon-btn ${st?.pinned ? "on" : ""}`, type: "button", title: st?.pinned ? "Unpin" : "Pin: keep in the postmortem whatever later analysis says", "aria-label": "Pin", "data-testid": "tl-pin", on: { click: stop(() => act.editEntry(key, { action: st?.pinned ? "unpin" : "pin" })) } }, st?.pinned ? "★" : "☆"),
          h("button", { class: "icon-btn", type: "button", title: "Rename this milestone", "aria-label": "Rename", "data-testid": "tl-rename", on: { click: stop(() => startRename(row, text, e.text, st?.renamed_from ?? null, (t) => act.editEntry(key, { action: "rename", text: t }))) } }, "✎"),
          h("button", { class: "icon-btn", type: "button", title: "Hide from the timeline and the postmortem", "aria-label": "Hide", "data-testid": "tl-hide", on: { click: stop(() => act.editEntry(key, { action: "hide" })) } }, "⊘"),
        ]
      : [];
  const row = h(
    "div",
    {
      class: `tl-row lane-${lane} ${e.suspect ? "is-suspect" : ""} ${selected ? "selected" : ""} ${c ? "clickable" : ""} ${st?.pinned ? "is-pinned" : ""}`,
      "data-testid": "timeline-entry",
      data: { kind: e.kind, time: e.time, key },
      on: {
        click: () => {
          act.pick(e.time);
          if (c) act.openCitation(c, kindLabel(e.kind));
        },
      },
    },
    h("span", { class: "tl-time mono", title: formatInstant(e.time, zone) }, formatInstant(e.time, zone, "time")),
    h("span", { class: "tl-kind" }, h("span", { class: `badge lane-${lane}` }, kindLabel(e.kind))),
    text,
    h(
      "span",
      { class: "tl-source mono", title: loc.title },
      loc.label,
      e.clock_offset_ms ? h("span", { class: "clock-flag", title: "This source's clock was corrected by the analyst (--offset)", "data-testid": "tl-clock" }, ` clock ${formatOffset(e.clock_offset_ms)}`) : null,
    ),
    h("span", { class: "tl-actions" }, copy, actions),
  );
  return row;
}

/** Swaps a row's text for an input; Enter saves, Escape cancels, an empty name restores the analysis's. */
function startRename(row: HTMLElement, cell: HTMLElement, current: string, original: string | null, save: (text: string) => void): void {
  const input = h("input", { type: "text", class: "tl-rename-input", value: current, "aria-label": "Milestone name", "data-testid": "tl-rename-input", placeholder: original ?? "" });
  const form = h(
    "form",
    { class: "tl-rename", on: { submit: (ev: SubmitEvent) => { ev.preventDefault(); save(input.value); }, click: (ev: MouseEvent) => ev.stopPropagation() } },
    input,
  );
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") row.replaceChild(cell, form);
  });
  row.replaceChild(form, cell);
  input.focus();
  input.select();
}

export function timelineView(input: TimelineRowsInput, act: Actions): HTMLElement {
  const { entries, hiddenLanes: hidden, zone } = input;
  const counts = laneCounts(entries);
  const chips: Child[] = LANES.map(({ lane, label }) =>
    h("button", { type: "button", class: `chip lane-chip lane-${lane} ${hidden.has(lane) ? "off" : "on"}`, "aria-pressed": String(!hidden.has(lane)), on: { click: () => act.toggleLane(lane) } }, `${label} ${counts[lane]}`),
  );
  const stateOf = new Map<TimelineEntry, EntryStateDto>();
  entries.forEach((e, i) => {
    const st = input.states[i];
    if (st) stateOf.set(e, st);
  });
  const shown = visibleEntries(entries, hidden).filter((e) => inRange(e.time, input.range));
  type Item = { day: string } | { entry: TimelineEntry };
  const items: Item[] = [];
  let day = "";
  for (const e of shown) {
    const d = dayOf(e.time, zone);
    if (d !== day) {
      day = d;
      items.push({ day: d });
    }
    items.push({ entry: e });
  }
  const tools: Child[] = [h("div", { class: "chips" }, chips)];
  if (input.range) tools.push(h("span", { class: "muted range-note", "data-testid": "timeline-range" }, `${shown.length} in ${formatInstant(new Date(input.range.from).toISOString(), zone, "time")}–${formatInstant(new Date(input.range.to).toISOString(), zone, "time")}`));
  let hiddenList: HTMLElement | null = null;
  if (input.hiddenEntries.length) {
    hiddenList = h(
      "details",
      { class: "hidden-entries", "data-testid": "hidden-entries" },
      h("summary", null, `${input.hiddenEntries.length} hidden`),
      h(
        "ul",
        null,
        input.hiddenEntries.map((x) =>
          h("li", null, h("span", { class: "mono" }, formatInstant(x.entry.time, zone, "time")), " ", h("span", null, shortenHashes(x.entry.text)), " ", h("button", { type: "button", class: "link", "data-testid": "tl-show", on: { click: () => act.editEntry(x.key, { action: "show" }) } }, "show")),
        ),
      ),
    );
  }
  const body = items.length
    ? virtualList(
        items,
        TIMELINE_ROW,
        (it) => ("day" in it ? h("div", { class: "day-row" }, it.day) : entryRow(it.entry, stateOf.get(it.entry), input, act)),
        { cls: "timeline-list", testid: "timeline-list" },
      ).el
    : h("p", { class: "muted" }, entries.length ? (input.range ? "Nothing in the visible range." : "All lanes are hidden.") : "No milestones yet.");
  return panel("Timeline", tools, [hiddenList, body], "timeline");
}

// ---- Sources --------------------------------------------------------------------

export const SOURCE_KINDS: readonly SourceKind[] = ["log", "deploys", "support", "alerts"];

export function sourcesView(rows: SourceRow[], zone: Zone, act: Actions, busy = false): HTMLElement {
  const body = rows.length
    ? h(
        "table",
        { class: "data-table sources-table" },
        h("thead", null, h("tr", null, ["Source", "Kind", "Format", "Zone", "Clock", "Records", "Unparsed", ""].map((t) => h("th", null, t)))),
        h(
          "tbody",
          null,
          rows.map((r) => {
            const s = r.summary;
            const unparsed = num(s.unparsed);
            const range = s.first ? `${formatInstant(s.first, zone)} → ${formatInstant(s.last, zone)}` : "no timed records";
            const kind = h("select", { class: "src-kind", "aria-label": "Kind", "data-testid": "source-kind", disabled: busy }, SOURCE_KINDS.map((k) => h("option", { value: k, selected: k === s.kind }, k)));
            const tz = h("input", { type: "text", class: "src-tz mono", value: s.tz, "aria-label": "Zone of timestamps without one", "data-testid": "source-tz", spellcheck: false, disabled: busy });
            const apply = h("button", { type: "button", class: "btn small", hidden: true, "data-testid": "source-apply", title: "Read this source again as this kind, in this zone", on: { click: () => act.correctSource(s.path, kind.value as SourceKind, tz.value.trim()) } }, "Re-read");
            const dirty = () => {
              apply.hidden = kind.value === s.kind && tz.value.trim() === s.tz;
            };
            kind.addEventListener("change", dirty);
            tz.addEventListener("input", dirty);
            tz.addEventListener("keydown", (ev) => {
              if (ev.key === "Enter" && !apply.hidden) apply.click();
            });
            const clock = clockCell(s.path, s.clock_offset_ms, act, busy);
            // A reopened case's inputs are not read until granted or confirmed: say which, and why.
            const unavailable = r.unavailable ? h("span", { class: "warn-tag", "data-testid": "source-unavailable", title: r.unavailable.message }, `unavailable: ${r.unavailable.message}`) : null;
            return h(
              "tr",
              { "data-testid": "source-row", data: { path: s.path }, title: `${s.path}\n${range}\n${formatBytes(s.bytes)}${r.notes.length ? "\n" + r.notes.join("\n") : ""}` },
              h("td", { class: "mono src-path" }, shortPath(s.path), s.complete ? null : h("span", { class: "warn-tag" }, "incomplete"), unavailable, r.notes.length ? h("span", { class: "note-tag" }, `${r.notes.length} note${r.notes.length > 1 ? "s" : ""}`) : null),
              h("td", null, kind),
              h("td", { class: "mono" }, s.format),
              h("td", null, tz),
              h("td", null, clock),
              h("td", { class: "num" }, formatCount(s.records)),
              h("td", { class: `num ${unparsed > 0 ? "warn" : ""}` }, formatCount(unparsed)),
              h("td", null, apply),
            );
          }),
        ),
      )
    : h("p", { class: "muted" }, "No sources.");
  const unavailable = rows.filter((r) => r.unavailable).length;
  const tools = unavailable
    ? h(
        "span",
        { class: "muted" },
        `${rows.length} · ${unavailable} unavailable (not searched or quoted) `,
        h("button", { type: "button", class: "btn small", "data-testid": "confirm-case-folder", title: "Choose the folder of this case's inputs: files whose size and hash match the case become readable", on: { click: () => act.confirmCaseFolder() } }, "Confirm input folder…"),
      )
    : h("span", { class: "muted" }, `${rows.length} · correct a kind, zone or clock and re-read`);
  return panel("Sources", tools, body, "sources");
}

/** A source's clock correction: the offset as the CLI's --offset takes it, set with Enter or the button, undone with ✕. */
function clockCell(path: string, offsetMs: number, act: Actions, busy: boolean): HTMLElement {
  const now = offsetMs === 0 ? "0" : formatOffset(offsetMs);
  const input = h("input", { type: "text", class: "src-clock mono", value: now, "aria-label": "Clock offset of this source (+40s, -1m30s, 0)", "data-testid": "source-offset", spellcheck: false, disabled: busy, title: "Move every timestamp of this source: +40s when its clock is 40 s behind. 0 undoes it." });
  const set = h("button", { type: "button", class: "btn small", hidden: true, "data-testid": "source-offset-apply", title: "Read this source again with its clock moved", on: { click: () => act.setClockOffset(path, input.value.trim() || "0") } }, "Set");
  const undo = offsetMs === 0 ? null : h("button", { type: "button", class: "icon-btn", "aria-label": `Undo the clock correction (${now})`, "data-testid": "source-offset-undo", disabled: busy, on: { click: () => act.setClockOffset(path, "0") } }, "✕");
  input.addEventListener("input", () => (set.hidden = input.value.trim() === now));
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !set.hidden) set.click();
  });
  return h("span", { class: "src-clock-cell" }, input, set, undo);
}

// ---- Search results and raw lines ---------------------------------------------

/** Row height of the virtualized search results (px). */
export const HIT_ROW = 22;

export function searchView(s: SearchState, zone: Zone, act: Actions): HTMLElement {
  const bounds = s.from || s.to ? ` · ${s.from ? formatInstant(s.from, zone) : "…"} → ${s.to ? formatInstant(s.to, zone) : "…"}` : "";
  const status = s.error
    ? h("span", { class: "error-text" }, s.error)
    : s.running
      ? h("span", { class: "muted" }, `Searching… ${s.hits.length}`)
      : h("span", { class: "muted", "data-testid": "search-status" }, `${s.hits.length} hit${s.hits.length === 1 ? "" : "s"}${s.summary?.truncated ? " (limit reached)" : ""}${bounds}`);
  const list = virtualList(
    s.hits,
    HIT_ROW,
    (hit) =>
      h(
        "div",
        { class: "hit", "data-testid": "search-hit", data: { time: hit.time ?? "" }, on: { click: () => act.openHit(hit) } },
        h("span", { class: "hit-time mono" }, hit.time ? formatInstant(hit.time, zone) : "—"),
        h("span", { class: "hit-loc mono", title: `${hit.file}:${hit.line}` }, `${shortPath(hit.file)}:${hit.line}`),
        h("span", { class: "hit-text mono", title: hit.text }, highlight(hit.text, s.pattern, s.literal)),
      ),
    { cls: "hits", testid: "search-hits", maxHeight: 260 },
  );
  return panel(
    ["Search ", h("span", { class: "mono query" }, s.pattern)],
    [status, h("button", { class: "icon-btn", type: "button", title: "Close search", "aria-label": "Close search", on: { click: act.closeSearch } }, "✕")],
    list.el,
    "search-results",
  );
}

export function excerptView(e: ExcerptState, act: Actions): HTMLElement {
  const body = e.error
    ? h("p", { class: "error-text" }, e.error)
    : !e.data
      ? h("p", { class: "muted" }, "Reading…")
      : h(
          "pre",
          { class: "excerpt", "data-testid": "excerpt" },
          e.data.lines.map((l) => h("div", { class: `ex-line ${l.in_record ? "in-record" : ""}` }, h("span", { class: "ex-no" }, l.line == null ? "" : String(l.line)), h("span", { class: "ex-text" }, l.text))),
        );
  const data = e.data;
  const rec = data?.lines.find((l) => l.in_record);
  const copyLine = act.copyLine;
  return panel(
    ["Raw lines ", h("span", { class: "muted mono" }, e.data ? shortPath(e.data.file) : e.title)],
    [
      data && rec && copyLine ? h("button", { class: "btn small", type: "button", title: "Copy the line with its file:line citation, as Markdown (c)", "data-testid": "copy-line", on: { click: () => copyLine(data.file, rec.line, rec.text) } }, "Copy line with citation") : null,
      h("button", { class: "icon-btn", type: "button", title: "Close (Esc)", "aria-label": "Close raw lines", on: { click: act.closeExcerpt } }, "✕"),
    ],
    body,
    "excerpt-panel",
  );
}
