import { describe, expect, it } from "vitest";
import { formatDuration, formatInstant, offsetLabel, offsetMinutesAt, parseWallTime, parseZone, shiftedForLocalGetters, zoneChoices, zoneLabel, zoneSpec, UTC } from "./time";

const PUSH = "2026-11-17T08:20:14Z"; // the sample's config push, 11:20:14 at UTC+3

describe("parseZone", () => {
  it("reads the spellings the engine reads", () => {
    expect(parseZone("UTC")).toEqual(UTC);
    expect(parseZone("z")).toEqual(UTC);
    expect(parseZone("+00:00")).toEqual(UTC);
    expect(parseZone("+03:00")).toEqual({ kind: "fixed", minutes: 180 });
    expect(parseZone("UTC+3")).toEqual({ kind: "fixed", minutes: 180 });
    expect(parseZone("-0530")).toEqual({ kind: "fixed", minutes: -330 });
    expect(parseZone("local")).toEqual({ kind: "local" });
    expect(parseZone("Europe/Berlin")).toEqual({ kind: "iana", name: "Europe/Berlin" });
  });
  it("rejects what is not a zone", () => {
    expect(parseZone("Mars/Olympus")).toBeNull();
    expect(parseZone("+25:00")).toBeNull();
    expect(parseZone("3")).toBeNull();
    expect(parseZone("")).toBeNull();
  });
  it("round-trips through the spec sent to the engine", () => {
    for (const s of ["UTC", "local", "+03:00", "-05:30", "Europe/Berlin"]) expect(zoneSpec(parseZone(s)!)).toBe(s);
  });
});

describe("formatInstant", () => {
  it("shows the same instant in the chosen zone", () => {
    expect(formatInstant(PUSH, UTC)).toBe("2026-11-17 08:20:14");
    expect(formatInstant(PUSH, parseZone("+03:00")!)).toBe("2026-11-17 11:20:14");
    expect(formatInstant(PUSH, parseZone("+03:00")!, "time")).toBe("11:20:14");
    expect(formatInstant(PUSH, parseZone("+03:00")!, "clock")).toBe("11:20");
    expect(formatInstant("2026-11-17T22:30:00Z", parseZone("+03:00")!)).toBe("2026-11-18 01:30:00");
  });
  it("keeps milliseconds only when the record has them", () => {
    expect(formatInstant("2026-11-17T08:27:04.040Z", UTC, "time")).toBe("08:27:04.040");
    expect(formatInstant("2026-11-17T08:27:04.040Z", UTC, "seconds")).toBe("08:27:04");
  });
  it("follows DST in named zones", () => {
    const berlin = parseZone("Europe/Berlin")!;
    expect(formatInstant("2026-01-15T12:00:00Z", berlin, "time")).toBe("13:00:00");
    expect(formatInstant("2026-07-15T12:00:00Z", berlin, "time")).toBe("14:00:00");
    expect(offsetMinutesAt(berlin, Date.parse("2026-07-15T12:00:00Z"))).toBe(120);
  });
  it("says unknown rather than inventing a time", () => {
    expect(formatInstant(null, UTC)).toBe("—");
    expect(formatInstant("not a time", UTC)).toBe("—");
  });
});

describe("parseWallTime", () => {
  it("reads a wall-clock time in the display zone back to UTC", () => {
    expect(new Date(parseWallTime("2026-11-17 11:27", parseZone("+03:00")!)!).toISOString()).toBe("2026-11-17T08:27:00.000Z");
    expect(new Date(parseWallTime("2026-11-17T11:27:30.5", UTC)!).toISOString()).toBe("2026-11-17T11:27:30.500Z");
  });
  it("round-trips with formatInstant across zones", () => {
    for (const spec of ["UTC", "+03:00", "-05:30", "Europe/Berlin", "America/New_York"]) {
      const z = parseZone(spec)!;
      const shown = formatInstant(PUSH, z);
      expect(new Date(parseWallTime(shown, z)!).toISOString(), spec).toBe("2026-11-17T08:20:14.000Z");
    }
  });
  it("takes the earlier instant in a DST overlap, like the engine", () => {
    // Berlin 2026-10-25 02:30 happens twice: first at +02:00 (00:30Z).
    expect(new Date(parseWallTime("2026-10-25 02:30", parseZone("Europe/Berlin")!)!).toISOString()).toBe("2026-10-25T00:30:00.000Z");
  });
  it("rejects impossible dates and other text", () => {
    expect(parseWallTime("2026-02-31 10:00", UTC)).toBeNull();
    expect(parseWallTime("2026-11-17 24:00", UTC)).toBeNull();
    expect(parseWallTime("11:27", UTC)).toBeNull();
  });
});

describe("durations and labels", () => {
  it("formats durations the way an incident review reads them", () => {
    expect(formatDuration(44)).toBe("44s");
    expect(formatDuration(245)).toBe("4m 05s");
    expect(formatDuration(4020)).toBe("1h 07m");
    expect(formatDuration(8700)).toBe("2h 25m");
    expect(formatDuration(183600)).toBe("2d 03h");
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(-90)).toBe("−1m 30s");
  });
  it("labels offsets as UTC±h[:mm]", () => {
    expect(offsetLabel(0)).toBe("UTC");
    expect(offsetLabel(180)).toBe("UTC+3");
    expect(offsetLabel(-330)).toBe("UTC−5:30");
    expect(zoneLabel(parseZone("+03:00")!)).toBe("UTC+3");
  });
  it("offers UTC, local and the case's zone once each", () => {
    const specs = zoneChoices(parseZone("+03:00")).map((c) => c.spec);
    expect(specs.slice(0, 3)).toEqual(["UTC", "local", "+03:00"]);
    expect(specs.filter((s) => s === "+03:00")).toHaveLength(1);
    expect(specs).toContain("+05:30");
  });
  it("gives uPlot a Date whose local clock reads the zone's", () => {
    const d = shiftedForLocalGetters(Date.parse(PUSH), parseZone("+03:00")!);
    expect([d.getHours(), d.getMinutes(), d.getSeconds()]).toEqual([11, 20, 14]);
  });
});
