// Light and dark: the analyst's choice (system, light or dark) is kept in
// localStorage; "system" follows `prefers-color-scheme`. The colors live in
// styles.css as custom properties under `:root[data-theme=…]`; the chart,
// which draws on a canvas, reads its own from the same properties.

export type ThemePref = "system" | "light" | "dark";
export type Theme = "light" | "dark";

export const THEME_KEY = "faultline.theme";
export const THEME_PREFS: readonly ThemePref[] = ["system", "light", "dark"];

/** The chart's colors; `chart.ts` reads them when it builds a plot. */
export type ChartColors = {
  total: string;
  totalFill: string;
  errors: string;
  errorsFill: string;
  band: string;
  bandEdge: string;
  /** What is new's baseline window. */
  baseline: string;
  change: string;
  suspect: string;
  cursor: string;
  axis: string;
  grid: string;
  tick: string;
  errTick: string;
};

const LIGHT: ChartColors = {
  total: "#7b8794",
  totalFill: "rgba(123,135,148,0.12)",
  errors: "#d64545",
  errorsFill: "rgba(214,69,69,0.22)",
  band: "rgba(214,69,69,0.07)",
  bandEdge: "rgba(214,69,69,0.55)",
  baseline: "rgba(82,96,109,0.10)",
  change: "#3e6fd8",
  suspect: "#c62828",
  cursor: "#1f2933",
  axis: "#52606d",
  grid: "#e4e7eb",
  tick: "#cbd2d9",
  errTick: "#f0b4ae",
};

/** The `--chart-*` property of each color. */
function cssName(k: string): string {
  return `--chart-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * The chart's colors, updated in place when the theme changes (the chart
 * keeps a reference; a rebuilt plot picks the new values up).
 */
export const CHART_COLORS: ChartColors = { ...LIGHT };

export function parsePref(v: string | null | undefined): ThemePref {
  return v === "light" || v === "dark" ? v : "system";
}

/** The next choice of the toggle: system → light → dark → system. */
export function nextPref(p: ThemePref): ThemePref {
  return THEME_PREFS[(THEME_PREFS.indexOf(p) + 1) % THEME_PREFS.length]!;
}

export function resolveTheme(pref: ThemePref, systemDark: boolean): Theme {
  return pref === "system" ? (systemDark ? "dark" : "light") : pref;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

export function loadPref(): ThemePref {
  try {
    return parsePref(storage()?.getItem(THEME_KEY));
  } catch {
    return "system";
  }
}

function darkQuery(): MediaQueryList | null {
  return typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
}

/** Reads the chart's colors from the page's custom properties (the light ones where a property is missing). */
export function readChartColors(root: Element = document.documentElement): ChartColors {
  const style = getComputedStyle(root);
  const out = { ...LIGHT };
  for (const k of Object.keys(LIGHT) as (keyof ChartColors)[]) {
    const v = style.getPropertyValue(cssName(k)).trim();
    if (v) out[k] = v;
  }
  return out;
}

/**
 * The theme of the window: applies the saved choice, follows the system
 * while it is "system", and tells `onChange` after each change (the chart
 * redraws then).
 */
export class ThemeController {
  private pref: ThemePref = loadPref();
  private listeners: ((t: Theme, pref: ThemePref) => void)[] = [];
  private query = darkQuery();

  constructor(private root: HTMLElement = document.documentElement) {
    this.query?.addEventListener?.("change", () => {
      if (this.pref === "system") this.apply();
    });
    this.apply();
  }

  get preference(): ThemePref {
    return this.pref;
  }

  get theme(): Theme {
    return resolveTheme(this.pref, this.query?.matches ?? false);
  }

  onChange(f: (t: Theme, pref: ThemePref) => void): void {
    this.listeners.push(f);
  }

  set(pref: ThemePref): void {
    this.pref = pref;
    try {
      storage()?.setItem(THEME_KEY, pref);
    } catch {
      // Not persisted (storage refused): the choice still holds for this window.
    }
    this.apply();
  }

  cycle(): ThemePref {
    this.set(nextPref(this.pref));
    return this.pref;
  }

  private apply(): void {
    const t = this.theme;
    this.root.dataset.theme = t;
    this.root.dataset.themePref = this.pref;
    Object.assign(CHART_COLORS, readChartColors(this.root));
    for (const f of this.listeners) f(t, this.pref);
  }
}
