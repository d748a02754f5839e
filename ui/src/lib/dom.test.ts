import { describe, expect, it } from "vitest";
import { h, highlight, quoted } from "./dom";

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

describe("h", () => {
  it("puts strings in as text, never as markup", () => {
    const el = h("div", null, HOSTILE, h("span", null, "<b>x</b>"));
    expect(el.textContent).toBe(`${HOSTILE}<b>x</b>`);
    expect(el.querySelector("img, b")).toBeNull();
  });
  it("refuses HTML and inline handlers as attributes", () => {
    expect(() => h("div", { innerHTML: HOSTILE })).toThrow(/innerHTML/);
    expect(() => h("img", { onerror: "x()" })).toThrow(/onerror/);
  });
  it("sets data- and aria- attributes as attributes", () => {
    const el = h("button", { "data-testid": "x", "aria-label": "Close" });
    expect(el.getAttribute("data-testid")).toBe("x");
    expect(el.getAttribute("aria-label")).toBe("Close");
  });
});

describe("highlight", () => {
  const html = (nodes: ReturnType<typeof highlight>) => h("div", null, nodes).innerHTML;
  it("marks literal matches, escaping the rest", () => {
    expect(html(highlight(`q=${HOSTILE}`, "onerror=", true))).toBe('q=&lt;img src=x <mark>onerror=</mark>"window.__pwned=1"&gt;');
  });
  it("is case-insensitive for lowercase patterns, like the engine's smart case", () => {
    expect(html(highlight("Error error", "error", false))).toBe("<mark>Error</mark> <mark>error</mark>");
    expect(html(highlight("Error error", "Error", false))).toBe("<mark>Error</mark> error");
  });
  it("shows the line unmarked when JS cannot compile the pattern", () => {
    expect(html(highlight("a(b", "(?P<x>b)", false))).toBe("a(b");
  });
});

describe("quoted", () => {
  it("turns balanced backtick spans into code elements holding text only", () => {
    const li = h("li", null, quoted("`config/a.py` appears (`<img src=x onerror=alert(1)>`)"));
    const codes = li.querySelectorAll("code");
    expect(codes.length).toBe(2);
    expect(codes[0]?.textContent).toBe("config/a.py");
    expect(codes[1]?.textContent).toBe("<img src=x onerror=alert(1)>");
    expect(li.querySelector("img")).toBeNull();
  });
  it("leaves text with an odd backtick as it is", () => {
    const li = h("li", null, quoted("odd ` <b>x</b>"));
    expect(li.textContent).toBe("odd ` <b>x</b>");
    expect(li.querySelector("b")).toBeNull();
  });
});
