// Everything the window does in answer to the analyst: each action calls the
// app through `ipc` and writes what came back into the `Store`. Nothing here
// builds DOM; `app.ts` renders the state.
import * as ipc from "./ipc";
import type { Citation } from "./ipc/bindings/Citation";
import type { IngestEvent } from "./ipc/bindings/IngestEvent";
import { copyText, lineWithCitation, summaryMarkdown, citationRef } from "./lib/copy";
import { formatCount, shortPath } from "./lib/format";
import { Latest } from "./lib/latest";
import { applyProgress, centerOn, EXPORT_FORMATS, exportFileName, fullRange, type Range, type State, type Store, TEMPLATES } from "./lib/store";
import { parseWallTime, parseZone, UTC, zoneLabel } from "./lib/time";
import { askStoreSource } from "./views/storeSource";

/** The export dialog's choices as the toolbar shows them. */
export type ExportChoice = { format: string; template: string; redact: boolean };

/** What the search form holds: the bounds are wall times in the display zone, empty for none. */
export type SearchForm = { pattern: string; literal: boolean; from: string; to: string };

/** The value of the template picker's "your template…" entry. */
export const CUSTOM_TEMPLATE = "custom";

export class AppActions {
  /** Excerpt reads: clicks can outrun them, and only the newest may fill the panel. */
  private excerpts = new Latest();
  /** Searches: hits of a search the analyst replaced must not land in the new one. */
  private searches = new Latest();
  /** The analyst's own template: only a file picked in the dialog is used. */
  private templatePath: string | null = null;

  constructor(
    private store: Store,
    /** The chart as drawn, as PNG bytes; null when there is none. */
    private chartPng: () => number[] | null,
  ) {}

  toast(kind: "error" | "info", text: string): void {
    this.store.set({ toast: { kind, text } });
  }

  private fail(e: unknown): void {
    this.toast("error", ipc.asIpcError(e).message);
  }

  /** Ingest events: counts for the chart preview, everything else for the status bar. */
  onIngestEvent = (ev: IngestEvent): void => {
    if (ev.event === "series") this.store.set({ preview: ev.series });
    else this.store.set((s) => ({ progress: applyProgress(s.progress, ev) }));
  };

  async loadRecent(): Promise<void> {
    try {
      this.store.set({ recent: await ipc.recentCases() });
    } catch {
      // The list is a convenience: without it the empty state still works.
    }
  }

  private async refresh(): Promise<void> {
    const s = this.store.get();
    const [view, sources, notes, info] = await Promise.all([ipc.analyze(s.zone), ipc.sources(), ipc.notes(), ipc.caseInfo()]);
    // A range outside the new analysis's chart would show nothing: drop it.
    const full = fullRange(view.analysis);
    const range = s.range && full && s.range.to > full.from && s.range.from < full.to ? s.range : null;
    this.store.set({ analysis: view.analysis, entries: view.entries, hiddenEntries: view.hidden, sources, notes, phase: "ready", casePath: info.path, range });
  }

  /**
   * Loads a case, or more inputs into this one: the window shows the loading
   * state while `work` runs, then the new analysis; on failure it goes back
   * to what it showed and says why. A `fresh` case also forgets the search,
   * the excerpt (a late read of the previous case must not reopen it), the
   * cursor and the zoom. Resolves to what `work` gave, or null when it failed.
   */
  private async switchCase<T>(fresh: boolean, work: () => Promise<T>): Promise<{ value: T } | null> {
    const before = this.store.get().phase;
    const reset: Partial<State> = { phase: "loading", progress: null, preview: null };
    if (fresh) {
      this.excerpts.cancel();
      this.searches.cancel();
      Object.assign(reset, { search: null, excerpt: null, cursor: null, range: null });
    }
    this.store.set(reset);
    try {
      const value = await work();
      await this.refresh();
      return { value };
    } catch (e) {
      this.store.set({ phase: before === "loading" ? "empty" : before });
      this.fail(e);
      return null;
    }
  }

  async openSample(): Promise<void> {
    await this.switchCase(true, async () => {
      const opened = await ipc.openSample(this.onIngestEvent);
      const zone = parseZone(opened.display_tz) ?? UTC;
      this.store.set({ title: opened.title, caseZone: zone, zone, ingestTz: opened.display_tz });
    });
  }

  async openCaseAt(path: string): Promise<void> {
    await this.switchCase(true, async () => {
      const info = await ipc.openCase(path);
      this.store.set({ title: info.title });
    });
    void this.loadRecent();
  }

  async pickCase(): Promise<void> {
    try {
      const path = await ipc.pickCase();
      if (path) await this.openCaseAt(path);
    } catch (e) {
      this.fail(e);
    }
  }

  async addPaths(paths: string[]): Promise<void> {
    const done = await this.switchCase(false, async () => {
      const r = await ipc.ingestPaths(paths, parseZone(this.store.get().ingestTz) ?? { kind: "local" }, this.onIngestEvent);
      if (!this.store.get().title) this.store.set({ title: paths.length === 1 ? shortPath(paths[0]!) : `${paths.length} inputs` });
      return r;
    });
    if (!done) return;
    const r = done.value;
    if (r.problems.length) this.toast("error", `Some inputs were skipped: ${r.problems.join("; ")}`);
    else if (r.cancelled) this.toast("info", "Ingest cancelled: some sources are incomplete.");
  }

  /** "Add source → ClickHouse": the form, then the app's own confirmation, then the query like an ingest. */
  async addStore(): Promise<void> {
    const request = await askStoreSource(this.store.get().zone);
    if (!request) return;
    const before = this.store.get().phase;
    this.store.set({ phase: "loading", progress: null, preview: null });
    try {
      const r = await ipc.addClickhouseSource(request, this.onIngestEvent);
      if (!r) {
        this.store.set({ phase: before }); // declined in the confirmation
        return;
      }
      if (!this.store.get().title) this.store.set({ title: request.table });
      await this.refresh();
      if (r.cancelled) this.toast("info", "Query cancelled: the table's sources are incomplete.");
    } catch (e) {
      this.store.set({ phase: before === "loading" ? "empty" : before });
      this.fail(e);
    }
  }

  async pickAndAdd(folder: boolean): Promise<void> {
    try {
      const paths = await ipc.pickInputs(folder);
      if (paths && paths.length) await this.addPaths(paths);
    } catch (e) {
      this.fail(e);
    }
  }

  async correctSource(path: string, kind: ipc.SourceKind, tz: string): Promise<void> {
    const zone = parseZone(tz);
    if (!zone) {
      this.toast("error", `"${tz}" is not a zone: write UTC, local, +03:00 or an IANA name like Europe/Berlin.`);
      return;
    }
    this.store.set({ phase: "loading", progress: null });
    try {
      const r = await ipc.correctSource(path, kind, zone, this.onIngestEvent);
      await this.refresh();
      if (r.problems.length) this.toast("error", r.problems.join("; "));
      else this.toast("info", `Read ${shortPath(path)} again as ${kind} in ${tz}.`);
    } catch (e) {
      this.store.set({ phase: "ready" });
      this.fail(e);
      await this.refresh().catch(() => {});
    }
  }

  async setClockOffset(path: string, offset: string): Promise<void> {
    this.store.set({ phase: "loading", progress: null });
    try {
      const r = await ipc.setClockOffset(path, offset, this.onIngestEvent);
      await this.refresh();
      if (r.problems.length) this.toast("error", r.problems.join("; "));
      else this.toast("info", offset === "0" ? `${shortPath(path)}: clock correction undone.` : `${shortPath(path)}: every timestamp moved by ${offset}.`);
    } catch (e) {
      this.store.set({ phase: "ready" });
      this.fail(e);
      await this.refresh().catch(() => {});
    }
  }

  async confirmCaseFolder(): Promise<void> {
    try {
      const r = await ipc.confirmCaseFolder();
      if (!r) return;
      await this.refresh();
      const parts = [`${formatCount(r.verified)} input${r.verified === 1 ? "" : "s"} verified in ${shortPath(r.folder)}`];
      if (r.changed.length) parts.push(`${r.changed.length} changed since the case was saved (not read)`);
      if (r.elsewhere.length) parts.push(`${r.elsewhere.length} outside that folder`);
      if (r.unhashed.length) parts.push(`${r.unhashed.length} read without a hash, which cannot be verified (open ${r.unhashed.length === 1 ? "it" : "them"} to read ${r.unhashed.length === 1 ? "it" : "them"})`);
      this.toast(r.changed.length || r.elsewhere.length || r.unhashed.length ? "error" : "info", parts.join("; ") + ".");
    } catch (e) {
      this.fail(e);
    }
  }

  async saveCase(): Promise<void> {
    const s = this.store.get();
    try {
      const name = exportFileName(s.title, s.analysis?.incident?.onset, "faultline").replace("-postmortem", "");
      const path = await ipc.pickSavePath("case", name, "faultline", "Faultline case");
      if (!path) return;
      const info = await ipc.saveCaseAs(path);
      this.store.set({ casePath: info.path, title: info.title ?? s.title });
      this.toast("info", `Saved the case to ${info.path}.`);
      void this.loadRecent();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Another incident of the case becomes the analyzed one: the summary, suspects, timeline and exports follow. */
  async chooseIncident(number: number): Promise<void> {
    try {
      const view = await ipc.chooseIncident(number, this.store.get().zone);
      const onset = view.analysis.incident?.onset ?? null;
      this.store.set({ analysis: view.analysis, entries: view.entries, hiddenEntries: view.hidden, cursor: onset });
    } catch (e) {
      this.fail(e);
    }
  }

  /** Compares the incident with `range` (ms; null: the default baseline) in what is new. */
  async chooseBaseline(range: { from: number; to: number } | null): Promise<void> {
    try {
      const iso = range ? { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() } : null;
      const view = await ipc.chooseBaseline(iso, this.store.get().zone);
      this.store.set({ analysis: view.analysis, entries: view.entries, hiddenEntries: view.hidden });
      this.toast("info", range ? "What is new now compares with the baseline you dragged." : "What is new compares with the default baseline again.");
    } catch (e) {
      this.fail(e);
    }
  }

  async editEntry(key: string, edit: ipc.TimelineAction): Promise<void> {
    try {
      await ipc.editTimeline(key, edit);
      await this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }

  async addNote(timeText: string, text: string): Promise<void> {
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

  async deleteNote(id: number): Promise<void> {
    try {
      await ipc.deleteNote(id);
      await this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }

  async runSearch(form: SearchForm): Promise<void> {
    const { pattern, literal } = form;
    if (!pattern.trim()) return;
    const zone = this.store.get().zone;
    const bound = (text: string, what: string): string | null | undefined => {
      if (!text.trim()) return null;
      const ms = parseWallTime(text, zone);
      if (ms === null) {
        this.toast("error", `Search ${what}: "${text}" is not a time; write YYYY-MM-DD HH:MM[:SS] in ${zoneLabel(zone)}.`);
        return undefined;
      }
      return new Date(ms).toISOString();
    };
    const from = bound(form.from, "from");
    const to = bound(form.to, "to");
    if (from === undefined || to === undefined) return;
    const current = this.searches.begin();
    this.store.set({ search: { pattern, literal, from, to, hits: [], summary: null, running: true, error: null } });
    // Hits arrive one message each; render at most once a frame.
    let pending: ipc.SearchHitDto[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      const batch = pending;
      pending = [];
      if (current()) this.store.set((s) => (s.search ? { search: { ...s.search, hits: s.search.hits.concat(batch) } } : {}));
    };
    try {
      const summary = await ipc.search({ pattern, literal, from, to, max: 2000 }, (hit) => {
        pending.push(hit);
        if (!scheduled) {
          scheduled = true;
          requestAnimationFrame(flush);
        }
      });
      flush();
      if (current()) this.store.set((s) => (s.search ? { search: { ...s.search, summary, running: false } } : {}));
    } catch (e) {
      const err = ipc.asIpcError(e);
      if (current()) this.store.set((s) => (s.search ? { search: { ...s.search, running: false, error: err.message } } : {}));
    }
  }

  /** A search hit: the chart (and so the timeline) centres on its instant, and its line opens. */
  openHit(hit: ipc.SearchHitDto): void {
    if (hit.time) {
      const s = this.store.get();
      const full = fullRange(s.analysis);
      const t = Date.parse(hit.time);
      const keep = s.range && t >= s.range.from && t <= s.range.to;
      this.store.set({ cursor: hit.time, range: full && !keep ? centerOn(s.range, t, full) : s.range });
    }
    void this.showExcerpt(`${shortPath(hit.file)}:${hit.line}`, hit.file, hit.offset, hit.text.length, hit.line);
  }

  async openCitation(c: Citation, title: string): Promise<void> {
    await this.showExcerpt(title, c.file, Number(c.offset), Math.max(1, c.text.length), Number(c.line));
  }

  closeExcerpt(): void {
    this.excerpts.cancel();
    this.store.set({ excerpt: null });
  }

  private async showExcerpt(title: string, file: string, offset: number, len: number, line: number): Promise<void> {
    const current = this.excerpts.begin();
    this.store.set({ excerpt: { title, data: null, error: null } });
    try {
      const data = await ipc.excerpt(file, offset, len, line);
      if (current()) this.store.set({ excerpt: { title, data, error: null } });
    } catch (e) {
      if (current()) this.store.set({ excerpt: { title, data: null, error: ipc.asIpcError(e).message } });
    }
  }

  /** Asks for the analyst's own template; resolves to its path, or null when none was picked. */
  async pickTemplate(): Promise<string | null> {
    try {
      const path = await ipc.pickTemplate();
      if (path) this.templatePath = path;
      return path;
    } catch (e) {
      this.fail(e);
      return null;
    }
  }

  hasTemplate(): boolean {
    return this.templatePath !== null;
  }

  async exportReport(choice: ExportChoice): Promise<void> {
    const s = this.store.get();
    const fmt = EXPORT_FORMATS.find((f) => f.id === choice.format) ?? EXPORT_FORMATS[0]!;
    try {
      const path = await ipc.pickSavePath("report", exportFileName(s.title, s.analysis?.incident?.onset, fmt.ext), fmt.ext, fmt.label);
      if (!path) return;
      const template: ipc.TemplateRequest =
        choice.template === CUSTOM_TEMPLATE && this.templatePath ? { kind: "file", path: this.templatePath } : { kind: "builtin", name: TEMPLATES.find((t) => t.id === choice.template)?.id ?? "seed" };
      const r = await ipc.exportReport({ format: fmt.id, template, display_tz: s.zone, redact: choice.redact, path });
      const masked = r.masked.length ? ` Masked: ${r.masked.map((m) => `${formatCount(m.count)} ${m.label}`).join(", ")}.` : choice.redact ? " Redacted: nothing sensitive was found." : "";
      this.toast("info", `Saved ${fmt.label} postmortem to ${r.path} (${formatCount(r.bytes)} bytes).${masked}`);
    } catch (e) {
      this.fail(e);
    }
  }

  /** "Copy line with citation": `file:line` and the raw line, as Markdown. */
  async copyLine(file: string, line: number | null, text: string): Promise<void> {
    const ok = await copyText(lineWithCitation(file, line, text));
    if (ok) this.toast("info", `Copied ${citationRef(file, line)} with its line.`);
    else this.toast("error", "The clipboard refused the text.");
  }

  /** "Copy summary": the incident, onset and recovery, and the suspect with its evidence, as Markdown. */
  async copySummary(): Promise<void> {
    const s = this.store.get();
    if (!s.analysis) return;
    const ok = await copyText(summaryMarkdown(s.analysis, s.zone, s.title));
    if (ok) this.toast("info", "Copied the summary (Markdown).");
    else this.toast("error", "The clipboard refused the text.");
  }

  async exportChart(format: ipc.ChartFormat): Promise<void> {
    const s = this.store.get();
    try {
      const png = format === "png" ? this.chartPng() : null;
      if (format === "png" && !png) {
        this.toast("error", "There is no chart to save.");
        return;
      }
      const name = exportFileName(s.title, s.analysis?.incident?.onset, format).replace("-postmortem", "-errors");
      const path = await ipc.pickSavePath("chart", name, format, format.toUpperCase());
      if (!path) return;
      const range = s.range ? isoRange(s.range) : null;
      // A chart goes into tickets and slides: redacted like the postmortem's documents.
      const r = await ipc.exportChart(format, s.zone, range, true, png, path);
      const masked = r.masked.length ? ` Masked: ${r.masked.map((m) => `${formatCount(m.count)} ${m.label}`).join(", ")}.` : "";
      this.toast("info", `Saved the chart to ${r.path} (${formatCount(r.bytes)} bytes).${masked}`);
    } catch (e) {
      this.fail(e);
    }
  }
}

function isoRange(r: Range): { from: string; to: string } {
  return { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() };
}
