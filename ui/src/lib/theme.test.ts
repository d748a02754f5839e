import { beforeEach, describe, expect, it } from "vitest";
import { CHART_COLORS, nextPref, parsePref, resolveTheme, THEME_KEY, ThemeController } from "./theme";

describe("theme choice", () => {
  beforeEach(() => localStorage.clear());

  it("cycles system → light → dark and reads unknown values as system", () => {
    expect(nextPref("system")).toBe("light");
    expect(nextPref("light")).toBe("dark");
    expect(nextPref("dark")).toBe("system");
    expect(parsePref("purple")).toBe("system");
    expect(parsePref(null)).toBe("system");
  });

  it("follows the system only while the choice is system", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
  });

  it("persists the choice and marks the page", () => {
    const root = document.createElement("div");
    const t = new ThemeController(root);
    expect(t.preference).toBe("system");
    const seen: string[] = [];
    t.onChange((theme) => seen.push(theme));
    t.set("dark");
    expect(localStorage.getItem(THEME_KEY)).toBe("dark");
    expect(root.dataset.theme).toBe("dark");
    expect(seen).toEqual(["dark"]);
    expect(new ThemeController(document.createElement("div")).preference).toBe("dark");
  });

  it("reads the chart's colors from the --chart-* properties", () => {
    const root = document.createElement("div");
    root.style.setProperty("--chart-errors", "#ff6b6b");
    document.body.append(root);
    new ThemeController(root);
    expect(CHART_COLORS.errors).toBe("#ff6b6b");
    expect(CHART_COLORS.total).toBe("#7b8794");
  });
});
