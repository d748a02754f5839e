// The UI's state and the pure decisions about it. Views read a snapshot and
// call actions (app.ts); nothing here touches the DOM or IPC.
import type { Analysis } from "../ipc/bindings/Analysis";
import type { ErrorSeries } from "../ipc/bindings/ErrorSeries";
import type { ExcerptDto } from "../ipc/bindings/ExcerptDto";
import type { IngestEvent } from "../ipc/bindings/IngestEvent";
import type { NoteDto } from "../ipc/bindings/NoteDto";
import type { SearchHitDto } from "../ipc/bindings/SearchHitDto";
import type { SearchSummary } from "../ipc/bindings/SearchSummary";
import type { SourceRow } from "../ipc/bindings/SourceRow";
import type { EntryStateDto } from "../ipc/bindings/EntryStateDto";
import type { HiddenEntryDto } from "../ipc/bindings/HiddenEntryDto";
import type { RecentCaseDto } from "../ipc/bindings/RecentCaseDto";
import type { BuiltinTemplate } from "../ipc/bindings/BuiltinTemplate";
import type { ReportFormat } from "../ipc/bindings/ReportFormat";
import type { Lane } from "./timeline";
import { UTC, type Zone } from "./time";

/** One source being read: its size, how far it got, and how fast. */
export type FileProgress = { path: string; bytes: number; read: number; records: number; rate: number; startedAt: number; done: boolean };

export type Progress = { planned: number; finished: number; current: string | null; records: number; files?: FileProgress[] };

/** The chart's visible time range, epoch milliseconds. */
export type Range = { from: number; to: number };

export type SearchState = {
  pattern: string;
  literal: boolean;
  from?: string | null;
  to?: string | null;
  hits: SearchHitDto[];
  summary: SearchSummary | null;
  running: boolean;
  error: string | null;
};

export type ExcerptState = { title: string; data: ExcerptDto | null; error: string | null };

export type State = {
  phase: "empty" | "loading" | "ready";
  title: string | null;
  zone: Zone;
  caseZone: Zone | null;
  /** Zone for zone-less timestamps of files the user adds. */
  ingestTz: string;
  analysis: Analysis | null;
  /** The counts of the files being read, while the first analysis is not there yet. */
  preview: ErrorSeries | null;
  /** What the analyst did to each timeline entry (parallel to `analysis.timeline`). */
  entries: EntryStateDto[];
  /** Entries the analyst hid. */
  hiddenEntries: HiddenEntryDto[];
  /** The chart's (and so the timeline's) visible range; null = everything. */
  range: Range | null;
  /** Only timeline rows in the visible range. */
  followRange: boolean;
  recent: RecentCaseDto[];
  /** The saved `.faultline` file, null for the session's temporary case. */
  casePath: string | null;
  sources: SourceRow[];
  notes: NoteDto[];
  progress: Progress | null;
  hiddenLanes: ReadonlySet<Lane>;
  /** The instant the analyst last pointed at (timeline row, chart click): the default for a note. */
  cursor: string | null;
  search: SearchState | null;
  excerpt: ExcerptState | null;
  noteFormOpen: boolean;
  toast: { kind: "error" | "info"; text: string } | null;
  dragOver: boolean;
};

export function initialState(): State {
  return {
    phase: "empty",
    title: null,
    zone: UTC,
    caseZone: null,
    ingestTz: "local",
    analysis: null,
    preview: null,
    entries: [],
    hiddenEntries: [],
    range: null,
    followRange: true,
    recent: [],
    casePath: null,
    sources: [],
    notes: [],
    progress: null,
    hiddenLanes: new Set(),
    cursor: null,
    search: null,
    excerpt: null,
    noteFormOpen: false,
    toast: null,
    dragOver: false,
  };
}

export type Listener = (s: State, prev: State) => void;

export class Store {
  private state: State;
  private listeners: Listener[] = [];

  constructor(init: State = initialState()) {
    this.state = init;
  }

  get(): State {
    return this.state;
  }

  set(patch: Partial<State> | ((s: State) => Partial<State>)): void {
    const prev = this.state;
    const p = typeof patch === "function" ? patch(prev) : patch;
    this.state = { ...prev, ...p };
    for (const l of this.listeners) l(this.state, prev);
  }

  subscribe(l: Listener): () => void {
    this.listeners.push(l);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }
}

/** Folds an ingest event into the progress shown in the status bar (with one bar per file). */
export function applyProgress(p: Progress | null, e: IngestEvent, now: number = Date.now()): Progress {
  const cur = p ?? { planned: 0, finished: 0, current: null, records: 0 };
  const files = cur.files ?? [];
  const update = (path: string, f: (x: FileProgress) => FileProgress) => files.map((x) => (x.path === path ? f(x) : x));
  switch (e.event) {
    case "planned":
      return { ...cur, planned: e.sources, files };
    case "started":
      return { ...cur, current: e.path, files: [...files.filter((f) => f.path !== e.path), { path: e.path, bytes: e.bytes, read: 0, records: 0, rate: 0, startedAt: now, done: false }] };
    case "bytes":
      return {
        ...cur,
        files: update(e.path, (f) => {
          const secs = (now - f.startedAt) / 1000;
          return { ...f, read: e.bytes_read, records: e.records, rate: secs > 0 ? e.bytes_read / secs : 0 };
        }),
      };
    case "series":
      // The chart's business (State.preview), not the status bar's.
      return cur;
    case "finished":
      return {
        ...cur,
        finished: cur.finished + 1,
        records: cur.records + e.records,
        current: cur.current === e.path ? null : cur.current,
        files: update(e.path, (f) => ({ ...f, read: Math.max(f.read, f.bytes), records: e.records, done: true })),
      };
  }
}

/** 0..1 for one file's bar (a .gz reads more bytes than its size: capped). */
export function fileFraction(f: FileProgress): number {
  if (f.done) return 1;
  if (f.bytes <= 0) return 0;
  return Math.min(1, f.read / f.bytes);
}

// ---- visible range (chart zoom, timeline and search follow it) -------------------

/** The whole span of the analysis's chart, epoch ms; null when it has no buckets. */
export function fullRange(a: Pick<Analysis, "series"> | null): Range | null {
  const b = a?.series.buckets ?? [];
  if (b.length === 0) return null;
  const step = Number(a!.series.bucket_seconds) * 1000;
  return { from: Date.parse(b[0]!.start), to: Date.parse(b[b.length - 1]!.start) + step };
}

/** Keeps a range inside `bounds` and at least `minSpan` wide. */
export function clampRange(r: Range, bounds: Range, minSpan = 60_000): Range {
  let span = Math.max(minSpan, r.to - r.from);
  span = Math.min(span, bounds.to - bounds.from);
  let from = Math.max(bounds.from, Math.min(r.from, bounds.to - span));
  return { from, to: from + span };
}

/** Zooms by `factor` (< 1 in, > 1 out) around `center`. */
export function zoomRange(r: Range, factor: number, center: number, bounds: Range): Range {
  const c = Math.min(r.to, Math.max(r.from, center));
  return clampRange({ from: c - (c - r.from) * factor, to: c + (r.to - c) * factor }, bounds);
}

/** Moves by `fraction` of the span (negative: earlier). */
export function panRange(r: Range, fraction: number, bounds: Range): Range {
  const d = (r.to - r.from) * fraction;
  return clampRange({ from: r.from + d, to: r.to + d }, bounds);
}

/** A range of the same span centred on `t` (a search hit the analyst jumped to). */
export function centerOn(r: Range | null, t: number, bounds: Range): Range {
  const span = r ? r.to - r.from : Math.min(3_600_000, bounds.to - bounds.from);
  return clampRange({ from: t - span / 2, to: t + span / 2 }, bounds);
}

export function inRange(iso: string, r: Range | null): boolean {
  if (!r) return true;
  const t = Date.parse(iso);
  return t >= r.from && t <= r.to;
}

// ---- virtual lists ---------------------------------------------------------------

/** Which rows of a fixed-height list to build for a scroll position. */
export function virtualWindow(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8): { start: number; end: number; top: number; height: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewport) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.min(count, first + visible + overscan);
  return { start, end, top: start * rowHeight, height: count * rowHeight };
}

// ---- recent cases ------------------------------------------------------------------

/** The recent cases worth offering: the ones still on disk, at most `max`, with the folder they are in. */
export function recentChoices(list: RecentCaseDto[], max = 6): { path: string; name: string; folder: string }[] {
  return list
    .filter((c) => c.exists)
    .slice(0, max)
    .map((c) => {
      const parts = c.path.split(/[\\/]/).filter((p) => p.length > 0);
      return { path: c.path, name: c.name || parts[parts.length - 1] || c.path, folder: parts.slice(-3, -1).join("/") };
    });
}

/** 0..1 for the progress bar; unknown until planned. */
export function progressFraction(p: Progress | null): number {
  if (!p || p.planned <= 0) return 0;
  return Math.min(1, p.finished / p.planned);
}

export function toggleLane(hidden: ReadonlySet<Lane>, lane: Lane): Set<Lane> {
  const next = new Set(hidden);
  if (next.has(lane)) next.delete(lane);
  else next.add(lane);
  return next;
}

/** Where a new note goes by default: the instant pointed at, else the onset, else now. */
export function defaultNoteTime(s: Pick<State, "cursor" | "analysis">, now: number = Date.now()): string {
  if (s.cursor) return s.cursor;
  const onset = s.analysis?.incident?.onset;
  if (onset) return onset;
  return new Date(now).toISOString();
}

/** Export file names and dialog filters per format. */
export const EXPORT_FORMATS: { id: ReportFormat; label: string; ext: string }[] = [
  { id: "markdown", label: "Markdown", ext: "md" },
  { id: "html", label: "HTML", ext: "html" },
  { id: "json", label: "JSON", ext: "json" },
  { id: "csv", label: "CSV (timeline)", ext: "csv" },
];

export const TEMPLATES: { id: BuiltinTemplate; label: string }[] = [
  { id: "seed", label: "House style" },
  { id: "google-sre", label: "Google SRE" },
  { id: "atlassian", label: "Atlassian" },
  { id: "pagerduty", label: "PagerDuty" },
];

/** `archive-crash-postmortem-2026-11-24.md` */
export function exportFileName(title: string | null, onset: string | null | undefined, ext: string): string {
  const slug = (title ?? "incident")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48) || "incident";
  const day = onset ? onset.slice(0, 10) : "";
  return `${slug}-postmortem${day ? `-${day}` : ""}.${ext}`;
}
