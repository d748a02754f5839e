// The main screen: layout, the actions behind every button, and which part
// re-renders when the state changes. Data comes from `ipc`, state lives in
// `Store`, panels are built by `views/panels.ts`.
import * as ipc from "./ipc";
import type { Citation } from "./ipc/bindings/Citation";
import { h, mount } from "./lib/dom";
import { applyProgress, defaultNoteTime, EXPORT_FORMATS, exportFileName, progressFraction, Store, TEMPLATES, toggleLane, type State } from "./lib/store";
import { formatInstant, parseWallTime, parseZone, zoneChoices, zoneLabel, zoneSpec, UTC } from "./lib/time";
import { formatCount, shortPath } from "./lib/format";
import { ErrorChart } from "./views/chart";
import { excerptView, metricsView, searchView, sourcesView, suspectsView, timelineView, type Actions } from "./views/panels";

export class App {
  private store = new Store();
  private chart: ErrorChart;
  private el = {
    title: h("span", { class: "case-title" }),
    zone: h("select", { class: "zone-select", title: "Show times in", "aria-label": "Display time zone" }),
    searchInput: h("input", { type: "search", placeholder: "Search raw lines (regex)…", spellcheck: false, "aria-label": "Search", "data-testid": "search-input" }),
    literal: h("input", { type: "checkbox", title: "Literal text, not a regex" }),
    exportFormat: h("select", { "aria-label": "Export format" }),
    exportTemplate: h("select", { "aria-label": "Postmortem template" }),
    status: h("div", { class: "statusbar" }),
    noteBar: h("div", { class: "note-bar", hidden: true }),
    main: h("main", { class: "workspace" }),
    summary: h("div", { class: "slot-summary" }),
    chartPanel: h("section", { class: "panel chart-panel" }),
    timeline: h("div", { class: "slot-timeline" }),
    suspects: h("div", { class: "slot-suspects" }),
    sources: h("div", { class: "slot-sources" }),
    inspector: h("div", { class: "inspector", hidden: true }),
    toast: h("div", { class: "toast", hidden: true, role: "status" }),
    drop: h("div", { class: "drop-overlay", hidden: true }, h("div", null, "Drop files or folders to add them to the case")),
  };
  private busyButtons: HTMLButtonElement[] = [];
  private readyButtons: HTMLButtonElement[] = [];

  private actions: Actions = {
    openCitation: (c, title) => void this.openCitation(c, title),
    openHit: (hit) => void this.showExcerpt(`${shortPath(hit.file)}:${hit.line}`, hit.file, hit.offset, hit.text.length, hit.line),
    pick: (iso) => this.store.set({ cursor: iso }),
    toggleLane: (lane) => this.store.set((s) => ({ hiddenLanes: toggleLane(s.hiddenLanes, lane) })),
    deleteNote: (note) => void this.deleteNote(note.id),
    closeExcerpt: () => this.store.set({ excerpt: null }),
    closeSearch: () => this.store.set({ search: null }),
  };

  constructor(private root: HTMLElement) {
    this.chart = new ErrorChart((iso) => this.store.set({ cursor: iso }));
  }

  start(): void {
    this.layout();
    this.store.subscribe((s, prev) => this.render(s, prev));
    this.render(this.store.get(), null);
    if (ipc.inTauri()) {
      void ipc.onDrop((d) => {
        if (d.kind === "over") this.store.set({ dragOver: true });
        else if (d.kind === "leave") this.store.set({ dragOver: false });
        else {
          this.store.set({ dragOver: false });
          void this.addPaths(d.paths);
        }
      });
    } else {
      this.toast("error", "Not running inside the Faultline app: commands are unavailable.");
    }
  }

  // ---- layout (built once) ----------------------------------------------------

  private button(label: string, onClick: () => void, opts: { cls?: string; title?: string; testid?: string; needsCase?: boolean } = {}): HTMLButtonElement {
    const b = h("button", { type: "button", class: `btn ${opts.cls ?? ""}`, title: opts.title ?? "", "data-testid": opts.testid ?? "", on: { click: onClick } }, label);
    this.busyButtons.push(b);
    if (opts.needsCase) this.readyButtons.push(b);
    return b;
  }

  private layout(): void {
    const e = this.el;
    for (const f of EXPORT_FORMATS) e.exportFormat.append(h("option", { value: f.id }, f.label));
    for (const t of TEMPLATES) e.exportTemplate.append(h("option", { value: t.id }, t.label));
    e.zone.addEventListener("change", () => {
      const z = parseZone(e.zone.value);
      if (z) this.store.set({ zone: z });
    });
    const searchForm = h(
      "form",
      { class: "search-form", on: { submit: (ev: SubmitEvent) => { ev.preventDefault(); void this.runSearch(); } } },
      e.searchInput,
      h("label", { class: "literal", title: "Match the text literally instead of as a regular expression" }, e.literal, "literal"),
      h("button", { type: "submit", class: "btn", "data-testid": "search-button" }, "Search"),
    );
    const toolbar = h(
      "header",
      { class: "toolbar" },
      h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }), "Faultline"),
      e.title,
      h(
        "div",
        { class: "group" },
        this.button("Open…", () => void this.pickAndAdd(false), { title: "Add log files, deploy history, support or alert exports to the case" }),
        this.button("Folder…", () => void this.pickAndAdd(true), { title: "Add every source in a folder to the case" }),
        this.button("Sample", () => void this.openSample(), { title: "Open the built-in sample incident (replaces the case)", cls: "subtle" }),
      ),
      searchForm,
      h("div", { class: "spacer" }),
      h("label", { class: "zone-label" }, "Times in", e.zone),
      this.button("Add note", () => this.store.set((s) => ({ noteFormOpen: !s.noteFormOpen })), { testid: "add-note", needsCase: true }),
      h("div", { class: "group export-group" }, e.exportFormat, e.exportTemplate, this.button("Export…", () => void this.exportReport(), { cls: "primary", title: "Export the postmortem in the chosen format and layout", testid: "export", needsCase: true })),
    );
    const side = h("aside", { class: "col-side" }, e.suspects, e.sources);
    const center = h("div", { class: "col-main" }, e.summary, e.chartPanel, e.timeline);
    e.chartPanel.append(
      h("header", { class: "panel-head" }, h("h2", null, "Error rate"), h("div", { class: "panel-tools muted" }, "Shaded: incident window · dashed: changes · red: suspect · click to pick an instant")),
      h("div", { class: "panel-body" }, this.chart.el),
    );
    mount(e.main, center, side);
    mount(this.root, toolbar, e.noteBar, e.status, e.main, e.inspector, e.toast, e.drop);
  }

  // ---- rendering ---------------------------------------------------------------

  private render(s: State, prev: State | null): void {
    const e = this.el;
    const changed = <K extends keyof State>(...keys: K[]) => prev === null || keys.some((k) => s[k] !== prev[k]);
    if (changed("title")) e.title.textContent = s.title ?? "";
    if (changed("zone", "caseZone")) {
      const choices = zoneChoices(s.caseZone);
      const current = zoneSpec(s.zone);
      if (!choices.some((c) => c.spec === current)) choices.push({ spec: current, label: zoneLabel(s.zone) });
      mount(e.zone, choices.map((c) => h("option", { value: c.spec, selected: c.spec === current }, c.label)));
      e.zone.value = current;
    }
    if (changed("phase")) {
      for (const b of this.busyButtons) b.disabled = s.phase === "loading";
      for (const b of this.readyButtons) b.disabled = s.phase !== "ready";
      this.root.dataset.phase = s.phase;
    }
    if (changed("progress", "phase")) this.renderStatus(s);
    if (changed("noteFormOpen", "cursor", "zone")) this.renderNoteBar(s);
    if (changed("phase", "ingestTz") && s.phase === "empty") mount(e.main, this.emptyState(s));
    if (s.phase !== "empty" && prev && prev.phase === "empty") {
      mount(e.main, h("div", { class: "col-main" }, e.summary, e.chartPanel, e.timeline), h("aside", { class: "col-side" }, e.suspects, e.sources));
    }
    if (s.analysis) {
      const a = s.analysis;
      if (changed("analysis", "zone")) {
        mount(e.summary, metricsView(a, s.zone));
        this.chart.render(a, s.zone);
        this.chart.setPicked(s.cursor);
        mount(e.suspects, suspectsView(a, s.zone, this.actions));
      } else if (changed("cursor")) {
        this.chart.setPicked(s.cursor);
      }
      if (changed("analysis", "zone", "notes", "hiddenLanes", "cursor")) mount(e.timeline, timelineView(a.timeline, s.notes, s.hiddenLanes, s.zone, s.cursor, this.actions));
      if (changed("sources", "zone")) mount(e.sources, sourcesView(s.sources, s.zone));
    }
    if (changed("search", "excerpt", "zone")) {
      const parts = [s.search ? searchView(s.search, s.zone, this.actions) : null, s.excerpt ? excerptView(s.excerpt, this.actions) : null].filter((x): x is HTMLElement => x !== null);
      e.inspector.hidden = parts.length === 0;
      e.inspector.dataset.count = String(parts.length);
      mount(e.inspector, parts);
    }
    if (changed("toast")) {
      e.toast.hidden = !s.toast;
      e.toast.className = `toast ${s.toast?.kind ?? ""}`;
      mount(e.toast, s.toast ? [h("span", null, s.toast.text), h("button", { class: "icon-btn", type: "button", "aria-label": "Dismiss", on: { click: () => this.store.set({ toast: null }) } }, "✕")] : null);
    }
    if (changed("dragOver")) e.drop.hidden = !s.dragOver;
  }

  private renderStatus(s: State): void {
    const p = s.progress;
    if (s.phase !== "loading" || !p) {
      this.el.status.hidden = true;
      return;
    }
    this.el.status.hidden = false;
    const pct = Math.round(progressFraction(p) * 100);
    mount(
      this.el.status,
      h("div", { class: "progress" }, h("div", { class: "progress-fill", style: { width: `${pct}%` } })),
      h("span", null, `Reading sources: ${p.finished}/${p.planned || "?"} · ${formatCount(p.records)} records`),
      p.current ? h("span", { class: "muted mono" }, shortPath(p.current)) : null,
      h("button", { type: "button", class: "btn subtle", on: { click: () => void ipc.cancelIngest() } }, "Cancel"),
    );
  }

  private renderNoteBar(s: State): void {
    const bar = this.el.noteBar;
    bar.hidden = !s.noteFormOpen;
    if (!s.noteFormOpen) {
      bar.replaceChildren();
      return;
    }
    const time = h("input", { type: "text", class: "mono note-time", value: formatInstant(defaultNoteTime(s), s.zone), "aria-label": "Note time", "data-testid": "note-time", spellcheck: false });
    const text = h("input", { type: "text", class: "note-text", placeholder: "What happened at this instant?", "aria-label": "Note text", "data-testid": "note-text" });
    const form = h(
      "form",
      {
        class: "note-form",
        on: {
          submit: (ev: SubmitEvent) => {
            ev.preventDefault();
            void this.addNote(time.value, text.value);
          },
        },
      },
      h("strong", null, "Note at"),
      time,
      h("span", { class: "muted" }, zoneLabel(s.zone)),
      text,
      h("button", { type: "submit", class: "btn primary", "data-testid": "note-save" }, "Add note"),
      h("button", { type: "button", class: "btn subtle", on: { click: () => this.store.set({ noteFormOpen: false }) } }, "Cancel"),
    );
    mount(bar, form);
    queueMicrotask(() => text.focus());
  }

  private emptyState(s: State): HTMLElement {
    const tz = h("select", { "aria-label": "Zone of timestamps without one" }, zoneChoices(null).map((c) => h("option", { value: c.spec, selected: c.spec === s.ingestTz }, c.label)));
    tz.addEventListener("change", () => this.store.set({ ingestTz: tz.value }));
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
          h("button", { type: "button", class: "btn primary big", "data-testid": "open-sample", on: { click: () => void this.openSample() } }, "Open the sample incident"),
          h("button", { type: "button", class: "btn big", on: { click: () => void this.pickAndAdd(false) } }, "Open files…"),
          h("button", { type: "button", class: "btn big", on: { click: () => void this.pickAndAdd(true) } }, "Open folder…"),
        ),
        h("label", { class: "empty-tz" }, "Timestamps written without a zone are in ", tz),
        h("p", { class: "muted small" }, "Nothing leaves this machine: files are read in place and the case lives in a temporary file."),
      ),
    );
  }

  // ---- actions -----------------------------------------------------------------

  private toast(kind: "error" | "info", text: string): void {
    this.store.set({ toast: { kind, text } });
  }

  private fail(e: unknown): void {
    const err = ipc.asIpcError(e);
    this.toast("error", err.message);
  }

  private async refresh(): Promise<void> {
    const s = this.store.get();
    const [analysis, sources, notes] = await Promise.all([ipc.analyze(zoneSpec(s.zone)), ipc.sources(), ipc.notes()]);
    this.store.set({ analysis, sources, notes, phase: "ready" });
  }

  private async openSample(): Promise<void> {
    const before = this.store.get().phase;
    this.store.set({ phase: "loading", progress: null, search: null, excerpt: null, cursor: null });
    try {
      const opened = await ipc.openSample((ev) => this.store.set((s) => ({ progress: applyProgress(s.progress, ev) })));
      const zone = parseZone(opened.display_tz) ?? UTC;
      this.store.set({ title: opened.title, caseZone: zone, zone, ingestTz: opened.display_tz });
      await this.refresh();
    } catch (e) {
      this.store.set({ phase: before === "loading" ? "empty" : before });
      this.fail(e);
    }
  }

  private async pickAndAdd(folder: boolean): Promise<void> {
    try {
      const paths = await ipc.pickInputs(folder);
      if (paths && paths.length) await this.addPaths(paths);
    } catch (e) {
      this.fail(e);
    }
  }

  async addPaths(paths: string[]): Promise<void> {
    const before = this.store.get().phase;
    this.store.set({ phase: "loading", progress: null });
    try {
      const r = await ipc.ingestPaths(paths, this.store.get().ingestTz, (ev) => this.store.set((s) => ({ progress: applyProgress(s.progress, ev) })));
      if (!this.store.get().title) this.store.set({ title: paths.length === 1 ? shortPath(paths[0]!) : `${paths.length} inputs` });
      await this.refresh();
      if (r.problems.length) this.toast("error", `Some inputs were skipped: ${r.problems.join("; ")}`);
      else if (r.cancelled) this.toast("info", "Ingest cancelled: some sources are incomplete.");
    } catch (e) {
      this.store.set({ phase: before === "loading" ? "empty" : before });
      this.fail(e);
    }
  }

  private async runSearch(): Promise<void> {
    const pattern = this.el.searchInput.value;
    if (!pattern.trim()) return;
    const literal = this.el.literal.checked;
    this.store.set({ search: { pattern, literal, hits: [], summary: null, running: true, error: null } });
    // Hits arrive one message each; render at most once a frame.
    let pending: ipc.SearchHitDto[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      const batch = pending;
      pending = [];
      this.store.set((s) => (s.search && s.search.pattern === pattern ? { search: { ...s.search, hits: s.search.hits.concat(batch) } } : {}));
    };
    try {
      const summary = await ipc.search({ pattern, literal, max: 500 }, (hit) => {
        pending.push(hit);
        if (!scheduled) {
          scheduled = true;
          requestAnimationFrame(flush);
        }
      });
      flush();
      this.store.set((s) => (s.search ? { search: { ...s.search, summary, running: false } } : {}));
    } catch (e) {
      const err = ipc.asIpcError(e);
      this.store.set((s) => (s.search ? { search: { ...s.search, running: false, error: err.message } } : {}));
    }
  }

  private async openCitation(c: Citation, title: string): Promise<void> {
    await this.showExcerpt(title, c.file, Number(c.offset), Math.max(1, c.text.length), Number(c.line));
  }

  private async showExcerpt(title: string, file: string, offset: number, len: number, line: number): Promise<void> {
    this.store.set({ excerpt: { title, data: null, error: null } });
    try {
      const data = await ipc.excerpt(file, offset, len, line);
      this.store.set({ excerpt: { title, data, error: null } });
    } catch (e) {
      this.store.set({ excerpt: { title, data: null, error: ipc.asIpcError(e).message } });
    }
  }

  private async addNote(timeText: string, text: string): Promise<void> {
    const s = this.store.get();
    const ms = parseWallTime(timeText, s.zone);
    if (ms === null) {
      this.toast("error", `"${timeText}" is not a time: write it as YYYY-MM-DD HH:MM[:SS] in ${zoneLabel(s.zone)}.`);
      return;
    }
    if (!text.trim()) {
      this.toast("error", "The note is empty.");
      return;
    }
    try {
      const iso = new Date(ms).toISOString();
      await ipc.addNote(iso, text);
      this.store.set({ noteFormOpen: false, cursor: iso });
      await this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }

  private async deleteNote(id: number): Promise<void> {
    try {
      await ipc.deleteNote(id);
      await this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }

  private async exportReport(): Promise<void> {
    const s = this.store.get();
    const fmt = EXPORT_FORMATS.find((f) => f.id === this.el.exportFormat.value) ?? EXPORT_FORMATS[0]!;
    try {
      const path = await ipc.pickSavePath(exportFileName(s.title, s.analysis?.incident?.onset, fmt.ext), [fmt.ext], fmt.label);
      if (!path) return;
      const r = await ipc.exportReport(fmt.id, this.el.exportTemplate.value, zoneSpec(s.zone), path);
      this.toast("info", `Saved ${fmt.label} postmortem to ${r.path} (${formatCount(r.bytes)} bytes).`);
    } catch (e) {
      this.fail(e);
    }
  }
}
