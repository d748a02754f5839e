import { describe, expect, it } from "vitest";
import type { Analysis } from "../ipc/bindings/Analysis";
import { copyText, lastCopy, lineWithCitation, summaryMarkdown } from "./copy";
import { UTC } from "./time";

describe("lineWithCitation", () => {
  it("is the file:line then the raw line in a code block", () => {
    expect(lineWithCitation("/tmp/cache/sample/access.log", 1234, '10.0.0.1 - - "POST /login" 500')).toBe('`sample/access.log:1234`\n```\n10.0.0.1 - - "POST /login" 500\n```\n');
  });

  it("leaves out line 0 (a commit) and fences past backticks in the line", () => {
    expect(lineWithCitation("/repo/config", 0, "abc123 push")).toBe("`repo/config`\n```\nabc123 push\n```\n");
    expect(lineWithCitation("a.log", 2, "x ``` y")).toBe("`a.log:2`\n````\nx ``` y\n````\n");
  });
});

const citation = (file: string, line: number, text: string) => ({ file, line, offset: 0, text });

const analysis = {
  incident: {
    onset: "2026-11-17T11:21:04Z",
    recovered: "2026-11-17T13:52:10Z",
    onset_citation: citation("/x/y/app/app.log", 812, "ERROR login failed"),
    recovered_citation: null,
    signatures: [],
    endpoints: [],
    services: [],
    summary: "Archive logins fail with 500",
  },
  lead: null,
  metrics: { time_to_recover_s: 9066 },
  suspects: [
    {
      change_id: "a1b2c3d",
      score: 0.87,
      summary: "config push switched the session store",
      time: "2026-11-17T11:20:00Z",
      evidence: ["errors start 64 s after the push (app/app.log:812)", "the new signature names LegacySessionStore"],
      citations: [citation("/x/y/app/app.log", 812, "ERROR login failed"), citation("/x/y/repo/git.log", 3, "a1b2c3d push")],
    },
  ],
} as unknown as Analysis;

describe("summaryMarkdown", () => {
  it("names the incident, onset, recovery and the suspect with its probability and evidence", () => {
    const md = summaryMarkdown(analysis, UTC, "archive-crash");
    expect(md).toBe(
      [
        "**Incident: archive-crash** — Archive logins fail with 500",
        "",
        "- Onset: 2026-11-17 11:21:04 (UTC) — `app/app.log:812`",
        "- Recovered: 2026-11-17 13:52:10 (UTC), after 2h 31m",
        "- Suspect: `a1b2c3d` at 2026-11-17 11:20:00 — config push switched the session store (likely root cause, probability 87%)",
        "  - errors start 64 s after the push (app/app.log:812)",
        "  - the new signature names LegacySessionStore",
        "",
      ].join("\n"),
    );
  });

  it("says when nothing is suspected", () => {
    expect(summaryMarkdown({ ...analysis, suspects: [] }, UTC)).toContain("- Suspect: none of the changes read explains the incident");
  });
});

describe("copyText", () => {
  it("falls back to a hidden textarea when the Clipboard API is missing, and keeps what it was given", async () => {
    const calls: string[] = [];
    (document as unknown as { execCommand: (c: string) => boolean }).execCommand = (c: string) => {
      calls.push(`${c}:${document.querySelector("textarea")?.value}`);
      return true;
    };
    expect(await copyText("hello")).toBe(true);
    expect(calls).toEqual(["copy:hello"]);
    expect(lastCopy()).toBe("hello");
    expect(document.querySelector("textarea")).toBeNull();
  });
});
