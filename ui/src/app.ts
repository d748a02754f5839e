// The main screen: the layout, built once, and which part re-renders when
// the state changes. What the buttons do lives in `actions.ts`, the panels in
// `views/`, and drawing spread over frames in `lib/frames.ts`.
import * as ipc from "./ipc";
import { AppActions, CUSTOM_TEMPLATE } from "./actions";
import { h, mount } from "./lib/dom";
import { FrameQueue } from "./lib/frames";
import { defaultNoteTime, EXPORT_FORMATS, fullRange, inRange, Store, TEMPLATES, toggleLane, type State } from "./lib/store";
import { dayOf, formatInstant, parseZone, searchZones, zoneLabel, zoneOptions, zoneSpec, type ZoneOption } from "./lib/time";
import { isActivatable, isTypingTarget, shortcutFor, stepSelection, type ShortcutId } from "./lib/keys";
import { ThemeController } from "./lib/theme";
import { kindLabel, visibleEntries } from "./lib/timeline";
import { labelShortcuts, ShortcutsSheet } from "./views/shortcuts";
import { shortPath } from "./lib/format";
import { AboutPanel } from "./views/about";
import { ErrorChart } from "./views/chart";
import { LaneStrip } from "./views/lanes";
import { emptyStateView, noteFormView, statusView } from "./views/chrome";
import { excerptView, metricsView, noveltyView, partialView, searchView, sourcesView, suspectsView, TIMELINE_ROW, timelineView, type Actions } from "./views/panels";

export class App {
  private store = new Store();
  private chart: ErrorChart;
  private lanes: LaneStrip;
  private act: AppActions;
  private frames = new FrameQueue();
  private el = {
    title: h("span", { class: "case-title" }),
    zone: h("input", { type: "text", class: "zone-input mono", title: "Show times in: UTC, local, an offset like +05:30 or any IANA zone (type to search)", "aria-label": "Display time zone", "data-testid": "zone-input", spellcheck: false, autocomplete: "off" }),
    zoneList: h("datalist", { id: "zone-options" }),
    themeToggle: h("button", { type: "button", class: "btn subtle", "data-testid": "theme-toggle" }),
    searchInput: h("input", { type: "search", placeholder: "Search raw lines (regex)…", spellcheck: false, "aria-label": "Search", "data-testid": "search-input" }),
    literal: h("input", { type: "checkbox", title: "Literal text, not a regex" }),
    searchFrom: h("input", { type: "text", class: "mono search-time", placeholder: "from", "aria-label": "Search from (display zone)", "data-testid": "search-from", spellcheck: false }),
    searchTo: h("input", { type: "text", class: "mono search-time", placeholder: "to", "aria-label": "Search to (display zone)", "data-testid": "search-to", spellcheck: false }),
    visibleOnly: h("input", { type: "checkbox", title: "Only lines in the chart's visible range", "data-testid": "search-visible" }),
    chartTools: h("div", { class: "panel-tools" }),
    exportFormat: h("select", { "aria-label": "Export format" }),
    exportTemplate: h("select", { "aria-label": "Postmortem template" }),
    exportRedact: h("input", { type: "checkbox", checked: true, "aria-label": "Redact before export", "data-testid": "export-redact" }),
    status: h("div", { class: "statusbar" }),
    noteBar: h("div", { class: "note-bar", hidden: true }),
    main: h("main", { class: "workspace" }),
    partial: h("div", { class: "slot-partial" }),
    summary: h("div", { class: "slot-summary" }),
    chartPanel: h("section", { class: "panel chart-panel" }),
    timeline: h("div", { class: "slot-timeline" }),
    suspects: h("div", { class: "slot-suspects" }),
    novelty: h("div", { class: "slot-novelty" }),
    sources: h("div", { class: "slot-sources" }),
    inspector: h("div", { class: "inspector", hidden: true }),
    toast: h("div", { class: "toast", hidden: true, role: "status" }),
    drop: h("div", { class: "drop-overlay", hidden: true }, h("div", null, "Drop files or folders to add them to the case")),
  };
  private about = new AboutPanel(() => ipc.appInfo());
  private sheet = new ShortcutsSheet();
  private theme = new ThemeController();
  /** The zone picker's options for the case's zone they were built with (built on first use: ~500 labels). */
  private zoneOpts: { caseZone: State["caseZone"]; options: ZoneOption[] } | null = null;
  /** The timeline row the keys last moved to (rows can share an instant). */
  private tlIndex: number | null = null;
  private busyButtons: HTMLButtonElement[] = [];
  private readyButtons: HTMLButtonElement[] = [];

  /** What the panels may ask for. */
  private actions: Actions;

  constructor(private root: HTMLElement) {
    this.chart = new ErrorChart(
      (iso) => this.store.set({ cursor: iso }),
      (range) => this.store.set({ range }),
    );
    this.act = new AppActions(this.store, () => this.chart.toPng(this.lanes.canvasElement()));
    const act = this.act;
    this.lanes = new LaneStrip(
      this.chart,
      (c, title) => void act.openCitation(c, title),
      (lane) => this.store.set((s) => ({ hiddenLanes: toggleLane(s.hiddenLanes, lane) })),
    );
    this.actions = {
      openCitation: (c, title) => void act.openCitation(c, title),
      openHit: (hit) => act.openHit(hit),
      pick: (iso) => this.store.set({ cursor: iso }),
      toggleLane: (lane) => this.store.set((s) => ({ hiddenLanes: toggleLane(s.hiddenLanes, lane) })),
      deleteNote: (note) => void act.deleteNote(note.id),
      closeExcerpt: () => act.closeExcerpt(),
      closeSearch: () => this.store.set({ search: null }),
      editEntry: (key, edit) => void act.editEntry(key, edit),
      correctSource: (path, kind, tz) => void act.correctSource(path, kind, tz),
      setClockOffset: (path, offset) => void act.setClockOffset(path, offset),
      pickBaseline: () => {
        this.store.set({ toast: { kind: "info", text: "Drag on the chart over the period to compare the incident with (Esc cancels)." } });
        this.chart.el.scrollIntoView({ block: "nearest" });
        this.chart.pickRange((r) => void act.chooseBaseline(r));
      },
      resetBaseline: () => void act.chooseBaseline(null),
      confirmCaseFolder: () => void act.confirmCaseFolder(),
      chooseIncident: (n) => void act.chooseIncident(n),
      copyLine: (file, line, text) => void act.copyLine(file, line, text),
    };
  }

  start(): void {
    this.layout();
    document.addEventListener("keydown", (ev) => this.onKey(ev));
    this.theme.onChange(() => {
      this.renderThemeToggle();
      if (this.store.get().analysis || this.store.get().preview) this.drawChart();
    });
    this.store.subscribe((s, prev) => this.render(s, prev));
    this.render(this.store.get(), null);
    if (ipc.inTauri()) {
      void ipc.onDrop((d) => {
        if (d.kind === "over") this.store.set({ dragOver: true });
        else if (d.kind === "leave") this.store.set({ dragOver: false });
        else {
          this.store.set({ dragOver: false });
          void this.act.addPaths(d.paths);
        }
      });
      void this.act.loadRecent();
      void ipc.launchOptions().then((o) => {
        // A case or logs named on the command line (the file manager's "Open with") win over --sample.
        if (o.open_case) void this.act.openCaseAt(o.open_case);
        else if (o.open_inputs.length) void this.act.addPaths(o.open_inputs);
        else if (o.open_sample) void this.act.openSample();
      });
    } else {
      this.act.toast("error", "Not running inside the Faultline app: commands are unavailable.");
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
    e.exportTemplate.append(h("option", { value: CUSTOM_TEMPLATE }, "Your template…"));
    e.exportTemplate.addEventListener("change", () => {
      if (e.exportTemplate.value === CUSTOM_TEMPLATE) void this.pickTemplate();
    });
    // Documents for people are redacted unless the analyst says otherwise; data exports are for tools.
    e.exportFormat.addEventListener("change", () => {
      e.exportRedact.checked = e.exportFormat.value === "markdown" || e.exportFormat.value === "html";
    });
    e.zone.setAttribute("list", "zone-options");
    e.zone.addEventListener("focus", () => this.fillZoneList(""));
    e.zone.addEventListener("input", (ev) => {
      this.fillZoneList(e.zone.value);
      // A pick from the list applies at once; typed text on Enter or when the field is left.
      if ((ev as InputEvent).inputType === "insertReplacementText" || !(ev instanceof InputEvent)) this.applyZone();
    });
    e.zone.addEventListener("change", () => this.applyZone());
    e.zone.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        this.applyZone();
      }
    });
    e.themeToggle.addEventListener("click", () => this.theme.cycle());
    this.renderThemeToggle();
    const searchForm = h(
      "form",
      { class: "search-form", on: { submit: (ev: SubmitEvent) => { ev.preventDefault(); void this.runSearch(); } } },
      e.searchInput,
      h("label", { class: "literal", title: "Match the text literally instead of as a regular expression" }, e.literal, "literal"),
      e.searchFrom,
      e.searchTo,
      h("label", { class: "literal", title: "Search only the chart's visible range" }, e.visibleOnly, "visible range"),
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
        this.button("Open…", () => void this.act.pickAndAdd(false), { title: "Add log files, deploy history, support or alert exports to the case", testid: "open-files" }),
        this.button("Folder…", () => void this.act.pickAndAdd(true), { title: "Add every source in a folder to the case", testid: "open-folder" }),
        this.button("ClickHouse…", () => void this.act.addStore(), { title: "Add the logs of a ClickHouse table (a log store) to the case", testid: "add-clickhouse" }),
        this.button("Sample", () => void this.act.openSample(), { title: "Open the built-in sample incident (replaces the case)", cls: "subtle", testid: "sample" }),
      ),
      h(
        "div",
        { class: "group" },
        this.button("Open case…", () => void this.act.pickCase(), { title: "Open a saved .faultline case", testid: "open-case" }),
        this.button("Save case…", () => void this.act.saveCase(), { title: "Save this case (sources, notes, timeline edits) as a .faultline file", testid: "save-case", needsCase: true }),
      ),
      searchForm,
      h("div", { class: "spacer" }),
      h("label", { class: "zone-label" }, "Times in", e.zone, e.zoneList),
      this.button("Add note", () => this.store.set((s) => ({ noteFormOpen: !s.noteFormOpen })), { testid: "add-note", needsCase: true }),
      h("div", { class: "group export-group" }, e.exportFormat, e.exportTemplate, h("label", { class: "redact-label", title: "Mask emails, IP addresses, user ids, passwords, tokens, cookies, JWTs and keys in the export" }, e.exportRedact, "Redact before export"), this.button("Export…", () => void this.exportReport(), { cls: "primary", title: "Export the postmortem in the chosen format and layout", testid: "export", needsCase: true })),
      this.button("Copy summary", () => void this.act.copySummary(), { title: "Copy the summary, onset, recovery and suspect with its evidence as Markdown", testid: "copy-summary", needsCase: true }),
      e.themeToggle,
      h("button", { type: "button", class: "btn subtle", title: "Keyboard shortcuts", "aria-label": "Keyboard shortcuts", "data-testid": "shortcuts", on: { click: () => this.sheet.open() } }, "?"),
      h("button", { type: "button", class: "btn subtle", title: "About Faultline: version, licence, credits", "data-testid": "about", on: { click: () => void this.about.open() } }, "About"),
    );
    const side = h("aside", { class: "col-side" }, e.suspects, e.novelty, e.sources);
    const center = h("div", { class: "col-main" }, e.partial, e.summary, e.chartPanel, e.timeline);
    e.chartPanel.append(
      h("header", { class: "panel-head" }, h("h2", null, "Error rate"), e.chartTools),
      h("div", { class: "panel-body" }, this.chart.el, this.lanes.el),
    );
    mount(
      e.chartTools,
      h("span", { class: "muted" }, "Drag to zoom · wheel / + − ← → · click to pick an instant"),
      this.lanes.controls,
      h("button", { type: "button", class: "btn small", "data-testid": "zoom-reset", on: { click: () => this.store.set({ range: null }) } }, "All"),
      h("button", { type: "button", class: "btn small", "data-testid": "chart-svg", title: "Save the chart (visible range) as SVG", on: { click: () => void this.act.exportChart("svg") } }, "SVG…"),
      h("button", { type: "button", class: "btn small", "data-testid": "chart-png", title: "Save the chart as drawn as PNG", on: { click: () => void this.act.exportChart("png") } }, "PNG…"),
    );
    e.visibleOnly.addEventListener("change", () => this.syncSearchBounds());
    mount(e.main, center, side);
    mount(this.root, toolbar, e.noteBar, e.status, e.main, e.inspector, e.toast, e.drop, this.about.el, this.sheet.el);
    labelShortcuts(toolbar);
    labelShortcuts(e.chartTools);
  }

  // ---- rendering ---------------------------------------------------------------

  private render(s: State, prev: State | null): void {
    const e = this.el;
    const changed = <K extends keyof State>(...keys: K[]) => prev === null || keys.some((k) => s[k] !== prev[k]);
    if (changed("title")) e.title.textContent = s.title ?? "";
    if (changed("zone", "caseZone")) {
      // Not while the analyst types in it: their text stays until applied.
      if (document.activeElement !== e.zone) e.zone.value = zoneSpec(s.zone);
      e.zone.title = `Times shown in ${zoneLabel(s.zone)}: type UTC, local, an offset like +05:30 or any IANA zone (the list searches)`;
      if (changed("caseZone")) this.zoneOpts = null;
    }
    if (changed("phase")) {
      for (const b of this.busyButtons) b.disabled = s.phase === "loading";
      for (const b of this.readyButtons) b.disabled = s.phase !== "ready";
      this.root.dataset.phase = s.phase;
    }
    if (changed("progress", "phase")) this.renderStatus(s);
    if (changed("noteFormOpen", "cursor", "zone")) this.renderNoteBar(s);
    if (changed("phase", "ingestTz", "recent") && s.phase === "empty") mount(e.main, this.emptyState(s));
    if (changed("title", "casePath")) e.title.title = s.casePath ?? "Not saved: the case lives in a temporary file until you save it";
    if (s.phase !== "empty" && prev && prev.phase === "empty") {
      mount(e.main, h("div", { class: "col-main" }, e.partial, e.summary, e.chartPanel, e.timeline), h("aside", { class: "col-side" }, e.suspects, e.novelty, e.sources));
    }
    if (!s.analysis && s.phase === "loading" && s.preview && changed("preview")) this.frames.next("chart", () => this.drawChart());
    if (s.analysis) {
      if (changed("analysis", "zone")) {
        // Each panel gets a frame of its own, top to bottom, after the frame
        // that ends the loading state. Drawn in one task, the first analysis
        // after an ingest (layout of the whole workspace, uPlot's canvas, the
        // timeline measuring its rows, and a repaint of the whole window)
        // made frames of up to 210 ms under Xvfb; split, each stays under the
        // 100 ms budget that tests/e2e/run.mjs measures. A job draws the
        // state as it is when it runs.
        // Never a frame late: a partial analysis must not show, even briefly, as a complete one.
        mount(e.partial, partialView(s.analysis));
        this.frames.next("summary", () => this.drawPanel(e.summary, (v) => metricsView(v, this.store.get().zone, this.actions)));
        this.frames.next("chart", () => this.drawChart());
        this.frames.next("suspects", () => this.drawPanel(e.suspects, (v) => suspectsView(v, this.store.get().zone, this.actions)));
        this.frames.next("novelty", () => this.drawPanel(e.novelty, (v) => noveltyView(v, this.store.get().zone, this.actions)));
      } else if (changed("cursor")) {
        this.chart.setPicked(s.cursor);
      }
      if (changed("range")) {
        this.chart.setRange(s.range);
        this.syncSearchBounds();
      }
      if (changed("analysis", "zone", "hiddenLanes")) this.frames.next("lanes", () => this.lanes.update(this.store.get().analysis, this.store.get().zone, this.store.get().hiddenLanes));
      if (changed("analysis", "zone", "entries", "hiddenEntries", "notes")) this.frames.next("timeline", () => this.drawTimeline());
      else if (changed("hiddenLanes", "cursor", "range")) this.drawTimeline();
      if (changed("sources", "zone", "phase")) mount(e.sources, sourcesView(s.sources, s.zone, this.actions, s.phase === "loading"));
    }
    if (!s.analysis && changed("analysis")) this.lanes.update(null, s.zone, s.hiddenLanes);
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

  /**
   * Draws the chart from the state as it is now (it may have moved on since
   * the job was asked for): the analysis, or before the first one the counts
   * of the files being read.
   */
  private drawChart(): void {
    const s = this.store.get();
    const preview = !s.analysis && s.phase === "loading" ? s.preview : null;
    if (!s.analysis && !preview) return;
    // The first chart is built hidden and empty, gets its series in the next
    // frame and is shown in the one after: under a software renderer every
    // frame that changes the page costs 35-50 ms of painting, and uPlot's
    // building (about 15 ms) plus drawing (about 25 ms) on top of that came
    // close to the 100 ms budget in one frame. A chart that is redrawn stays
    // visible and is drawn at once: hiding it would flicker.
    const first = this.chart.el.querySelector("canvas") === null;
    if (first) this.chart.el.style.visibility = "hidden";
    if (s.analysis) this.chart.render(s.analysis, s.zone, { defer: first });
    else if (preview) this.chart.preview(preview, s.zone, { defer: first });
    this.chart.setPicked(s.cursor);
    this.chart.setRange(s.range);
    if (first) {
      this.frames.next("chart-series", () => this.chart.fill());
      this.frames.next("chart-show", () => (this.chart.el.style.visibility = ""));
    }
  }

  private drawPanel(slot: HTMLElement, view: (a: NonNullable<State["analysis"]>) => HTMLElement): void {
    const a = this.store.get().analysis;
    if (a) mount(slot, view(a));
  }

  private drawTimeline(): void {
    const s = this.store.get();
    if (!s.analysis) return;
    mount(
      this.el.timeline,
      timelineView({ entries: s.analysis.timeline, states: s.entries, hiddenEntries: s.hiddenEntries, notes: s.notes, hiddenLanes: s.hiddenLanes, zone: s.zone, cursor: s.cursor, range: s.range }, this.actions),
    );
  }

  private renderStatus(s: State): void {
    const p = s.progress;
    this.el.status.hidden = s.phase !== "loading" || !p;
    if (s.phase === "loading" && p) mount(this.el.status, statusView(p, () => void ipc.cancelIngest()));
  }

  private renderNoteBar(s: State): void {
    const bar = this.el.noteBar;
    bar.hidden = !s.noteFormOpen;
    if (!s.noteFormOpen) {
      bar.replaceChildren();
      return;
    }
    const { form, focus } = noteFormView(defaultNoteTime(s), s.zone, {
      save: (time, text) => void this.act.addNote(time, text),
      cancel: () => this.store.set({ noteFormOpen: false }),
    });
    mount(bar, form);
    queueMicrotask(() => focus.focus());
  }

  private emptyState(s: State): HTMLElement {
    return emptyStateView(s.ingestTz, s.recent, {
      openSample: () => void this.act.openSample(),
      pickFiles: () => void this.act.pickAndAdd(false),
      pickFolder: () => void this.act.pickAndAdd(true),
      pickCase: () => void this.act.pickCase(),
      openCaseAt: (path) => void this.act.openCaseAt(path),
      setIngestTz: (tz) => this.store.set({ ingestTz: tz }),
    });
  }

  private async pickTemplate(): Promise<void> {
    const select = this.el.exportTemplate;
    const path = await this.act.pickTemplate();
    if (path) {
      const option = [...select.options].find((o) => o.value === CUSTOM_TEMPLATE);
      if (option) option.textContent = `Your template: ${shortPath(path)}`;
      return;
    }
    if (!this.act.hasTemplate()) select.value = TEMPLATES[0]!.id;
  }

  private runSearch(): Promise<void> {
    const e = this.el;
    return this.act.runSearch({ pattern: e.searchInput.value, literal: e.literal.checked, from: e.searchFrom.value, to: e.searchTo.value });
  }

  private exportReport(): Promise<void> {
    const e = this.el;
    return this.act.exportReport({ format: e.exportFormat.value, template: e.exportTemplate.value, redact: e.exportRedact.checked });
  }

  // ---- habits: keys, theme, zone picker --------------------------------------------

  /** The keyboard shortcuts of `lib/keys.ts` (the `?` sheet lists them). */
  private onKey(ev: KeyboardEvent): void {
    if (ev.defaultPrevented || ev.isComposing) return;
    const typing = isTypingTarget(ev.target);
    const sc = shortcutFor(ev, typing);
    if (!sc) return;
    // A dialog on top takes the keys; `?` and Esc still close the sheet.
    if (this.sheet.isOpen) {
      if (sc.id === "shortcuts" || sc.id === "close") {
        ev.preventDefault();
        this.sheet.close();
      }
      return;
    }
    if (!this.about.el.hidden) return;
    // Enter on a button presses it; on a row of the timeline it opens the raw line.
    if (sc.id === "open-line" && isActivatable(ev.target)) return;
    // The arrows scroll whatever panel has the focus (search results, raw lines,
    // a menu); they move the timeline only from the page itself or the timeline.
    if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && !this.arrowsMoveTimeline(ev.target)) return;
    if (this.runShortcut(sc.id, typing, ev.target)) ev.preventDefault();
  }

  private arrowsMoveTimeline(target: EventTarget | null): boolean {
    return !(target instanceof Element) || target === document.body || this.el.timeline.contains(target);
  }

  /** Does what a shortcut says; false when it did nothing (the key then keeps its default). */
  private runShortcut(id: ShortcutId, typing: boolean, target: EventTarget | null): boolean {
    const e = this.el;
    const s = this.store.get();
    const press = (testid: string): boolean => {
      const b = this.root.querySelector<HTMLButtonElement>(`[data-testid="${testid}"]`);
      if (!b || b.disabled) return false;
      b.click();
      return true;
    };
    switch (id) {
      case "search":
        e.searchInput.focus();
        e.searchInput.select();
        return true;
      case "zone":
        e.zone.focus();
        e.zone.select();
        return true;
      case "shortcuts":
        this.sheet.open();
        return true;
      case "about":
        void this.about.open();
        return true;
      case "theme":
        this.theme.cycle();
        return true;
      case "next":
      case "prev":
        return this.moveSelection(id === "next" ? 1 : -1);
      case "open-line": {
        const entry = this.selectedEntry();
        if (!entry?.citation) return false;
        this.actions.openCitation(entry.citation, kindLabel(entry.kind));
        return true;
      }
      case "copy-line": {
        const c = this.selectedEntry()?.citation;
        const ex = s.excerpt?.data;
        const rec = ex?.lines.find((l) => l.in_record);
        if (c) void this.act.copyLine(c.file, Number(c.line), c.text);
        else if (ex && rec) void this.act.copyLine(ex.file, rec.line, rec.text);
        else return false;
        return true;
      }
      case "close":
        return this.closeTop(typing, target);
      default:
        return press(id);
    }
  }

  /** Esc: leaves a field, else gives up a baseline pick, closes the note form, the raw lines, then the search. */
  private closeTop(typing: boolean, target: EventTarget | null): boolean {
    const s = this.store.get();
    if (this.chart.isPicking()) {
      this.chart.cancelPick();
      return true;
    }
    if (typing && target instanceof HTMLElement) {
      if (this.el.noteBar.contains(target)) this.store.set({ noteFormOpen: false });
      if (target === this.el.zone) this.el.zone.value = zoneSpec(s.zone); // Esc drops what was typed
      target.blur();
      return true;
    }
    if (s.noteFormOpen) this.store.set({ noteFormOpen: false });
    else if (s.excerpt) this.act.closeExcerpt();
    else if (s.search) this.store.set({ search: null });
    else return false;
    return true;
  }

  /** The timeline rows as shown (lanes and the chart's range applied), in order. */
  private shownEntries(): NonNullable<State["analysis"]>["timeline"] {
    const s = this.store.get();
    if (!s.analysis) return [];
    return visibleEntries(s.analysis.timeline, s.hiddenLanes).filter((x) => inRange(x.time, s.range));
  }

  private selectedEntry(): NonNullable<State["analysis"]>["timeline"][number] | null {
    const s = this.store.get();
    const shown = this.shownEntries();
    if (s.cursor === null || !shown.length) return null;
    const c = Date.parse(s.cursor);
    const i = this.tlIndex !== null && shown[this.tlIndex] && Date.parse(shown[this.tlIndex]!.time) === c ? this.tlIndex : shown.findIndex((x) => Date.parse(x.time) === c);
    return i >= 0 ? shown[i]! : null;
  }

  /** j/k, ↓/↑: the selection moves one row and the list scrolls to it. */
  private moveSelection(dir: 1 | -1): boolean {
    const s = this.store.get();
    const shown = this.shownEntries();
    const i = stepSelection(shown.map((x) => x.time), s.cursor, this.tlIndex, dir);
    if (i === null) return false;
    this.tlIndex = i;
    this.store.set({ cursor: shown[i]!.time });
    // The virtualized list holds a day heading before each day's first row.
    let days = 0;
    let day = "";
    for (let k = 0; k <= i; k++) {
      const d = dayOf(shown[k]!.time, s.zone);
      if (d !== day) {
        day = d;
        days++;
      }
    }
    const list = this.el.timeline.querySelector<HTMLElement>("[data-testid=timeline-list]");
    if (list) {
      const top = (i + days) * TIMELINE_ROW;
      if (top < list.scrollTop || top + TIMELINE_ROW > list.scrollTop + list.clientHeight) {
        list.scrollTop = Math.max(0, top - list.clientHeight / 2);
        list.dispatchEvent(new Event("scroll"));
      }
    }
    return true;
  }

  private renderThemeToggle(): void {
    const pref = this.theme.preference;
    const label = pref === "system" ? `System (${this.theme.theme})` : pref === "light" ? "Light" : "Dark";
    const b = this.el.themeToggle;
    // The visible text is the accessible name (axe: label-content-name-mismatch); the tooltip says more.
    b.textContent = `Theme: ${pref === "system" ? "auto" : pref}`;
    b.dataset.baseTitle = `Theme: ${label}; click for ${pref === "system" ? "light" : pref === "light" ? "dark" : "the system's"}`;
    labelShortcuts(b.parentElement ?? b);
  }

  /** The zone picker's list: the options matching what is typed (all of them cost ~500 labels, built once). */
  private fillZoneList(query: string): void {
    const s = this.store.get();
    if (!this.zoneOpts || this.zoneOpts.caseZone !== s.caseZone) this.zoneOpts = { caseZone: s.caseZone, options: zoneOptions(s.caseZone) };
    const q = query.trim() === zoneSpec(s.zone) ? "" : query;
    mount(this.el.zoneList, searchZones(q, this.zoneOpts.options, 120).map((o) => h("option", { value: o.spec }, o.label)));
  }

  /** The typed zone becomes the display zone of the chart, the timeline and the exports; an unknown one is refused. */
  private applyZone(): void {
    const e = this.el;
    const text = e.zone.value.trim();
    const s = this.store.get();
    if (text === zoneSpec(s.zone)) return;
    if (!text) {
      e.zone.value = zoneSpec(s.zone);
      return;
    }
    const z = parseZone(text);
    if (!z) {
      this.act.toast("error", `"${text}" is not a zone: write UTC, local, an offset like +05:30 or an IANA name like Asia/Kolkata.`);
      e.zone.value = zoneSpec(s.zone);
      return;
    }
    e.zone.value = zoneSpec(z);
    this.store.set({ zone: z });
  }

  /** With "visible range" ticked, the search bounds follow the chart. */
  private syncSearchBounds(): void {
    const e = this.el;
    const s = this.store.get();
    const on = e.visibleOnly.checked;
    e.searchFrom.disabled = on;
    e.searchTo.disabled = on;
    if (!on) return;
    const r = s.range ?? fullRange(s.analysis);
    e.searchFrom.value = r ? formatInstant(new Date(r.from).toISOString(), s.zone) : "";
    e.searchTo.value = r ? formatInstant(new Date(r.to).toISOString(), s.zone) : "";
  }
}
