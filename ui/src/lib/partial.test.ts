import { describe, expect, it } from "vitest";
import type { UnreadInput } from "../ipc/bindings/UnreadInput";
import { noSuspectText, partialNotice } from "./partial";

const argocd: UnreadInput = {
  path: "/case/deploys/argocd.json",
  kind: "deploys",
  cause: "read_failed",
  format: "argocd-json",
  reason: "/case/deploys/argocd.json:1: not JSON: expected a JSON value",
  unparsed: 212,
};
const truncatedLog: UnreadInput = { path: "/case/app.log.gz", kind: "log", cause: "read_in_part", format: "nginx-access", reason: "/case/app.log.gz: gzip stream ends early", unparsed: 0 };

describe("partialNotice", () => {
  it("says nothing for a complete analysis", () => {
    expect(partialNotice({ partial: false, unread: [] })).toBeNull();
  });

  it("names each unread input, why, and warns when change history is among them", () => {
    const n = partialNotice({ partial: true, unread: [argocd, truncatedLog] });
    expect(n?.headline).toMatch(/^Partial analysis: 2 inputs could not be read, among them change history/);
    expect(n?.changesUnread).toBe(true);
    expect(n?.inputs.map((i) => i.what)).toEqual(["could not be read as argocd-json", "read only in part as nginx-access"]);
    expect(n?.inputs[0]?.reason).toContain("argocd.json:1");
    expect(noSuspectText(n)).toMatch(/cause may be there/);
  });

  it("says an input being read is on its way, not lost", () => {
    const reading: UnreadInput = { path: "/case/deploys/argocd.json", kind: "deploys", cause: "reading", format: "argocd-json", reason: "the analysis is redone when its reading ends", unparsed: 0 };
    const n = partialNotice({ partial: true, unread: [reading] });
    expect(n?.headline).toBe("Analysis so far: 1 input is still being read; it is analyzed again when the reading ends.");
    expect(n?.inputs[0]?.what).toBe("still being read");
    expect(noSuspectText(n)).toBe("No change read so far explains this incident — change history is still being read.");
    const mixed = partialNotice({ partial: true, unread: [reading, truncatedLog] });
    expect(mixed?.headline).toMatch(/^Partial analysis: 2 inputs could not be read/);
  });

  it("does not blame change history when only a log was cut short", () => {
    const n = partialNotice({ partial: true, unread: [truncatedLog] });
    expect(n?.headline).toBe("Partial analysis: 1 input could not be read. Their lines stay searchable.");
    expect(noSuspectText(n)).toBe("No deploys or config changes in the look-back window.");
  });
});
