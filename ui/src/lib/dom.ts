// The only way the UI builds DOM. Children that are strings become text
// nodes, and there is no way to pass HTML: log lines, file names and commit
// messages are attacker-controlled, and `<img src=x onerror=…>` in a request
// line must show up as those characters, never as an element.

export type Child = Node | string | number | null | undefined | false | Child[];

export type Attrs = {
  class?: string;
  title?: string;
  style?: Partial<CSSStyleDeclaration>;
  data?: Record<string, string>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[K]) => void }>;
  // Plain DOM properties (type, value, disabled, placeholder, …). Never
  // innerHTML/outerHTML: `h` refuses them.
  [prop: string]: unknown;
};

const FORBIDDEN = new Set(["innerHTML", "outerHTML", "srcdoc"]);

function append(el: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(el, c);
  } else if (typeof child === "string" || typeof child === "number") {
    el.appendChild(document.createTextNode(String(child)));
  } else {
    el.appendChild(child);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null) continue;
      if (FORBIDDEN.has(key) || key.startsWith("on") && key !== "on") {
        throw new Error(`h(): refusing to set ${key}`);
      }
      if (key === "class") el.className = String(value);
      else if (key === "style") Object.assign(el.style, value);
      else if (key === "data") for (const [k, v] of Object.entries(value as Record<string, string>)) el.dataset[k] = v;
      else if (key === "on") {
        for (const [ev, fn] of Object.entries(value as Record<string, EventListener>)) el.addEventListener(ev, fn);
      } else if (key.includes("-") || key === "title" || key === "role" || key === "for" || key === "tabindex") {
        el.setAttribute(key, String(value));
      } else {
        (el as unknown as Record<string, unknown>)[key] = value;
      }
    }
  }
  append(el, children);
  return el;
}

export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Replaces an element's children. */
export function mount(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * Splits `text` around matches of the search pattern and wraps them in
 * `<mark>`, all as text nodes. A pattern the JS engine cannot compile (the
 * engine's regex dialect differs) just shows the line unmarked.
 */
export function highlight(text: string, pattern: string, literal: boolean): Child[] {
  if (!pattern) return [text];
  let re: RegExp;
  try {
    const src = literal ? pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : pattern;
    const flags = /[A-Z]/.test(pattern) ? "g" : "gi";
    re = new RegExp(src, flags);
  } catch {
    return [text];
  }
  const out: Child[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index ?? 0;
    if (m[0].length === 0) break;
    if (at > last) out.push(text.slice(last, at));
    out.push(h("mark", null, m[0]));
    last = at + m[0].length;
    if (out.length > 200) break;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * Text in which balanced `backtick` spans (how the analysis quotes files,
 * modules and signatures) become <code> elements. Every piece is still a
 * text node: the quoting is presentation, never markup from the data.
 */
export function quoted(text: string): Child[] {
  const parts = text.split("`");
  if (parts.length < 3 || parts.length % 2 === 0) return [text];
  return parts.map((p, i) => (i % 2 === 1 && p !== "" ? h("code", null, p) : p));
}
