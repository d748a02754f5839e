// "Add source → ClickHouse": the form of a log-store table. It only collects
// what the analyst typed; the app shows its own native confirmation naming
// the server before it contacts it, so a script in the page cannot make it
// query a server on its own.
import type { StoreSourceRequest } from "../ipc/bindings/StoreSourceRequest";
import { h } from "../lib/dom";
import { parseWallTime, zoneLabel, type Zone } from "../lib/time";

/** What the form fields hold, as typed. */
export type StoreForm = { url: string; table: string; columns: string; user: string; password: string; from: string; to: string };

/** The request for the form, or what is wrong with it (times are wall times in `zone`). */
export function storeRequest(f: StoreForm, zone: Zone): StoreSourceRequest | string {
  if (!/^https?:\/\/\S+$/i.test(f.url.trim())) return "Give the server's HTTP interface, e.g. http://ch.internal:8123/?database=logs";
  if (!f.table.trim()) return "Name the table (table or database.table)";
  const bound = (text: string): string | null | undefined => {
    if (!text.trim()) return null;
    const ms = parseWallTime(text, zone);
    return ms === null ? undefined : new Date(ms).toISOString();
  };
  const from = bound(f.from);
  const to = bound(f.to);
  if (from === undefined || to === undefined) return `Write times as YYYY-MM-DD HH:MM[:SS] in ${zoneLabel(zone)}`;
  if (from && to && to < from) return "The range ends before it starts";
  return { url: f.url.trim(), table: f.table.trim(), columns: f.columns.trim(), user: f.user.trim(), password: f.password, from, to };
}

/** Shows the form as a modal dialog; resolves with the request, or null when cancelled. */
export function askStoreSource(zone: Zone): Promise<StoreSourceRequest | null> {
  return new Promise((resolve) => {
    const field = (name: keyof StoreForm, label: string, attrs: Record<string, unknown> = {}) => {
      const input = h("input", { type: "text", name, autocomplete: "off", spellcheck: false, "data-testid": `store-${name}`, ...attrs });
      return { input, row: h("label", { class: "store-field" }, h("span", null, label), input) };
    };
    const fields = {
      url: field("url", "Server (HTTP interface)", { placeholder: "http://ch.internal:8123/?database=logs", required: true }),
      table: field("table", "Table", { placeholder: "otel_logs or logs.app", required: true }),
      columns: field("columns", "Columns (optional)", { placeholder: "time=ts,message=body,level=level,status=status,service=service,host=host" }),
      user: field("user", "User", { placeholder: "default" }),
      password: field("password", "Password", { type: "password" }),
      from: field("from", `From (${zoneLabel(zone)}, optional)`, { placeholder: "YYYY-MM-DD HH:MM" }),
      to: field("to", `To (${zoneLabel(zone)}, optional)`, { placeholder: "YYYY-MM-DD HH:MM" }),
    };
    const error = h("p", { class: "store-error", role: "alert", "data-testid": "store-error" });
    const dialog = h("dialog", { class: "store-dialog", "data-testid": "store-dialog" });
    const close = (value: StoreSourceRequest | null) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const form = h(
      "form",
      {
        method: "dialog",
        on: {
          submit: (ev: Event) => {
            ev.preventDefault();
            const typed = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value])) as StoreForm;
            const req = storeRequest(typed, zone);
            if (typeof req === "string") error.textContent = req;
            else close(req);
          },
        },
      },
      h("h2", null, "Add source → ClickHouse"),
      h("p", { class: "hint" }, "Faultline asks the table for its counts and notable rows over the look-back (or the range), like reading a log file. Without columns, the OpenTelemetry otel_logs layout is assumed. The password is used for this session's queries only and never saved."),
      Object.values(fields).map((f) => f.row),
      error,
      h(
        "div",
        { class: "store-actions" },
        h("button", { type: "button", class: "btn subtle", on: { click: () => close(null) } }, "Cancel"),
        h("button", { type: "submit", class: "btn primary", "data-testid": "store-submit" }, "Query"),
      ),
    );
    dialog.addEventListener("cancel", (ev) => {
      ev.preventDefault();
      close(null);
    });
    dialog.append(form);
    document.body.append(dialog);
    dialog.showModal();
    fields.url.input.focus();
  });
}
