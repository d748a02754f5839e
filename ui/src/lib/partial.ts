// What the window says when the analysis ran without some of its inputs: an
// analyst must never take a partial analysis for a complete one.
import type { Analysis } from "../ipc/bindings/Analysis";
import type { UnreadInput } from "../ipc/bindings/UnreadInput";
import { formatCount } from "./format";

export type UnreadLine = { path: string; what: string; reason: string; unparsed: number };

export type PartialNotice = {
  /** One sentence: how many inputs were not read and what that means for the cause. */
  headline: string;
  /** A change source is among them: "no suspect" proves nothing. */
  changesUnread: boolean;
  inputs: UnreadLine[];
};

export function partialNotice(a: Pick<Analysis, "partial" | "unread">): PartialNotice | null {
  if (!a.partial && a.unread.length === 0) return null;
  const n = a.unread.length;
  const changesUnread = a.unread.some((u) => u.kind === "deploys");
  const count = n === 0 ? "Some inputs" : n === 1 ? "1 input" : `${formatCount(n)} inputs`;
  const headline = `Partial analysis: ${count} could not be read${changesUnread ? ", among them change history — the change that caused this incident may be in it" : ""}. Their lines stay searchable.`;
  return { headline, changesUnread, inputs: a.unread.map(unreadLine) };
}

function unreadLine(u: UnreadInput): UnreadLine {
  const format = u.format ?? "its format";
  const what = {
    not_recognized: `given as ${u.kind}, but not recognized`,
    read_failed: `could not be read as ${format}`,
    read_in_part: `read only in part as ${format}`,
    nothing_read: `no ${u.kind} entry could be read from it`,
    interrupted: "its reading was interrupted",
  }[u.cause];
  return { path: u.path, what, reason: u.reason, unparsed: u.unparsed };
}

/** The suspects panel's line when no change was ranked. */
export function noSuspectText(notice: PartialNotice | null): string {
  if (notice?.changesUnread) return "No change in the inputs that could be read explains this incident — but change history could not be read (see above): the cause may be there.";
  return "No deploys or config changes in the look-back window.";
}
