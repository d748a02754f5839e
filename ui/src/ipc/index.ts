// The only module that talks to Tauri. Everything else in the UI calls these
// typed functions, so the views can be tested (and reasoned about) without
// a webview, and the IPC surface is visible in one place.
import { getName, getTauriVersion, getVersion } from "@tauri-apps/api/app";
import { Channel, invoke } from "@tauri-apps/api/core";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { Analysis } from "./bindings/Analysis";
import type { AnalysisView } from "./bindings/AnalysisView";
import type { CaseInfo } from "./bindings/CaseInfo";
import type { RecentCaseDto } from "./bindings/RecentCaseDto";
import type { ExcerptDto } from "./bindings/ExcerptDto";
import type { ExportResult } from "./bindings/ExportResult";
import type { IngestEvent } from "./bindings/IngestEvent";
import type { IngestResult } from "./bindings/IngestResult";
import type { IpcError } from "./bindings/IpcError";
import type { LaunchOptions } from "./bindings/LaunchOptions";
import type { NoteDto } from "./bindings/NoteDto";
import type { OpenedSample } from "./bindings/OpenedSample";
import type { SearchHitDto } from "./bindings/SearchHitDto";
import type { SearchSummary } from "./bindings/SearchSummary";
import type { SourceRow } from "./bindings/SourceRow";
import type { StoreSourceRequest } from "./bindings/StoreSourceRequest";
import type { BuiltinTemplate } from "./bindings/BuiltinTemplate";
import type { ChartFormat } from "./bindings/ChartFormat";
import type { ConfirmResult } from "./bindings/ConfirmResult";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ExportRequest } from "./bindings/ExportRequest";
import type { ReportFormat } from "./bindings/ReportFormat";
import type { SavePurpose } from "./bindings/SavePurpose";
import type { SourceKind } from "./bindings/SourceKind";
import type { TemplateRequest } from "./bindings/TemplateRequest";
import type { TimelineAction } from "./bindings/TimelineAction";
import type { ZoneSpec } from "./bindings/ZoneSpec";

export type { Analysis, AnalysisView, BuiltinTemplate, CaseInfo, ChartFormat, ConfirmResult, ErrorCode, ExportRequest, RecentCaseDto, ExcerptDto, ExportResult, IngestEvent, IngestResult, IpcError, NoteDto, OpenedSample, ReportFormat, SavePurpose, SearchHitDto, SearchSummary, SourceKind, SourceRow, StoreSourceRequest, TemplateRequest, TimelineAction, ZoneSpec };

const ERROR_CODES: readonly ErrorCode[] = ["input", "store", "search", "report", "engine", "bad_zone", "bad_request", "not_granted", "unavailable", "io", "closing", "internal"];

/** Errors from commands arrive as `{code, message}`; anything else (a Tauri failure) is wrapped. */
export function asIpcError(e: unknown): IpcError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const code = (e as IpcError).code;
    return { code: ERROR_CODES.includes(code) ? code : "internal", message: String((e as IpcError).message) };
  }
  return { code: "internal", message: e instanceof Error ? e.message : String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

export function openSample(onProgress: (e: IngestEvent) => void): Promise<OpenedSample> {
  const ch = new Channel<IngestEvent>();
  ch.onmessage = onProgress;
  return call("open_sample", { onProgress: ch });
}

export function ingestPaths(paths: string[], tz: ZoneSpec, onProgress: (e: IngestEvent) => void): Promise<IngestResult> {
  const ch = new Channel<IngestEvent>();
  ch.onmessage = onProgress;
  return call("ingest_paths", { paths, tz, onProgress: ch });
}

/** Queries a ClickHouse table into the case after the app's own confirmation; null when the analyst declined. */
export function addClickhouseSource(request: StoreSourceRequest, onProgress: (e: IngestEvent) => void): Promise<IngestResult | null> {
  const ch = new Channel<IngestEvent>();
  ch.onmessage = onProgress;
  return call("add_clickhouse_source", { request, onProgress: ch });
}

export function cancelIngest(): Promise<void> {
  return call("cancel_ingest");
}

export function analyze(displayTz: ZoneSpec): Promise<AnalysisView> {
  return call("analyze", { displayTz });
}

/** Analyzes the `number`-th incident found (null: the most severe) from now on, exports included. */
export function chooseIncident(number: number | null, displayTz: ZoneSpec): Promise<AnalysisView> {
  return call("choose_incident", { number, displayTz });
}

/** What is new compares with `range` (UTC ISO instants) from now on; null: the default baseline. */
export function chooseBaseline(range: { from: string; to: string } | null, displayTz: ZoneSpec): Promise<AnalysisView> {
  return call("choose_baseline", { from: range?.from ?? null, to: range?.to ?? null, displayTz });
}

export function sources(): Promise<SourceRow[]> {
  return call("sources");
}

export type SearchParams = { pattern: string; literal: boolean; from?: string | null; to?: string | null; max?: number };

export function search(p: SearchParams, onHit: (hit: SearchHitDto) => void): Promise<SearchSummary> {
  const ch = new Channel<SearchHitDto>();
  ch.onmessage = onHit;
  return call("search", { pattern: p.pattern, literal: p.literal, from: p.from ?? null, to: p.to ?? null, max: p.max ?? null, onHit: ch });
}

export function excerpt(file: string, offset: number, len: number, line: number): Promise<ExcerptDto> {
  return call("excerpt", { file, offset, len, line });
}

export function addNote(time: string, text: string): Promise<NoteDto> {
  return call("add_note", { time, text });
}

export function deleteNote(id: number): Promise<boolean> {
  return call("delete_note", { id });
}

export function notes(): Promise<NoteDto[]> {
  return call("notes");
}

export function exportReport(request: ExportRequest): Promise<ExportResult> {
  return call("export", { request });
}

/** `redact`: the SVG's lane tooltips quote messages and alerts, masked like a postmortem's. */
export function exportChart(format: ChartFormat, displayTz: ZoneSpec, range: { from: string; to: string } | null, redact: boolean, png: number[] | null, path: string): Promise<ExportResult> {
  return call("export_chart", { format, displayTz, from: range?.from ?? null, to: range?.to ?? null, redact, png, path });
}

export function correctSource(path: string, kind: SourceKind, tz: ZoneSpec, onProgress: (e: IngestEvent) => void): Promise<IngestResult> {
  const ch = new Channel<IngestEvent>();
  ch.onmessage = onProgress;
  return call("correct_source", { path, kind, tz, onProgress: ch });
}

/** Reads a source again with its clock moved by `offset` (`+40s`, `-1m30s`; `0` undoes a correction). */
export function setClockOffset(path: string, offset: string, onProgress: (e: IngestEvent) => void): Promise<IngestResult> {
  const ch = new Channel<IngestEvent>();
  ch.onmessage = onProgress;
  return call("set_clock_offset", { path, offset, onProgress: ch });
}

export function editTimeline(key: string, edit: TimelineAction): Promise<void> {
  return call("edit_timeline", { key, edit });
}

export function caseInfo(): Promise<CaseInfo> {
  return call("case_info");
}

export function saveCaseAs(path: string): Promise<CaseInfo> {
  return call("save_case_as", { path });
}

export function openCase(path: string): Promise<CaseInfo> {
  return call("open_case", { path });
}

export function recentCases(): Promise<RecentCaseDto[]> {
  return call("recent_cases");
}

// Dialogs run in the app (Rust side), which remembers what the user chose:
// commands that read or write files accept only those paths.

/** Asks for files (or a folder) to add; null when cancelled. */
export function pickInputs(folder: boolean): Promise<string[] | null> {
  return call("choose_inputs", { folder });
}

export function pickSavePath(purpose: SavePurpose, defaultName: string, extension: string, label: string): Promise<string | null> {
  return call("choose_save_path", { purpose, defaultName, extension, label });
}

export function pickCase(): Promise<string | null> {
  return call("choose_case");
}

/** Asks for a postmortem template file; null when cancelled. */
export function pickTemplate(): Promise<string | null> {
  return call("choose_template");
}

/** Asks the analyst to confirm the folder of the case's inputs; null when cancelled. */
export function confirmCaseFolder(): Promise<ConfirmResult | null> {
  return call("confirm_case_folder");
}

export type DropState = { kind: "over" } | { kind: "leave" } | { kind: "drop"; paths: string[] };

/** Files and folders dragged onto the window (the webview's own drop events carry no paths). */
export async function onDrop(handler: (s: DropState) => void): Promise<() => void> {
  return getCurrentWebview().onDragDropEvent((event) => {
    const p = event.payload;
    if (p.type === "over" || p.type === "enter") handler({ kind: "over" });
    else if (p.type === "leave") handler({ kind: "leave" });
    else if (p.type === "drop") handler({ kind: "drop", paths: p.paths });
  });
}

/** True inside the app; false in a plain browser (vite dev, unit tests). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export function launchOptions(): Promise<LaunchOptions> {
  return call("launch_options");
}

/** What the About panel shows of the running binary (the version is the Cargo workspace's). */
export async function appInfo(): Promise<{ name: string; version: string; tauriVersion: string }> {
  try {
    const [name, version, tauriVersion] = await Promise.all([getName(), getVersion(), getTauriVersion()]);
    return { name, version, tauriVersion };
  } catch (e) {
    throw asIpcError(e);
  }
}
