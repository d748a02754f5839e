// "Copy line with citation" and "Copy summary": the Markdown an analyst
// pastes into a chat message or a ticket, and the clipboard write that
// works in the app's WebKitGTK webview.
import type { Analysis } from "../ipc/bindings/Analysis";
import type { Citation } from "../ipc/bindings/Citation";
import { shortPath } from "./format";
import { formatDuration, formatInstant, zoneLabel, type Zone } from "./time";
import { citationFor } from "./timeline";

/** A fence longer than any run of backticks in `text`, so a raw line cannot close its code block. */
function fence(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** `access.log:1234` (the file as the window shows it; the line when the record has one). */
export function citationRef(file: string, line: number | null | undefined): string {
  const n = Number(line ?? 0);
  return n > 0 ? `${shortPath(file)}:${n}` : shortPath(file);
}

/**
 * A raw line with where it comes from:
 *
 *     `access.log:1234`
 *     ```
 *     10.0.0.1 - - [17/Nov/2026:11:21:04 +0000] "POST /login HTTP/1.1" 500 …
 *     ```
 */
export function lineWithCitation(file: string, line: number | null | undefined, text: string): string {
  const f = fence(text);
  return `\`${citationRef(file, line)}\`\n${f}\n${text.replace(/\r?\n$/, "")}\n${f}\n`;
}

export function citationMarkdown(c: Citation): string {
  return lineWithCitation(c.file, Number(c.line), c.text);
}

/** One line of analysis text: no line breaks, deep paths cut to their last two segments as on screen. */
function inline(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/(?:\/[\w.@+-]+){3,}/g, (p) => shortPath(p));
}

/**
 * The incident in a few lines: what failed, when it started and recovered,
 * how long that took, and the likely cause with its probability and the
 * records its evidence cites.
 */
export function summaryMarkdown(a: Analysis, zone: Zone, title: string | null = null): string {
  const inc = a.incident;
  const out: string[] = [];
  out.push(`**${inline(title ? `Incident: ${title}` : "Incident")}** — ${inline(inc ? inc.summary : (a.lead ?? "no error burst stands out from the baseline"))}`);
  out.push("");
  const z = zoneLabel(zone, inc ? Date.parse(inc.onset) : Date.now());
  if (inc) {
    out.push(`- Onset: ${formatInstant(inc.onset, zone)} (${z}) — \`${citationRef(inc.onset_citation.file, Number(inc.onset_citation.line))}\``);
    out.push(inc.recovered ? `- Recovered: ${formatInstant(inc.recovered, zone)} (${z}), after ${formatDuration(a.metrics.time_to_recover_s)}` : "- Recovered: not yet (ongoing)");
  }
  const top = a.suspects[0];
  if (top) {
    const pct = Math.round(top.score * 100);
    const verdict = top.score >= 0.5 ? "likely root cause" : "possible cause";
    out.push(`- Suspect: \`${top.change_id}\` at ${formatInstant(top.time, zone)} — ${inline(top.summary)} (${verdict}, probability ${pct}%)`);
    for (const ev of top.evidence) {
      const c = citationFor(ev, top.citations);
      out.push(`  - ${inline(ev)}${c && !ev.includes(`:${Number(c.line)}`) ? ` (\`${citationRef(c.file, Number(c.line))}\`)` : ""}`);
    }
  } else {
    out.push("- Suspect: none of the changes read explains the incident");
  }
  return out.join("\n") + "\n";
}

/** The last text handed to the clipboard (the e2e test reads it where WebDriver cannot read the clipboard). */
let lastCopied: string | null = null;
export function lastCopy(): string | null {
  return lastCopied;
}

/**
 * Puts `text` on the clipboard. The async Clipboard API first (tauri:// is
 * a secure context); where WebKitGTK refuses it, a hidden textarea and
 * `execCommand("copy")`, which the webview allows from a key press or a
 * click. Resolves to whether either worked.
 */
export async function copyText(text: string): Promise<boolean> {
  lastCopied = text;
  (globalThis as { __faultlineLastCopy?: string }).__faultlineLastCopy = text;
  try {
    if (typeof navigator !== "undefined" && navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through to the textarea.
  }
  return copyWithTextarea(text);
}

function copyWithTextarea(text: string): boolean {
  if (typeof document === "undefined") return false;
  const active = document.activeElement as HTMLElement | null;
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.setAttribute("aria-hidden", "true");
  area.style.position = "fixed";
  area.style.top = "-1000px";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  active?.focus?.();
  return ok;
}
