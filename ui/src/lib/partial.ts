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
  /** Every one of them is being read now (the analysis of an ingest in progress), none failed. */
  reading: boolean;
  inputs: UnreadLine[];
};

export function partialNotice(a: Pick<Analysis, "partial" | "unread">): PartialNotice | null {
  if (!a.partial && a.unread.length === 0) return null;
  const n = a.unread.length;
  const changesUnread = a.unread.some((u) => u.kind === "deploys");
  const count = n === 0 ? "Some inputs" : n === 1 ? "1 input" : `${formatCount(n)} inputs`;
  const reading = n > 0 && a.unread.every((u) => u.cause === "reading");
  const headline = reading
    ? `Analysis so far: ${count === "1 input" ? "1 input is" : `${count} are`} still being read; it is analyzed again when the reading ends.`
    : `Partial analysis: ${count} could not be read${changesUnread ? ", among them change history — the change that caused this incident may be in it" : ""}. Their lines stay searchable.`;
  return { headline, changesUnread, reading, inputs: a.unread.map(unreadLine) };
}

function unreadLine(u: UnreadInput): UnreadLine {
  const format = u.format ?? "its format";
  const what = {
    not_recognized: `given as ${u.kind}, but not recognized`,
    read_failed: `could not be read as ${format}`,
    read_in_part: `read only in part as ${format}`,
    nothing_read: `no ${u.kind} entry could be read from it`,
    interrupted: "its reading was interrupted",
    reading: "still being read",
  }[u.cause];
  return { path: u.path, what, reason: u.reason, unparsed: u.unparsed };
}

/** The suspects panel's line when no change was ranked. */
export function noSuspectText(notice: PartialNotice | null): string {
  if (notice?.changesUnread && notice.reading) return "No change read so far explains this incident — change history is still being read.";
  if (notice?.changesUnread) return "No change in the inputs that could be read explains this incident — but change history could not be read (see above): the cause may be there.";
  return "No deploys or config changes in the look-back window.";
}
