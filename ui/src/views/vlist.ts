// A virtualized list of fixed-height rows: only the rows in view (plus a
// margin) exist in the DOM, so a timeline or a result list of 100 000 rows
// scrolls like one of 50. Rows are built by the caller with `h()`.
import { h } from "../lib/dom";
import { virtualWindow } from "../lib/store";

export type VirtualList = { el: HTMLElement; scrollToIndex: (i: number) => void };

export function virtualList<T>(items: readonly T[], rowHeight: number, render: (item: T, index: number) => HTMLElement, opts: { cls?: string; testid?: string; maxHeight?: number } = {}): VirtualList {
  const inner = h("div", { class: "vlist-inner", style: { height: `${items.length * rowHeight}px` } });
  const el = h("div", { class: `vlist ${opts.cls ?? ""}`, "data-testid": opts.testid ?? "", data: { count: String(items.length) } }, inner);
  if (opts.maxHeight) el.style.maxHeight = `${opts.maxHeight}px`;
  let drawn = "";
  const draw = () => {
    // Before layout (not yet in the document) the viewport is unknown: draw a first screenful.
    const viewport = el.clientHeight || opts.maxHeight || 600;
    const w = virtualWindow(el.scrollTop, viewport, rowHeight, items.length);
    const key = `${w.start}:${w.end}`;
    if (key === drawn) return;
    drawn = key;
    const rows: HTMLElement[] = [];
    for (let i = w.start; i < w.end; i++) {
      const row = render(items[i]!, i);
      row.style.position = "absolute";
      row.style.top = `${i * rowHeight}px`;
      row.style.left = "0";
      row.style.right = "0";
      row.style.height = `${rowHeight}px`;
      rows.push(row);
    }
    inner.replaceChildren(...rows);
  };
  el.addEventListener("scroll", () => draw(), { passive: true });
  // Redraw once laid out (the real viewport height is known then).
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => { drawn = ""; draw(); }).observe(el);
  draw();
  return {
    el,
    scrollToIndex: (i: number) => {
      const viewport = el.clientHeight || 300;
      el.scrollTop = Math.max(0, i * rowHeight - viewport / 2 + rowHeight / 2);
      draw();
    },
  };
}
