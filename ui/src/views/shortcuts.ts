// The `?` sheet: every shortcut of `lib/keys.ts`, grouped, in a modal
// dialog (focus kept inside, Escape or Close to leave, focus handed back to
// where it was). Also puts each shortcut on its button: the tooltip says the
// keys and `aria-keyshortcuts` tells assistive technology.
import { h, mount } from "../lib/dom";
import { ariaChord, chordLabel, keysLabel, SHORTCUTS, type Shortcut } from "../lib/keys";

export function shortcutsView(table: readonly Shortcut[], onClose: () => void): HTMLElement {
  const groups = [...new Set(table.map((s) => s.group))];
  return h(
    "div",
    { class: "about-card shortcuts-card", role: "dialog", "aria-modal": "true", "aria-labelledby": "shortcuts-title", "data-testid": "shortcuts-sheet" },
    h("header", { class: "about-head" }, h("h2", { id: "shortcuts-title" }, "Keyboard shortcuts")),
    h("p", { class: "muted small" }, "Single keys act when the focus is not in a text field; Ctrl combinations and Esc act everywhere."),
    groups.map((g) =>
      h(
        "section",
        { class: "shortcut-group" },
        h("h3", null, g),
        h(
          "table",
          { class: "shortcut-table" },
          h(
            "tbody",
            null,
            table
              .filter((s) => s.group === g)
              .map((s) =>
                h(
                  "tr",
                  { "data-testid": "shortcut", data: { id: s.id } },
                  h("td", { class: "shortcut-keys" }, s.chords.map((c, i) => [i > 0 ? " or " : null, h("kbd", null, chordLabel(c))])),
                  h("td", null, s.label),
                ),
              ),
          ),
        ),
      ),
    ),
    h("footer", { class: "about-foot" }, h("button", { type: "button", class: "btn", "data-testid": "shortcuts-close", on: { click: onClose } }, "Close")),
  );
}

/** Elements Tab can reach inside `root`. */
function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>("button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])")].filter((e) => !(e as HTMLButtonElement).disabled);
}

export class ShortcutsSheet {
  readonly el = h("div", { class: "about-overlay shortcuts-overlay", hidden: true });
  private returnTo: HTMLElement | null = null;

  constructor(private table: readonly Shortcut[] = SHORTCUTS) {
    this.el.addEventListener("click", (ev) => {
      if (ev.target === this.el) this.close();
    });
    this.el.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        ev.preventDefault();
        ev.stopPropagation();
        this.close();
      } else if (ev.key === "Tab") {
        // The focus stays in the dialog: Tab past the last control comes back to the first.
        const f = focusables(this.el);
        if (!f.length) return;
        const first = f[0]!;
        const last = f[f.length - 1]!;
        if (ev.shiftKey && document.activeElement === first) {
          ev.preventDefault();
          last.focus();
        } else if (!ev.shiftKey && document.activeElement === last) {
          ev.preventDefault();
          first.focus();
        }
      }
    });
    this.el.addEventListener("focusout", (ev) => {
      // A click on the overlay's edge must not drop the focus behind the dialog.
      const to = ev.relatedTarget as Node | null;
      if (!this.el.hidden && to && !this.el.contains(to)) focusables(this.el)[0]?.focus();
    });
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  open(): void {
    if (this.isOpen) return;
    this.returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    mount(this.el, shortcutsView(this.table, () => this.close()));
    this.el.hidden = false;
    this.el.querySelector<HTMLButtonElement>("[data-testid=shortcuts-close]")?.focus();
  }

  close(): void {
    if (!this.isOpen) return;
    this.el.hidden = true;
    this.el.replaceChildren();
    this.returnTo?.focus?.();
    this.returnTo = null;
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.open();
  }
}

/** Adds each shortcut's keys to its button's tooltip and `aria-keyshortcuts`. */
export function labelShortcuts(root: ParentNode, table: readonly Shortcut[] = SHORTCUTS): void {
  for (const s of table) {
    if (!s.testid) continue;
    for (const el of root.querySelectorAll<HTMLElement>(`[data-testid="${s.testid}"]`)) {
      el.setAttribute("aria-keyshortcuts", s.chords.map(ariaChord).join(" "));
      const base = el.dataset.baseTitle ?? el.getAttribute("title") ?? el.getAttribute("aria-label") ?? el.textContent?.trim() ?? "";
      el.dataset.baseTitle = base;
      el.setAttribute("title", base ? `${base} (${keysLabel(s)})` : keysLabel(s));
    }
  }
}
