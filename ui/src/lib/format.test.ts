import { describe, expect, it } from "vitest";
import { barPercent, formatBytes, formatCount, num, scoreTier, shortenHashes, shortPath } from "./format";

describe("score bars", () => {
  it("maps a score to a clamped width", () => {
    expect(barPercent(0.76)).toBe(76);
    expect(barPercent(0.333)).toBe(33.3);
    expect(barPercent(1.7)).toBe(100);
    expect(barPercent(-0.2)).toBe(0);
    expect(barPercent(Number.NaN)).toBe(0);
  });
  it("names 0.5 and above the likely root cause", () => {
    expect(scoreTier(0.5)).toBe("likely");
    expect(scoreTier(0.49)).toBe("possible");
    expect(scoreTier(0.25)).toBe("possible");
    expect(scoreTier(0.1)).toBe("weak");
  });
});

describe("numbers and names", () => {
  it("formats counts and sizes", () => {
    expect(num(339)).toBe(339);
    expect(num(null)).toBe(0);
    expect(formatCount(25353)).toBe("25,353");
    expect(formatCount(25353, true)).toBe("25.4k");
    expect(formatCount(4_100_000, true)).toBe("4.1M");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MiB");
  });
  it("keeps the two path segments that tell sources apart", () => {
    expect(shortPath("/home/a/.cache/faultline/samples/x/nginx/access.log")).toBe("nginx/access.log");
    expect(shortPath("C:\\logs\\app\\portal.log")).toBe("app/portal.log");
    expect(shortPath("access.log")).toBe("access.log");
  });
  it("shortens full commit hashes but leaves other hex alone", () => {
    expect(shortenHashes("861695cd3673f3c9fe16788827a7ee2e37361491 Upgrade archive_auth")).toBe("861695cd36 Upgrade archive_auth");
    expect(shortenHashes("request id deadbeef")).toBe("request id deadbeef");
  });
});

describe("clock offsets", () => {
  it("read as the analyst wrote them", async () => {
    const { formatOffset } = await import("./format");
    expect(formatOffset(40_000)).toBe("+40s");
    expect(formatOffset(-90_000)).toBe("-1m30s");
    expect(formatOffset(250)).toBe("+250ms");
    expect(formatOffset(7_201_500)).toBe("+2h1.5s");
  });
});
