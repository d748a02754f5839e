// The UI's state and the pure decisions about it. Views read a snapshot and
// call actions (app.ts); nothing here touches the DOM or IPC.
import type { Analysis } from "../ipc/bindings/Analysis";
import type { ExcerptDto } from "../ipc/bindings/ExcerptDto";
import type { IngestEvent } from "../ipc/bindings/IngestEvent";
import type { NoteDto } from "../ipc/bindings/NoteDto";
import type { SearchHitDto } from "../ipc/bindings/SearchHitDto";
import type { SearchSummary } from "../ipc/bindings/SearchSummary";
import type { SourceRow } from "../ipc/bindings/SourceRow";
import type { Lane } from "./timeline";
import { UTC, type Zone } from "./time";

export type Progress = { planned: number; finished: number; current: string | null; records: number };

export type SearchState = {
  pattern: string;
  literal: boolean;
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

/** Folds an ingest event into the progress shown in the status bar. */
export function applyProgress(p: Progress | null, e: IngestEvent): Progress {
  const cur = p ?? { planned: 0, finished: 0, current: null, records: 0 };
  switch (e.event) {
    case "planned":
      return { ...cur, planned: e.sources };
    case "started":
      return { ...cur, current: e.path };
    case "finished":
      return { ...cur, finished: cur.finished + 1, records: cur.records + e.records, current: cur.current === e.path ? null : cur.current };
  }
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
export const EXPORT_FORMATS: { id: string; label: string; ext: string }[] = [
  { id: "markdown", label: "Markdown", ext: "md" },
  { id: "html", label: "HTML", ext: "html" },
  { id: "json", label: "JSON", ext: "json" },
  { id: "csv", label: "CSV (timeline)", ext: "csv" },
];

export const TEMPLATES: { id: string; label: string }[] = [
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
