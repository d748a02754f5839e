import { describe, expect, it } from "vitest";
import { App } from "../app";
import { SHORTCUTS } from "../lib/keys";
import { ShortcutsSheet } from "./shortcuts";

describe("the shortcuts sheet", () => {
  it("is a modal dialog listing every shortcut, Ctrl+E among them, and closes on Escape", () => {
    const before = document.createElement("button");
    document.body.append(before);
    before.focus();
    const sheet = new ShortcutsSheet();
    document.body.append(sheet.el);
    sheet.open();
    const dialog = sheet.el.querySelector("[role=dialog]")!;
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(document.getElementById(dialog.getAttribute("aria-labelledby")!)?.textContent).toBe("Keyboard shortcuts");
    expect(sheet.el.querySelectorAll("[data-testid=shortcut]").length).toBe(SHORTCUTS.length);
    expect(sheet.el.querySelector("[data-id=export]")?.textContent).toContain("Ctrl+E");
    expect(sheet.el.contains(document.activeElement)).toBe(true);
    sheet.el.querySelector("button")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(sheet.isOpen).toBe(false);
    expect(document.activeElement).toBe(before);
  });

  it("keeps Tab inside the dialog", () => {
    const sheet = new ShortcutsSheet();
    document.body.append(sheet.el);
    sheet.open();
    const close = sheet.el.querySelector<HTMLButtonElement>("[data-testid=shortcuts-close]")!;
    close.focus();
    const ev = new KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true });
    close.dispatchEvent(ev);
    expect(ev.defaultPrevented).toBe(true);
    sheet.close();
  });
});

describe("the toolbar", () => {
  // One window per document: each App listens for keys on the document.
  const root = document.createElement("div");
  document.body.append(root);
  new App(root).start();

  it("gives every button a shortcut, shown in its tooltip and aria-keyshortcuts", () => {
    const buttons = [...root.querySelectorAll<HTMLButtonElement>(".toolbar button")];
    expect(buttons.length).toBeGreaterThan(10);
    for (const b of buttons) {
      if (b.type === "submit") continue; // the search form's button: Enter in the field
      expect(b.getAttribute("aria-keyshortcuts"), b.textContent ?? "").toBeTruthy();
    }
    const exp = root.querySelector("[data-testid=export]")!;
    expect(exp.getAttribute("aria-keyshortcuts")).toBe("Control+E");
    expect(exp.getAttribute("title")).toMatch(/\(Ctrl\+E\)$/);
    expect(root.querySelector("[data-testid=search-input]")?.getAttribute("aria-keyshortcuts")).toBe("Control+F /");
  });

  it("opens the sheet on ? and focuses the search on Ctrl+F, unless typing", () => {
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "?", bubbles: true, cancelable: true }));
    const sheet = root.querySelector<HTMLElement>(".shortcuts-overlay")!;
    expect(sheet.hidden).toBe(false);
    document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
    expect(sheet.hidden).toBe(true);
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "f", ctrlKey: true, bubbles: true, cancelable: true }));
    const search = root.querySelector<HTMLInputElement>("[data-testid=search-input]")!;
    expect(document.activeElement).toBe(search);
    search.dispatchEvent(new KeyboardEvent("keydown", { key: "?", bubbles: true, cancelable: true }));
    expect(sheet.hidden).toBe(true);
  });
});
