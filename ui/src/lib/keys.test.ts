import { describe, expect, it } from "vitest";
import { ariaChord, chordLabel, isTypingTarget, keysLabel, shortcut, shortcutFor, SHORTCUTS, stepSelection, type KeyLike } from "./keys";

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe("the key table", () => {
  it("has one entry per action and no chord twice", () => {
    const ids = SHORTCUTS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const chords = SHORTCUTS.flatMap((s) => s.chords.map((c) => `${c.ctrl ? "C" : ""}${c.shift ? "S" : ""}${c.alt ? "A" : ""}${c.key.toLowerCase()}`));
    expect(new Set(chords).size).toBe(chords.length);
  });

  it("covers every toolbar action", () => {
    for (const t of ["open-files", "open-folder", "add-clickhouse", "sample", "open-case", "save-case", "search-input", "zone-input", "add-note", "export", "theme-toggle", "about", "shortcuts", "copy-summary"]) {
      expect(SHORTCUTS.some((s) => s.testid === t), t).toBe(true);
    }
  });

  it("writes chords for people and for aria-keyshortcuts", () => {
    expect(keysLabel(shortcut("open-case"))).toBe("Ctrl+Shift+O");
    expect(keysLabel(shortcut("search"))).toBe("Ctrl+F or /");
    expect(keysLabel(shortcut("next"))).toBe("j or ↓");
    expect(chordLabel({ key: "Escape" })).toBe("Esc");
    expect(ariaChord({ key: "e", ctrl: true })).toBe("Control+E");
    expect(ariaChord({ key: "?" })).toBe("Shift+?");
    expect(ariaChord({ key: "j" })).toBe("j");
  });
});

describe("shortcutFor", () => {
  it("maps Ctrl chords, with or without Shift, and ⌘ like Ctrl", () => {
    expect(shortcutFor(key("o", { ctrlKey: true }), false)?.id).toBe("open-files");
    expect(shortcutFor(key("O", { ctrlKey: true, shiftKey: true }), false)?.id).toBe("open-case");
    expect(shortcutFor(key("e", { metaKey: true }), false)?.id).toBe("export");
    expect(shortcutFor(key("s", { ctrlKey: true }), false)?.id).toBe("save-case");
    expect(shortcutFor(key("e", { ctrlKey: true, altKey: true }), false)).toBeNull();
  });

  it("reads ? with or without the Shift it takes to type it", () => {
    expect(shortcutFor(key("?"), false)?.id).toBe("shortcuts");
    expect(shortcutFor(key("?", { shiftKey: true }), false)?.id).toBe("shortcuts");
  });

  it("moves and opens with single keys", () => {
    expect(shortcutFor(key("j"), false)?.id).toBe("next");
    expect(shortcutFor(key("ArrowDown"), false)?.id).toBe("next");
    expect(shortcutFor(key("k"), false)?.id).toBe("prev");
    expect(shortcutFor(key("Enter"), false)?.id).toBe("open-line");
    expect(shortcutFor(key("c"), false)?.id).toBe("copy-line");
    expect(shortcutFor(key("C", { shiftKey: true }), false)?.id).toBe("copy-summary");
    expect(shortcutFor(key("x"), false)).toBeNull();
  });

  it("leaves single keys to a field being typed in, but not Ctrl chords or Esc", () => {
    expect(shortcutFor(key("j"), true)).toBeNull();
    expect(shortcutFor(key("?"), true)).toBeNull();
    expect(shortcutFor(key("/"), true)).toBeNull();
    expect(shortcutFor(key("Enter"), true)).toBeNull();
    expect(shortcutFor(key("f", { ctrlKey: true }), true)?.id).toBe("search");
    expect(shortcutFor(key("Escape"), true)?.id).toBe("close");
  });
});

describe("isTypingTarget", () => {
  it("is true in text fields, selects and editable content, false on buttons and checkboxes", () => {
    const el = (html: string) => {
      const d = document.createElement("div");
      d.innerHTML = html;
      return d.firstElementChild;
    };
    expect(isTypingTarget(el("<input type=text>"))).toBe(true);
    expect(isTypingTarget(el("<input type=search>"))).toBe(true);
    expect(isTypingTarget(el("<input>"))).toBe(true);
    expect(isTypingTarget(el("<textarea></textarea>"))).toBe(true);
    expect(isTypingTarget(el("<select></select>"))).toBe(true);
    expect(isTypingTarget(el("<input type=checkbox>"))).toBe(false);
    expect(isTypingTarget(el("<button></button>"))).toBe(false);
    expect(isTypingTarget(document.body)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe("stepSelection", () => {
  const times = ["2026-11-17T11:00:00Z", "2026-11-17T11:20:00Z", "2026-11-17T11:20:00Z", "2026-11-17T11:40:00Z"];

  it("starts at the top going down and at the bottom going up", () => {
    expect(stepSelection(times, null, null, 1)).toBe(0);
    expect(stepSelection(times, null, null, -1)).toBe(3);
    expect(stepSelection([], null, null, 1)).toBeNull();
  });

  it("steps through rows that share an instant, trusting the index it moved to", () => {
    expect(stepSelection(times, times[1]!, null, 1)).toBe(2);
    expect(stepSelection(times, times[2]!, 2, 1)).toBe(3);
    expect(stepSelection(times, times[2]!, 2, -1)).toBe(1);
  });

  it("stops at the ends", () => {
    expect(stepSelection(times, times[3]!, 3, 1)).toBe(3);
    expect(stepSelection(times, times[0]!, 0, -1)).toBe(0);
  });

  it("goes to the neighbour of an instant picked between rows (a chart click)", () => {
    expect(stepSelection(times, "2026-11-17T11:30:00Z", null, 1)).toBe(3);
    expect(stepSelection(times, "2026-11-17T11:30:00Z", null, -1)).toBe(2);
    expect(stepSelection(times, "2026-11-17T12:30:00Z", null, -1)).toBe(3);
    expect(stepSelection(times, "2026-11-17T10:30:00Z", null, 1)).toBe(0);
  });
});
