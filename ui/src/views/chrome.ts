// The parts of the window around the panels: the ingest status bar, the note
// form, and the empty state shown before any case is open.
import type { RecentCaseDto } from "../ipc/bindings/RecentCaseDto";
import { h } from "../lib/dom";
import { formatBytes, formatCount, shortPath } from "../lib/format";
import { fileFraction, progressFraction, recentChoices, type Progress } from "../lib/store";
import { formatInstant, zoneChoices, zoneLabel, type Zone } from "../lib/time";

export function statusView(p: Progress, onCancel: () => void): HTMLElement[] {
  const pct = Math.round(progressFraction(p) * 100);
  const files = (p.files ?? []).filter((f) => !f.done || f.bytes > 0).slice(-6);
  const head = h(
    "div",
    { class: "status-head" },
    h("div", { class: "progress" }, h("div", { class: "progress-fill", style: { width: `${pct}%` } })),
    h("span", null, `Reading sources: ${p.finished}/${p.planned || "?"} · ${formatCount(p.records)} records`),
    h("button", { type: "button", class: "btn subtle", "data-testid": "cancel-ingest", on: { click: onCancel } }, "Cancel"),
  );
  if (!files.length) return [head];
  return [
    head,
    h(
      "div",
      { class: "file-progress" },
      files.map((f) =>
        h(
          "div",
          { class: `file-row ${f.done ? "done" : ""}`, "data-testid": "file-progress", title: f.path },
          h("span", { class: "mono file-name" }, shortPath(f.path)),
          h("div", { class: "progress small" }, h("div", { class: "progress-fill", style: { width: `${Math.round(fileFraction(f) * 100)}%` } })),
          h("span", { class: "muted mono" }, `${formatBytes(Math.min(f.read, Math.max(f.read, f.bytes)))} / ${formatBytes(f.bytes)} · ${formatCount(f.records)} rec${f.rate > 0 && !f.done ? ` · ${formatBytes(f.rate)}/s` : ""}`),
        ),
      ),
    ),
  ];
}

export type NoteFormActions = { save: (time: string, text: string) => void; cancel: () => void };

/** The form of a new note, its time prefilled (`defaultTime`, UTC ISO) in the display zone. */
export function noteFormView(defaultTime: string, zone: Zone, on: NoteFormActions): { form: HTMLElement; focus: HTMLInputElement } {
  const time = h("input", { type: "text", class: "mono note-time", value: formatInstant(defaultTime, zone), "aria-label": "Note time", "data-testid": "note-time", spellcheck: false });
  const text = h("input", { type: "text", class: "note-text", placeholder: "What happened at this instant?", "aria-label": "Note text", "data-testid": "note-text" });
  const form = h(
    "form",
    {
      class: "note-form",
      on: {
        submit: (ev: SubmitEvent) => {
          ev.preventDefault();
          on.save(time.value, text.value);
        },
      },
    },
    h("strong", null, "Note at"),
    time,
    h("span", { class: "muted" }, zoneLabel(zone)),
    text,
    h("button", { type: "submit", class: "btn primary", "data-testid": "note-save" }, "Add note"),
    h("button", { type: "button", class: "btn subtle", on: { click: on.cancel } }, "Cancel"),
  );
  return { form, focus: text };
}

export type EmptyActions = {
  openSample: () => void;
  pickFiles: () => void;
  pickFolder: () => void;
  pickCase: () => void;
  openCaseAt: (path: string) => void;
  setIngestTz: (tz: string) => void;
};

export function emptyStateView(ingestTz: string, recent: RecentCaseDto[], on: EmptyActions): HTMLElement {
  const tz = h("select", { "aria-label": "Zone of timestamps without one" }, zoneChoices(null).map((c) => h("option", { value: c.spec, selected: c.spec === ingestTz }, c.label)));
  tz.addEventListener("change", () => on.setIngestTz(tz.value));
  return h(
    "div",
    { class: "empty", "data-testid": "empty-state" },
    h(
      "div",
      { class: "empty-card" },
      h("h1", null, "Drop an incident's evidence here"),
      h("p", null, "Server and application logs (nginx, syslog, JSON, logfmt, gunicorn…), deploy and config history, support tickets and alert exports — files, folders or .gz. Faultline lines them up in one timeline, finds the onset and ranks the changes that could have caused it."),
      h(
        "div",
        { class: "empty-actions" },
        h("button", { type: "button", class: "btn primary big", "data-testid": "open-sample", on: { click: on.openSample } }, "Open the sample incident"),
        h("button", { type: "button", class: "btn big", on: { click: on.pickFiles } }, "Open files…"),
        h("button", { type: "button", class: "btn big", on: { click: on.pickFolder } }, "Open folder…"),
        h("button", { type: "button", class: "btn big", on: { click: on.pickCase } }, "Open case…"),
      ),
      h("label", { class: "empty-tz" }, "Timestamps written without a zone are in ", tz),
      recentList(recent, on.openCaseAt),
      h("p", { class: "muted small" }, "Nothing leaves this machine: files are read in place and the case lives in a temporary file."),
    ),
  );
}

function recentList(recent: RecentCaseDto[], open: (path: string) => void): HTMLElement | null {
  const choices = recentChoices(recent);
  if (!choices.length) return null;
  return h(
    "div",
    { class: "recent", "data-testid": "recent-cases" },
    h("h2", null, "Recent cases"),
    h(
      "ul",
      null,
      choices.map((c) =>
        h("li", null, h("button", { type: "button", class: "link recent-case", title: c.path, "data-testid": "recent-case", on: { click: () => open(c.path) } }, c.name), h("span", { class: "muted small mono" }, ` ${c.folder}`)),
      ),
    ),
  );
}
