// The About panel: which Faultline this is (name and version of the running
// binary, read through `ipc.appInfo`), its licence, and the third-party work
// the app carries inside it.
import { h, mount } from "../lib/dom";

/** Faultline's own licence: the `license` of `[workspace.package]` in Cargo.toml (about.test.ts checks they agree). */
export const LICENCE = "MIT";

export type Credit = { name: string; what: string; licence: string; notice: string };

/**
 * Third-party work compiled or bundled into the app, with the notice its
 * licence asks to keep. Format definitions taken from other projects (lnav's
 * are BSD-2-Clause) belong here, with their copyright line, when the app
 * ships them.
 */
export const CREDITS: readonly Credit[] = [
  { name: "uPlot", what: "the error-rate chart", licence: "MIT", notice: "Copyright (c) 2022 Leon Sorokin" },
  { name: "SQLite", what: "the case file, compiled in", licence: "Public domain", notice: "SQLite is in the public domain" },
  { name: "Tauri", what: "the window and its bridge to the engine", licence: "MIT or Apache-2.0", notice: "Copyright (c) Tauri Programme within The Commons Conservancy" },
];

export type AboutInfo = { name: string; version: string; tauriVersion: string };

/** The panel's content; `info` is null while it loads and when it could not be read. */
export function aboutView(info: AboutInfo | null, error: string | null, onClose: () => void): HTMLElement {
  return h(
    "div",
    { class: "about-card", role: "dialog", "aria-modal": "true", "aria-labelledby": "about-title", "data-testid": "about-panel" },
    h("header", { class: "about-head" }, h("span", { class: "logo", "aria-hidden": "true" }), h("h2", { id: "about-title" }, info?.name ?? "Faultline")),
    h(
      "dl",
      { class: "about-facts" },
      h("dt", null, "Version"),
      h("dd", { "data-testid": "about-version", class: "mono" }, info ? info.version : error ? "unknown" : "…"),
      h("dt", null, "Licence"),
      h("dd", { "data-testid": "about-licence" }, LICENCE),
      info ? [h("dt", null, "Tauri"), h("dd", { class: "mono" }, info.tauriVersion)] : null,
    ),
    error ? h("p", { class: "about-error" }, `The version could not be read: ${error}`) : null,
    h("h3", null, "Third-party work in this app"),
    h(
      "ul",
      { class: "about-credits", "data-testid": "about-credits" },
      CREDITS.map((c) => h("li", null, h("strong", null, c.name), ` (${c.what}): ${c.licence}. `, h("span", { class: "muted" }, c.notice))),
    ),
    h("p", { class: "muted small" }, "The Rust crates listed in Cargo.lock are compiled in under their own licences."),
    h("footer", { class: "about-foot" }, h("button", { type: "button", class: "btn", "data-testid": "about-close", on: { click: onClose } }, "Close")),
  );
}

/** The overlay that holds the panel: opened from the toolbar, closed by its button, Escape or a click outside. */
export class AboutPanel {
  readonly el = h("div", { class: "about-overlay", hidden: true });
  private info: AboutInfo | null = null;

  constructor(private load: () => Promise<AboutInfo>) {
    this.el.addEventListener("click", (ev) => {
      if (ev.target === this.el) this.close();
    });
    this.el.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") this.close();
    });
  }

  async open(): Promise<void> {
    this.el.hidden = false;
    this.show(null);
    let error: string | null = null;
    try {
      this.info ??= await this.load();
    } catch (e) {
      error = e && typeof e === "object" && "message" in e ? String(e.message) : String(e);
    }
    if (!this.el.hidden) this.show(error);
  }

  close(): void {
    this.el.hidden = true;
  }

  private show(error: string | null): void {
    mount(this.el, aboutView(this.info, error, () => this.close()));
    this.el.querySelector<HTMLButtonElement>("[data-testid=about-close]")?.focus();
  }
}
