import { describe, expect, it } from "vitest";
import { Latest } from "./latest";

describe("Latest", () => {
  it("keeps only the newest request current", () => {
    const latest = new Latest();
    const first = latest.begin();
    expect(first()).toBe(true);
    const second = latest.begin();
    expect(first()).toBe(false);
    expect(second()).toBe(true);
  });

  it("drops every outstanding request on cancel", () => {
    const latest = new Latest();
    const pending = latest.begin();
    latest.cancel();
    expect(pending()).toBe(false);
    expect(latest.begin()()).toBe(true);
  });
});
