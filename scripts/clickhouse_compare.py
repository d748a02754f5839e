#!/usr/bin/env python3
"""Compares two `faultline analyze --format json` reports of the same incident:
the files' and the log store's. Everything the analysis concludes must be
equal (onset, recovery, signatures, suspects, milestones, metrics, the error
series); only where a citation points differs (a file and line, or a table's
row). With --seconds the store's time column held whole seconds: instants
are compared to the second and quoted lines are not compared."""
import json
import sys


def sec(t):
    return t[:19] if isinstance(t, str) else t


def view(doc, seconds):
    t = sec if seconds else (lambda x: x)
    inc = doc.get("incident") or {}
    out = {
        "onset": t(inc.get("onset")),
        "recovered": t(inc.get("recovered")),
        # Whole seconds leave the order of one second's records open: a set then.
        "endpoints": sorted(inc.get("endpoints") or []) if seconds else inc.get("endpoints"),
        "services": sorted(inc.get("services") or []) if seconds else inc.get("services"),
        "signatures": [(s["template"], s["count"], s["new"], s["level"], s["endpoints"], s["hosts"], s["modules"])
                       for s in inc.get("signatures", [])],
        "suspects": [(s["change_id"], round(s["score"], 4), s["factors"]) for s in doc.get("suspects", [])],
        "milestones": [(t(e["time"]), e["kind"], e["change_id"], e["suspect"]) for e in doc.get("timeline", [])],
        "metrics": doc.get("metrics"),
        "series": doc.get("series"),
    }
    if not seconds:
        out["summary"] = inc.get("summary")
        out["lead"] = doc.get("lead")
        out["onset_line"] = (inc.get("onset_citation") or {}).get("text")
        out["recovered_line"] = (inc.get("recovered_citation") or {}).get("text")
        out["milestone_texts"] = [e["text"] for e in doc.get("timeline", [])]
    return out


def main():
    args = sys.argv[1:]
    seconds = "--seconds" in args
    args = [a for a in args if a != "--seconds"]
    files, store = (json.load(open(p)) for p in args)
    a, b = view(files, seconds), view(store, seconds)
    bad = [k for k in a if a[k] != b[k]]
    for k in bad:
        print(f"DIFFERS: {k}\n  files: {json.dumps(a[k])[:2000]}\n  store: {json.dumps(b[k])[:2000]}")
    if not a["onset"]:
        print("no incident found in the files' analysis")
        return 1
    if bad:
        return 1
    inc = files["incident"]
    top = files["suspects"][0]["change_id"] if files["suspects"] else "none"
    print(f"ok - the store's analysis equals the files': onset {inc['onset']}, recovered {inc['recovered']}, "
          f"{len(files['suspects'])} suspects (top {top}), "
          f"{len(files['timeline'])} milestones, {files['metrics']['errors']} errors, "
          f"{len(files['series']['buckets'])} series buckets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
