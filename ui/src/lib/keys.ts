// The keyboard shortcuts: one table, read by the handler (app.ts), the `?`
// sheet (views/shortcuts.ts) and the buttons' tooltips and
// aria-keyshortcuts. Pure: nothing here touches the DOM beyond reading an
// event's target.

/** What a shortcut does; app.ts maps each id to its action. */
export type ShortcutId =
  | "open-files"
  | "open-folder"
  | "add-clickhouse"
  | "open-sample"
  | "open-case"
  | "save-case"
  | "search"
  | "zone"
  | "add-note"
  | "export"
  | "chart-svg"
  | "chart-png"
  | "zoom-reset"
  | "theme"
  | "about"
  | "shortcuts"
  | "next"
  | "prev"
  | "open-line"
  | "copy-line"
  | "copy-summary"
  | "close";

/**
 * One key chord. `ctrl` is Ctrl (or ⌘ on a Mac keyboard); `key` is compared
 * case-insensitively with `KeyboardEvent.key`. A chord without `ctrl` is a
 * single key and is ignored while the analyst types in a field.
 */
export type Chord = { key: string; ctrl?: boolean; shift?: boolean; alt?: boolean };

export type Shortcut = {
  id: ShortcutId;
  group: "Case" | "View" | "Timeline";
  /** What it does, as the sheet lists it. */
  label: string;
  chords: Chord[];
  /** The toolbar or panel button it presses: gets the tooltip and aria-keyshortcuts. */
  testid?: string;
};

export const SHORTCUTS: readonly Shortcut[] = [
  { id: "open-files", group: "Case", label: "Add log files and exports to the case", chords: [{ key: "o", ctrl: true }], testid: "open-files" },
  { id: "open-folder", group: "Case", label: "Add a folder to the case", chords: [{ key: "d", ctrl: true, shift: true }], testid: "open-folder" },
  { id: "add-clickhouse", group: "Case", label: "Add a ClickHouse table", chords: [{ key: "k", ctrl: true, shift: true }], testid: "add-clickhouse" },
  { id: "open-sample", group: "Case", label: "Open the sample incident", chords: [{ key: "m", ctrl: true, shift: true }], testid: "sample" },
  { id: "open-case", group: "Case", label: "Open a saved case", chords: [{ key: "o", ctrl: true, shift: true }], testid: "open-case" },
  { id: "save-case", group: "Case", label: "Save the case", chords: [{ key: "s", ctrl: true }], testid: "save-case" },
  { id: "add-note", group: "Case", label: "Add a note at the selected instant", chords: [{ key: "n", ctrl: true }], testid: "add-note" },
  { id: "export", group: "Case", label: "Export the postmortem", chords: [{ key: "e", ctrl: true }], testid: "export" },
  { id: "search", group: "View", label: "Search the raw lines", chords: [{ key: "f", ctrl: true }, { key: "/" }], testid: "search-input" },
  { id: "zone", group: "View", label: "Change the display time zone", chords: [{ key: "t", ctrl: true, shift: true }], testid: "zone-input" },
  { id: "chart-svg", group: "View", label: "Save the chart as SVG", chords: [{ key: "g", ctrl: true, shift: true }], testid: "chart-svg" },
  { id: "chart-png", group: "View", label: "Save the chart as PNG", chords: [{ key: "p", ctrl: true, shift: true }], testid: "chart-png" },
  { id: "zoom-reset", group: "View", label: "Show the whole time range", chords: [{ key: "0" }], testid: "zoom-reset" },
  { id: "theme", group: "View", label: "Switch theme (system, light, dark)", chords: [{ key: "l", ctrl: true, shift: true }], testid: "theme-toggle" },
  { id: "about", group: "View", label: "About Faultline", chords: [{ key: "F1" }], testid: "about" },
  { id: "shortcuts", group: "View", label: "Show these shortcuts", chords: [{ key: "?" }], testid: "shortcuts" },
  { id: "next", group: "Timeline", label: "Select the next entry", chords: [{ key: "j" }, { key: "ArrowDown" }] },
  { id: "prev", group: "Timeline", label: "Select the previous entry", chords: [{ key: "k" }, { key: "ArrowUp" }] },
  { id: "open-line", group: "Timeline", label: "Open the selected entry's raw line", chords: [{ key: "Enter" }] },
  { id: "copy-line", group: "Timeline", label: "Copy the raw line with its citation", chords: [{ key: "c" }] },
  { id: "copy-summary", group: "Timeline", label: "Copy the summary (Markdown)", chords: [{ key: "c", shift: true }], testid: "copy-summary" },
  { id: "close", group: "Timeline", label: "Close the sheet, raw lines, search or note", chords: [{ key: "Escape" }] },
];

/** The subset of a KeyboardEvent the matcher reads. */
export type KeyLike = { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean };

/** Keys whose `key` already says Shift was held: `?` is Shift+/ on most layouts. */
const SHIFTED = new Set(["?"]);

function matches(c: Chord, ev: KeyLike): boolean {
  const ctrl = ev.ctrlKey || ev.metaKey;
  if (Boolean(c.ctrl) !== ctrl || Boolean(c.alt) !== ev.altKey) return false;
  if (!SHIFTED.has(c.key) && Boolean(c.shift) !== ev.shiftKey) return false;
  return ev.key.length === 1 && c.key.length === 1 ? ev.key.toLowerCase() === c.key.toLowerCase() : ev.key === c.key;
}

/**
 * The shortcut a key press means, or null. `typing` says the focus is in a
 * text field: only Ctrl chords and Escape act there, everything else is
 * the analyst's text.
 */
export function shortcutFor(ev: KeyLike, typing: boolean, table: readonly Shortcut[] = SHORTCUTS): Shortcut | null {
  for (const s of table) {
    for (const c of s.chords) {
      if (!matches(c, ev)) continue;
      if (typing && !c.ctrl && c.key !== "Escape") continue;
      return s;
    }
  }
  return null;
}

/** Where keys are text (or drive a control of their own): fields, selects, editable content. */
export function isTypingTarget(t: EventTarget | null): boolean {
  if (!t || typeof (t as Element).tagName !== "string") return false;
  const el = t as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select" || el.isContentEditable) return true;
  if (tag !== "input") return false;
  const type = ((el as HTMLInputElement).type || "text").toLowerCase();
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(type);
}

/** Elements on which Enter and Space already mean "press me". */
export function isActivatable(t: EventTarget | null): boolean {
  if (!t || typeof (t as Element).tagName !== "string") return false;
  const tag = (t as HTMLElement).tagName.toLowerCase();
  return tag === "button" || tag === "a" || tag === "summary" || (t as HTMLElement).getAttribute("role") === "button";
}

const NAMES: Record<string, string> = { ArrowDown: "↓", ArrowUp: "↑", Escape: "Esc", Enter: "Enter" };

/** `Ctrl+Shift+O`, `j`, `↓`, `?`: how the sheet and the tooltips write a chord. */
export function chordLabel(c: Chord): string {
  const parts: string[] = [];
  if (c.ctrl) parts.push("Ctrl");
  if (c.alt) parts.push("Alt");
  if (c.shift) parts.push("Shift");
  parts.push(NAMES[c.key] ?? (c.key.length === 1 && (c.ctrl || c.shift) ? c.key.toUpperCase() : c.key));
  return parts.join("+");
}

/** The value of `aria-keyshortcuts` (WAI-ARIA spelling: `Control+Shift+O`, `Shift+?`…). */
export function ariaChord(c: Chord): string {
  const parts: string[] = [];
  if (c.ctrl) parts.push("Control");
  if (c.alt) parts.push("Alt");
  if (c.shift || SHIFTED.has(c.key)) parts.push("Shift");
  parts.push(c.key.length === 1 ? (c.ctrl || c.shift ? c.key.toUpperCase() : c.key) : c.key);
  return parts.join("+");
}

export function shortcut(id: ShortcutId, table: readonly Shortcut[] = SHORTCUTS): Shortcut {
  const s = table.find((x) => x.id === id);
  if (!s) throw new Error(`no shortcut ${id}`);
  return s;
}

/** `Ctrl+F or /`. */
export function keysLabel(s: Shortcut): string {
  return s.chords.map(chordLabel).join(" or ");
}

/**
 * Position in `times` (ascending ISO instants of the rows shown) one step
 * from the selection: `current` is the index last moved to, trusted when it
 * still holds the cursor's instant (rows can share one), else the cursor's
 * first row. Nothing selected: `next` starts at the top, `prev` at the bottom.
 */
export function stepSelection(times: readonly string[], cursor: string | null, current: number | null, dir: 1 | -1): number | null {
  if (times.length === 0) return null;
  let at: number | null = null;
  const c = cursor === null ? NaN : Date.parse(cursor);
  if (!Number.isNaN(c)) {
    if (current !== null && current < times.length && Date.parse(times[current]!) === c) at = current;
    else {
      const i = times.findIndex((t) => Date.parse(t) >= c);
      if (i === -1) at = dir === 1 ? times.length - 1 : times.length;
      else if (Date.parse(times[i]!) === c) at = i;
      else at = dir === 1 ? i - 1 : i; // between rows: the next step lands on the neighbour
    }
  }
  if (at === null) return dir === 1 ? 0 : times.length - 1;
  return Math.max(0, Math.min(times.length - 1, at + dir));
}
