import { describe, expect, it } from "vitest";
import { formatInstant, ianaZones, parseZone, searchZones, zoneOptions } from "./time";

const opts = zoneOptions({ kind: "iana", name: "Europe/Berlin" }, Date.parse("2026-11-17T12:00:00Z"));

describe("the zone picker's options", () => {
  it("offers UTC, local, the case's zone, half- and quarter-hour offsets and every IANA zone", () => {
    const specs = opts.map((o) => o.spec);
    expect(specs.slice(0, 3)).toEqual(["UTC", "local", "Europe/Berlin"]);
    for (const s of ["+05:30", "+05:45", "-03:30", "+09:30", "-12:00", "+14:00", "Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu"]) expect(specs, s).toContain(s);
    expect(new Set(specs).size).toBe(specs.length);
    expect(ianaZones().length).toBeGreaterThan(300);
  });

  it("every option is a zone the engine reads", () => {
    for (const o of opts) expect(parseZone(o.spec), o.spec).not.toBeNull();
  });

  it("labels named zones with their offset", () => {
    expect(opts.find((o) => o.spec === "Asia/Kolkata")?.label).toBe("Asia/Kolkata (UTC+5:30)");
    expect(opts.find((o) => o.spec === "+05:45")?.label).toBe("UTC+5:45");
  });
});

describe("searchZones", () => {
  const specs = (q: string) => searchZones(q, opts).map((o) => o.spec);

  it("finds a city by any word of its name, case and underscores ignored", () => {
    expect(specs("kolkata")[0]).toBe("Asia/Kolkata");
    expect(specs("Asia/Kol")[0]).toBe("Asia/Kolkata");
    expect(specs("st johns")).toContain("America/St_Johns");
    expect(specs("berlin")[0]).toBe("Europe/Berlin");
  });

  it("finds an offset however it is typed, with the zones at it", () => {
    for (const q of ["+5:30", "5:30", "UTC+5:30", "+05:30"]) {
      const r = specs(q);
      expect(r, q).toContain("+05:30");
      expect(r, q).toContain("Asia/Kolkata");
    }
    expect(specs("-3:30")).toContain("-03:30");
  });

  it("puts exact and prefix matches first and caps the list", () => {
    expect(specs("UTC")[0]).toBe("UTC");
    expect(searchZones("", opts, 10)).toHaveLength(10);
    expect(specs("zzzz-not-a-zone")).toEqual([]);
  });
});

describe("a picked zone drives the display", () => {
  it("Asia/Kolkata shows an instant 5 h 30 min after UTC", () => {
    const z = parseZone("Asia/Kolkata")!;
    expect(z).toEqual({ kind: "iana", name: "Asia/Kolkata" });
    expect(formatInstant("2026-11-17T11:20:05Z", z)).toBe("2026-11-17 16:50:05");
    expect(formatInstant("2026-11-17T11:20:05Z", parseZone("+05:45")!)).toBe("2026-11-17 17:05:05");
  });
});
