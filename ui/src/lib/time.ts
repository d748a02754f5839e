// Time display. The analysis is all UTC instants (RFC 3339 strings); the
// analyst picks the zone they are shown in. Zones are spelled the way the
// engine reads them (`UTC`, `local`, `+03:00`, `Europe/Berlin`) so the same
// string goes to `analyze`/`export` and drives the display here.

import type { ZoneSpec } from "../ipc/bindings/ZoneSpec";

/** The zone union is generated from Rust (`ZoneSpec`): what the UI holds is what the commands take. */
export type Zone = ZoneSpec;

export const UTC: Zone = { kind: "utc" };

const OFFSET_RE = /^(?:UTC|GMT)?\s*([+\-−])(\d{1,2})(?::?(\d{2}))?$/i;

function validIana(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Reads `UTC`, `Z`, `local`, `+03:00`, `-0530`, `UTC+3`, `Europe/Berlin`; null when unknown. */
export function parseZone(spec: string): Zone | null {
  const s = spec.trim();
  if (/^(utc|gmt|z)$/i.test(s)) return UTC;
  if (/^local$/i.test(s)) return { kind: "local" };
  const m = OFFSET_RE.exec(s);
  if (m) {
    const hours = Number(m[2]);
    const mins = m[3] === undefined ? 0 : Number(m[3]);
    if (hours > 14 || mins > 59) return null;
    const total = (hours * 60 + mins) * (m[1] === "+" ? 1 : -1);
    return total === 0 ? UTC : { kind: "fixed", minutes: total };
  }
  if (s.includes("/") && validIana(s)) return { kind: "iana", name: s };
  return null;
}

function pad(n: number, width = 2): string {
  return String(Math.abs(Math.trunc(n))).padStart(width, "0");
}

/** `+03:00`, `-05:30` (what the engine's Zone::parse reads). */
export function offsetSpec(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** The string the engine is given for this zone. */
export function zoneSpec(z: Zone): string {
  switch (z.kind) {
    case "utc":
      return "UTC";
    case "local":
      return "local";
    case "fixed":
      return offsetSpec(z.minutes);
    case "iana":
      return z.name;
  }
}

/** `UTC`, `UTC+3`, `UTC-5:30`. */
export function offsetLabel(minutes: number): string {
  if (minutes === 0) return "UTC";
  const sign = minutes < 0 ? "−" : "+";
  const a = Math.abs(minutes);
  const h = Math.floor(a / 60);
  const m = a % 60;
  return m === 0 ? `UTC${sign}${h}` : `UTC${sign}${h}:${pad(m)}`;
}

/** Offset of the zone from UTC at an instant, in minutes (east positive). */
export function offsetMinutesAt(z: Zone, ms: number): number {
  switch (z.kind) {
    case "utc":
      return 0;
    case "fixed":
      return z.minutes;
    case "local":
      return -new Date(ms).getTimezoneOffset();
    case "iana": {
      const parts = new Intl.DateTimeFormat("en-US", {
        timeZone: z.name,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      }).formatToParts(new Date(ms));
      const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
      const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
      return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
    }
  }
}

/** A label for the zone selector and headings; for named zones, with the offset at `ms`. */
export function zoneLabel(z: Zone, ms: number = Date.now()): string {
  switch (z.kind) {
    case "utc":
      return "UTC";
    case "fixed":
      return offsetLabel(z.minutes);
    case "local":
      return `Local (${offsetLabel(offsetMinutesAt(z, ms))})`;
    case "iana":
      return `${z.name} (${offsetLabel(offsetMinutesAt(z, ms))})`;
  }
}

export function toMs(instant: string | number): number {
  return typeof instant === "number" ? instant : Date.parse(instant);
}

/** The wall-clock fields of an instant in a zone. */
function wall(ms: number, z: Zone): Date {
  // A Date whose UTC getters read the zone's wall clock.
  return new Date(ms + offsetMinutesAt(z, ms) * 60000);
}

export type TimeStyle = "full" | "time" | "seconds-date";

/**
 * `2026-11-24 11:20:05` (full), `11:20:05` (time), `11:20` (clock: axis
 * ticks, metric cards). Sub-second precision is shown by `full` and `time`
 * only when present: logs often have it and it orders near events.
 */
export function formatInstant(instant: string | number | null | undefined, z: Zone, style: "full" | "time" | "clock" | "seconds" = "full"): string {
  if (instant === null || instant === undefined) return "—";
  const ms = toMs(instant);
  if (Number.isNaN(ms)) return "—";
  const d = wall(ms, z);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const frac = d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : "";
  if (style === "clock") return time.slice(0, 5);
  if (style === "seconds") return time;
  if (style === "time") return time + frac;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${time}${frac}`;
}

/** The day of an instant in a zone, `2026-11-24`: the timeline groups by it. */
export function dayOf(instant: string | number, z: Zone): string {
  return formatInstant(instant, z).slice(0, 10);
}

/**
 * Reads `2026-11-24 11:25`, `2026-11-24T11:25:30` as wall-clock time in the
 * zone; returns the UTC instant (ms) or null. In a DST overlap the earlier
 * instant wins, like the engine.
 */
export function parseWallTime(text: string, z: Zone): number | null {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?\s*$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const s = m[6] ? Number(m[6]) : 0;
  const frac = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s > 59) return null;
  const asUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s, frac);
  if (new Date(asUtc).getUTCDate() !== d) return null; // 2026-02-31
  // Two passes settle the offset for any zone whose offset changes at most once nearby.
  let guess = asUtc - offsetMinutesAt(z, asUtc) * 60000;
  guess = asUtc - offsetMinutesAt(z, guess) * 60000;
  const early = asUtc - offsetMinutesAt(z, guess - 3600000) * 60000;
  if (early < guess && formatInstant(early, z) === formatInstant(guess, z)) return early;
  return guess;
}

/** `45s`, `4m 05s`, `1h 02m`, `2d 03h`; `—` when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  let s = Math.round(seconds);
  if (!Number.isFinite(s)) return "—";
  const neg = s < 0;
  s = Math.abs(s);
  let out: string;
  if (s < 60) out = `${s}s`;
  else if (s < 3600) out = `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  else if (s < 86400) out = `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  else out = `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
  return neg ? `−${out}` : out;
}

/** The zones offered in the selector: UTC, local, the case's zone, whole-hour offsets. */
export function zoneChoices(caseZone: Zone | null): { spec: string; label: string }[] {
  const out: { spec: string; label: string }[] = [];
  const seen = new Set<string>();
  const add = (z: Zone) => {
    const spec = zoneSpec(z);
    if (seen.has(spec)) return;
    seen.add(spec);
    out.push({ spec, label: zoneLabel(z) });
  };
  add(UTC);
  add({ kind: "local" });
  if (caseZone) add(caseZone);
  for (let h = -12; h <= 14; h++) if (h !== 0) add({ kind: "fixed", minutes: h * 60 });
  add({ kind: "fixed", minutes: 330 });
  return out;
}

/**
 * For uPlot's `tzDate`: uPlot formats axis ticks with a Date's *local*
 * getters, so hand it a Date whose local wall clock reads the zone's.
 */
export function shiftedForLocalGetters(ms: number, z: Zone): Date {
  const target = ms + offsetMinutesAt(z, ms) * 60000;
  return new Date(target + new Date(target).getTimezoneOffset() * 60000);
}

/** Offsets of zones that are not whole hours (India, Nepal, Newfoundland, Iran, Afghanistan, Myanmar, Chatham, …). */
export const PARTIAL_HOUR_OFFSETS: readonly number[] = [-570, -210, 210, 270, 330, 345, 390, 525, 570, 630, 765, 825];

/**
 * Named zones always offered: where `Intl.supportedValuesOf` is missing, and
 * the current names of zones ICU lists by an older one (it says
 * `Asia/Calcutta`, analysts write `Asia/Kolkata`).
 */
const COMMON_IANA = [
  "America/Nuuk", "Asia/Ho_Chi_Minh", "Asia/Yangon", "Europe/Kyiv", "Pacific/Chuuk", "Pacific/Pohnpei", "Atlantic/Faroe", "America/Argentina/Buenos_Aires",
  "Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Mexico_City",
  "America/New_York", "America/Sao_Paulo", "America/St_Johns", "America/Toronto", "Asia/Dubai", "Asia/Jakarta", "Asia/Kathmandu",
  "Asia/Kolkata", "Asia/Shanghai", "Asia/Singapore", "Asia/Tehran", "Asia/Tokyo", "Australia/Adelaide", "Australia/Sydney",
  "Europe/Berlin", "Europe/Istanbul", "Europe/London", "Europe/Madrid", "Europe/Moscow", "Europe/Paris", "Pacific/Auckland",
];

/** Every IANA zone name the engine knows (the webview's ICU list) and the common ones, sorted. */
export function ianaZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  let all: string[] = [];
  try {
    all = intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    // Older engines: the common list alone.
  }
  return [...new Set([...all, ...COMMON_IANA])].filter((n) => n.includes("/") && validIana(n)).sort();
}

export type ZoneOption = { spec: string; label: string };

/**
 * What the zone picker offers: UTC, local, the case's zone, every offset
 * from −12 to +14 (with the half- and quarter-hour ones), then every IANA
 * name. The label of a named zone carries its offset at `ms`.
 */
export function zoneOptions(caseZone: Zone | null, ms: number = Date.now(), names: readonly string[] = ianaZones()): ZoneOption[] {
  const out: ZoneOption[] = [];
  const seen = new Set<string>();
  const add = (z: Zone) => {
    const spec = zoneSpec(z);
    if (seen.has(spec)) return;
    seen.add(spec);
    out.push({ spec, label: zoneLabel(z, ms) });
  };
  add(UTC);
  add({ kind: "local" });
  if (caseZone) add(caseZone);
  const offsets = new Set<number>(PARTIAL_HOUR_OFFSETS);
  for (let h = -12; h <= 14; h++) if (h !== 0) offsets.add(h * 60);
  for (const m of [...offsets].sort((a, b) => a - b)) add({ kind: "fixed", minutes: m });
  for (const n of names) add({ kind: "iana", name: n });
  return out;
}

function fold(s: string): string {
  return s.toLowerCase().replace(/[_\s]+/g, " ").replace(/−/g, "-").trim();
}

/**
 * The options matching what the analyst typed, best first: a name or label
 * that starts with it, then one where a word (`kolkata`, `berlin`) does,
 * then any that contains it. An offset typed as `+5:30`, `5:30` or
 * `UTC+5:30` finds the fixed offset and the named zones at it. Empty: all.
 */
export function searchZones(query: string, options: readonly ZoneOption[], limit = 60): ZoneOption[] {
  const q = fold(query);
  if (!q) return options.slice(0, limit);
  const asOffset = parseZone(/^\d/.test(q) ? `+${q}` : q);
  const offsetText = asOffset && asOffset.kind === "fixed" ? fold(offsetLabel(asOffset.minutes)) : null;
  const scored: { o: ZoneOption; score: number; i: number }[] = [];
  options.forEach((o, i) => {
    const spec = fold(o.spec);
    const label = fold(o.label);
    let score = -1;
    if (spec === q) score = 0;
    else if (spec.startsWith(q) || label.startsWith(q)) score = 1;
    else if (spec.split(/[/ ]/).some((w) => w.startsWith(q)) || label.split(/[/ ()]/).some((w) => w.startsWith(q))) score = 2;
    else if (spec.includes(q) || label.includes(q)) score = 3;
    else if (offsetText && (label === offsetText || label.includes(`(${offsetText})`))) score = 4;
    if (score >= 0) scored.push({ o, score, i });
  });
  scored.sort((a, b) => a.score - b.score || a.i - b.i);
  return scored.slice(0, limit).map((x) => x.o);
}
