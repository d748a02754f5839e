// Number and score formatting shared by the panels.

/** A count that may be absent, as a number (0 when absent). */
export function num(v: number | null | undefined): number {
  return v ?? 0;
}

/** `1,234`; `12.3k` and `4.1M` when `compact`. */
export function formatCount(v: number, compact = false): string {
  const n = num(v);
  if (compact && Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (compact && Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toLocaleString("en-US");
}

export function formatBytes(v: number): string {
  const n = num(v);
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Width of a score bar in percent: clamped to [0, 100], NaN as 0. */
export function barPercent(score: number): number {
  if (!Number.isFinite(score)) return 0;
  return Math.round(Math.min(1, Math.max(0, score)) * 1000) / 10;
}

/** How strongly a suspect is named: the engine's 0.5 line is "likely root cause". */
export function scoreTier(score: number): "likely" | "possible" | "weak" {
  if (score >= 0.5) return "likely";
  if (score >= 0.25) return "possible";
  return "weak";
}

/** Full 40/64-hex commit hashes cut to 10 characters, as people quote them. */
export function shortenHashes(text: string): string {
  return text.replace(/\b([0-9a-f]{10})[0-9a-f]{30}(?:[0-9a-f]{24})?\b/g, "$1");
}

/** The last two path segments: enough to tell `nginx/access.log` from `app/access.log`. */
export function shortPath(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0);
  return parts.slice(-2).join("/") || path;
}

/** A clock correction as the analyst wrote it: `+40s`, `-1m30s`, `+250ms`. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? "-" : "+";
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const parts: string[] = [];
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${Number((rest / 1000).toFixed(3))}s`);
  return sign + parts.join("");
}
