import { describe, expect, it } from "vitest";
import { storeRequest, type StoreForm } from "./storeSource";

const form = (over: Partial<StoreForm> = {}): StoreForm => ({
  url: " http://ch.internal:8123/?database=logs ",
  table: "otel_logs",
  columns: "",
  user: "reader",
  password: " keep spaces ",
  from: "",
  to: "",
  ...over,
});

describe("the ClickHouse source form", () => {
  it("sends what the analyst typed, the password untouched", () => {
    expect(storeRequest(form(), { kind: "utc" })).toEqual({
      url: "http://ch.internal:8123/?database=logs",
      table: "otel_logs",
      columns: "",
      user: "reader",
      password: " keep spaces ",
      from: null,
      to: null,
    });
  });

  it("reads the range as wall times of the display zone", () => {
    const r = storeRequest(form({ from: "2026-11-17 11:00", to: "2026-11-17 15:00" }), { kind: "fixed", minutes: 180 });
    expect(r).toMatchObject({ from: "2026-11-17T08:00:00.000Z", to: "2026-11-17T12:00:00.000Z" });
  });

  it("says what is wrong instead of sending it", () => {
    expect(storeRequest(form({ url: "ch.internal:8123" }), { kind: "utc" })).toMatch(/HTTP interface/);
    expect(storeRequest(form({ table: " " }), { kind: "utc" })).toMatch(/Name the table/);
    expect(storeRequest(form({ from: "yesterday" }), { kind: "utc" })).toMatch(/YYYY-MM-DD/);
    expect(storeRequest(form({ from: "2026-11-17 15:00", to: "2026-11-17 11:00" }), { kind: "utc" })).toMatch(/ends before/);
  });
});
