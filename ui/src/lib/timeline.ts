// How timeline entries are grouped into lanes and labelled.
import type { TimelineEntry } from "../ipc/bindings/TimelineEntry";
import type { TimelineKind } from "../ipc/bindings/TimelineKind";
import type { Citation } from "../ipc/bindings/Citation";
import type { NoteDto } from "../ipc/bindings/NoteDto";

export type Lane = "changes" | "errors" | "support" | "alerts" | "restarts" | "notes";

export const LANES: { lane: Lane; label: string }[] = [
  { lane: "changes", label: "Changes" },
  { lane: "errors", label: "Errors" },
  { lane: "support", label: "Support" },
  { lane: "alerts", label: "Alerts" },
  { lane: "restarts", label: "Restarts" },
  { lane: "notes", label: "Notes" },
];

const LANE_OF: Record<TimelineKind, Lane> = {
  change: "changes",
  fix: "changes",
  error_onset: "errors",
  recovery: "errors",
  user_report: "support",
  communication: "support",
  alert: "alerts",
  ack: "alerts",
  restart: "restarts",
  note: "notes",
};

const KIND_LABEL: Record<TimelineKind, string> = {
  change: "change",
  fix: "fix",
  error_onset: "onset",
  recovery: "recovery",
  user_report: "report",
  communication: "comms",
  alert: "alert",
  ack: "ack",
  restart: "restart",
  note: "note",
};

export function laneOf(kind: TimelineKind): Lane {
  return LANE_OF[kind] ?? "notes";
}

export function kindLabel(kind: TimelineKind): string {
  return KIND_LABEL[kind] ?? kind;
}

/** Entries whose lane is shown, in time order (stable for equal times). */
export function visibleEntries(entries: TimelineEntry[], hidden: ReadonlySet<Lane>): TimelineEntry[] {
  return entries
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => !hidden.has(laneOf(e.kind)))
    .sort((a, b) => Date.parse(a.e.time) - Date.parse(b.e.time) || a.i - b.i)
    .map(({ e }) => e);
}

export function laneCounts(entries: TimelineEntry[]): Record<Lane, number> {
  const out: Record<Lane, number> = { changes: 0, errors: 0, support: 0, alerts: 0, restarts: 0, notes: 0 };
  for (const e of entries) out[laneOf(e.kind)]++;
  return out;
}

/** The stored note behind a timeline entry (the analysis carries no note ids). */
export function noteFor(entry: TimelineEntry, notes: NoteDto[]): NoteDto | undefined {
  if (entry.kind !== "note" || entry.source !== "analyst") return undefined;
  const t = Date.parse(entry.time);
  return notes.find((n) => Date.parse(n.time) === t && n.text === entry.text);
}

/** `file:line`, or the file alone for records without a line. */
export function citationLabel(c: Citation): string {
  const line = Number(c.line);
  return line > 0 ? `${c.file}:${line}` : c.file;
}

/**
 * The citation an evidence line refers to: the one whose `file:line` (or
 * `name:line` with the folder left off) appears in the text.
 */
export function citationFor(evidence: string, citations: Citation[]): Citation | undefined {
  for (const c of citations) {
    const line = Number(c.line);
    if (line <= 0) continue;
    const base = c.file.split(/[\\/]/).pop() ?? c.file;
    if (evidence.includes(`${c.file}:${line}`)) return c;
    const re = new RegExp(`(^|[^\\w.-])(?:[\\w.-]+/)*${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${line}(?!\\d)`);
    if (re.test(evidence)) return c;
  }
  return undefined;
}
