import { describe, expect, it } from "vitest";
import { FrameQueue } from "./frames";

/** A hand-cranked frame clock: `frame()` runs the callbacks asked for before it. */
function clock() {
  let waiting: (() => void)[] = [];
  return {
    raf: (cb: () => void) => void waiting.push(cb),
    frame() {
      const run = waiting;
      waiting = [];
      for (const cb of run) cb();
    },
  };
}

describe("FrameQueue", () => {
  it("runs one job per frame, in order, after waiting a frame", () => {
    const c = clock();
    const q = new FrameQueue(c.raf);
    const ran: string[] = [];
    q.next("summary", () => ran.push("summary"));
    q.next("chart", () => ran.push("chart"));
    c.frame();
    expect(ran).toEqual([]);
    c.frame();
    expect(ran).toEqual(["summary"]);
    c.frame();
    expect(ran).toEqual(["summary", "chart"]);
    c.frame();
    expect(ran).toEqual(["summary", "chart"]);
  });

  it("keeps a pending key's place and runs its newest job once", () => {
    const c = clock();
    const q = new FrameQueue(c.raf);
    const ran: string[] = [];
    q.next("chart", () => ran.push("chart-old"));
    q.next("timeline", () => ran.push("timeline"));
    q.next("chart", () => ran.push("chart-new"));
    for (let i = 0; i < 5; i++) c.frame();
    expect(ran).toEqual(["chart-new", "timeline"]);
  });
});
