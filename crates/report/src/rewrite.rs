//! Rewriting every string of an analysis the same way: redaction masks
//! values, path shortening drops the folder all inputs share. One walk over
//! the contract serves both, so a field added to it is handled (or refused
//! at compile time) in one place.

use faultline_model::{
    Analysis, ChangeSourceSummary, Citation, ClockSuggestion, Fact, Factor, Incident, IncidentListing, Lane, LaneItem,
    LeadSignature, NoChange, NoChangeFact, Novelty, NoveltyItem, Signature, SourceSummary, Suspect, TimelineEntry,
    UnobservedSource, UnreadInput,
};

/// Turns one string into another.
pub(crate) trait TextRewrite {
    /// The rewritten `s`.
    fn text(&mut self, s: &str) -> String;
}

/// Rewrites every string of an analysis a report can show.
pub(crate) fn analysis<R: TextRewrite + ?Sized>(r: &mut R, a: &Analysis) -> Analysis {
    // Exhaustive destructuring: a field added to the contract fails to
    // compile here until someone decides whether it needs masking.
    let Analysis {
        incident,
        incidents,
        suspects,
        timeline,
        metrics,
        lead,
        no_change,
        series,
        sources,
        partial,
        unread,
        change_sources,
        novelty,
        clock_suggestions,
        lanes,
    } = a;
    // The timeline goes first so masks are numbered in reading order.
    let timeline = timeline.iter().map(|t| map_entry(r, t)).collect();
    Analysis {
        incident: incident.as_ref().map(|i| map_incident(r, i)),
        incidents: incidents.iter().map(|i| map_listing(r, i)).collect(),
        suspects: suspects.iter().map(|s| map_suspect(r, s)).collect(),
        timeline,
        metrics: metrics.clone(),
        lead: lead.as_ref().map(|l| r.text(l)),
        no_change: no_change.as_ref().map(|n| map_no_change(r, n)),
        series: series.clone(),
        sources: sources.iter().map(|s| map_source(r, s)).collect(),
        partial: *partial,
        unread: unread
            .iter()
            .map(|u| UnreadInput { path: r.text(&u.path), reason: r.text(&u.reason), ..u.clone() })
            .collect(),
        change_sources: change_sources
            .iter()
            .map(|c| ChangeSourceSummary { path: r.text(&c.path), ..c.clone() })
            .collect(),
        novelty: novelty.as_ref().map(|n| map_novelty(r, n)),
        clock_suggestions: clock_suggestions.iter().map(|c| map_clock(r, c)).collect(),
        lanes: lanes.iter().map(|l| map_lane(r, l)).collect(),
    }
}

fn map_lane<R: TextRewrite + ?Sized>(r: &mut R, l: &Lane) -> Lane {
    Lane {
        title: r.text(&l.title),
        items: l
            .items
            .iter()
            .map(|i| LaneItem {
                text: r.text(&i.text),
                citation: i.citation.as_ref().map(|c| map_citation(r, c)),
                ..i.clone()
            })
            .collect(),
        ..l.clone()
    }
}

fn map_novelty<R: TextRewrite + ?Sized>(r: &mut R, n: &Novelty) -> Novelty {
    let Novelty { unobserved_sources, signatures, endpoints, hosts, status_codes, clients, .. } = n;
    let mut items = |v: &[NoveltyItem]| -> Vec<NoveltyItem> {
        v.iter()
            .map(|i| NoveltyItem {
                value: r.text(&i.value),
                example: i.example.as_ref().map(|c| map_citation(r, c)),
                ..i.clone()
            })
            .collect()
    };
    Novelty {
        signatures: items(signatures),
        endpoints: items(endpoints),
        hosts: items(hosts),
        status_codes: items(status_codes),
        clients: items(clients),
        unobserved_sources: unobserved_sources
            .iter()
            .map(|u| UnobservedSource { source: r.text(&u.source), incident_errors: u.incident_errors })
            .collect(),
        ..n.clone()
    }
}

fn map_clock<R: TextRewrite + ?Sized>(r: &mut R, c: &ClockSuggestion) -> ClockSuggestion {
    ClockSuggestion {
        source: r.text(&c.source),
        reference: r.text(&c.reference),
        example_id: c.example_id.as_ref().map(|v| r.text(v)),
        citations: c.citations.iter().map(|x| map_citation(r, x)).collect(),
        ..c.clone()
    }
}

fn map_list<R: TextRewrite + ?Sized>(r: &mut R, v: &[String]) -> Vec<String> {
    v.iter().map(|s| r.text(s)).collect()
}

fn map_citation<R: TextRewrite + ?Sized>(r: &mut R, c: &Citation) -> Citation {
    let Citation { file, line, offset, text } = c;
    Citation { file: r.text(file), line: *line, offset: *offset, text: r.text(text) }
}

fn map_signature<R: TextRewrite + ?Sized>(r: &mut R, s: &Signature) -> Signature {
    let Signature { id, template, count, first, last, new, level, endpoints, hosts, modules, example } = s;
    Signature {
        id: id.clone(),
        template: r.text(template),
        count: *count,
        first: *first,
        last: *last,
        new: *new,
        level: *level,
        endpoints: map_list(r, endpoints),
        hosts: map_list(r, hosts),
        modules: map_list(r, modules),
        example: map_citation(r, example),
    }
}

fn map_incident<R: TextRewrite + ?Sized>(r: &mut R, i: &Incident) -> Incident {
    let Incident { onset, recovered, onset_citation, recovered_citation, signatures, endpoints, services, summary } = i;
    Incident {
        onset: *onset,
        recovered: *recovered,
        onset_citation: map_citation(r, onset_citation),
        recovered_citation: recovered_citation.as_ref().map(|c| map_citation(r, c)),
        signatures: signatures.iter().map(|s| map_signature(r, s)).collect(),
        endpoints: map_list(r, endpoints),
        services: map_list(r, services),
        summary: r.text(summary),
    }
}

fn map_listing<R: TextRewrite + ?Sized>(r: &mut R, i: &IncidentListing) -> IncidentListing {
    let IncidentListing { number, onset, recovered, errors, summary, onset_citation, analyzed } = i;
    IncidentListing {
        number: *number,
        onset: *onset,
        recovered: *recovered,
        errors: *errors,
        summary: r.text(summary),
        onset_citation: map_citation(r, onset_citation),
        analyzed: *analyzed,
    }
}

fn map_suspect<R: TextRewrite + ?Sized>(r: &mut R, s: &Suspect) -> Suspect {
    let Suspect {
        change_id,
        score,
        summary,
        time,
        evidence,
        factors,
        citations,
        ranked_lower_because,
        service,
        author,
        files,
        message,
        verdict,
        explanation,
        ranked_below,
    } = s;
    Suspect {
        change_id: change_id.clone(),
        score: *score,
        summary: r.text(summary),
        time: *time,
        evidence: map_list(r, evidence),
        factors: factors.clone(),
        citations: citations.iter().map(|c| map_citation(r, c)).collect(),
        ranked_lower_because: ranked_lower_because.as_ref().map(|v| r.text(v)),
        service: service.as_ref().map(|v| r.text(v)),
        author: author.as_ref().map(|v| r.text(v)),
        files: map_list(r, files),
        message: r.text(message),
        verdict: *verdict,
        explanation: explanation.iter().map(|f| map_factor(r, f)).collect(),
        // Change ids and kinds of evidence only: nothing to mask.
        ranked_below: ranked_below.clone(),
    }
}

fn map_factor<R: TextRewrite + ?Sized>(r: &mut R, f: &Factor) -> Factor {
    let Factor { ratio, fact, citations } = f;
    let fact = match fact {
        // Change ids are kept, like `change_id`: the report stays verifiable.
        Fact::Timing { .. } | Fact::AfterOnset { .. } | Fact::Undone { .. } | Fact::NotUndone { .. } => fact.clone(),
        Fact::Infrastructure { .. } => fact.clone(),
        Fact::OwnFailure { name, signal, lines, after_change_s, before } => Fact::OwnFailure {
            name: r.text(name),
            signal: *signal,
            lines: *lines,
            after_change_s: *after_change_s,
            before: *before,
        },
        Fact::ErrorsName { name, what, errors, in_traces } => {
            Fact::ErrorsName { name: r.text(name), what: *what, errors: *errors, in_traces: *in_traces }
        }
        Fact::DiffInErrors { identifiers, errors } => {
            Fact::DiffInErrors { identifiers: map_list(r, identifiers), errors: *errors }
        }
        Fact::Scope { service, matched, failing } => Fact::Scope {
            service: r.text(service),
            matched: matched.as_ref().map(|m| r.text(m)),
            failing: map_list(r, failing),
        },
    };
    Factor { ratio: *ratio, fact, citations: citations.iter().map(|c| map_citation(r, c)).collect() }
}

fn map_no_change<R: TextRewrite + ?Sized>(r: &mut R, n: &NoChange) -> NoChange {
    let NoChange { posterior, best, facts, signature, onset } = n;
    NoChange {
        posterior: *posterior,
        best: best.clone(),
        facts: facts
            .iter()
            .map(|f| match f {
                NoChangeFact::Infrastructure { class, share, example } => {
                    NoChangeFact::Infrastructure { class: *class, share: *share, example: map_citation(r, example) }
                }
                other => other.clone(),
            })
            .collect(),
        signature: signature.as_ref().map(|s| {
            let LeadSignature { template, new, count, first, host, endpoint, example } = s;
            LeadSignature {
                template: r.text(template),
                new: *new,
                count: *count,
                first: *first,
                host: host.as_ref().map(|h| r.text(h)),
                endpoint: endpoint.as_ref().map(|e| r.text(e)),
                example: map_citation(r, example),
            }
        }),
        onset: map_citation(r, onset),
    }
}

fn map_entry<R: TextRewrite + ?Sized>(r: &mut R, t: &TimelineEntry) -> TimelineEntry {
    let TimelineEntry { time, kind, source, text, citation, change_id, suspect, clock_offset_ms } = t;
    TimelineEntry {
        time: *time,
        kind: *kind,
        source: r.text(source),
        text: r.text(text),
        citation: citation.as_ref().map(|c| map_citation(r, c)),
        change_id: change_id.clone(),
        suspect: *suspect,
        clock_offset_ms: *clock_offset_ms,
    }
}

fn map_source<R: TextRewrite + ?Sized>(r: &mut R, s: &SourceSummary) -> SourceSummary {
    let SourceSummary {
        path,
        kind,
        format,
        records,
        unparsed,
        first,
        last,
        tz,
        bytes,
        sha256,
        notes,
        clock_offset_ms,
        complete,
        window,
    } = s;
    SourceSummary {
        path: r.text(path),
        kind: *kind,
        format: format.clone(),
        records: *records,
        unparsed: *unparsed,
        first: *first,
        last: *last,
        tz: tz.clone(),
        bytes: *bytes,
        sha256: sha256.clone(),
        notes: map_list(r, notes),
        clock_offset_ms: *clock_offset_ms,
        complete: *complete,
        window: *window,
    }
}

/// Drops a folder prefix (`/srv/incident/`) wherever a path starts with it.
pub(crate) struct StripFolder {
    prefix: String,
}

impl StripFolder {
    pub(crate) fn new(folder: &str) -> StripFolder {
        StripFolder { prefix: format!("{}/", folder.trim_end_matches('/')) }
    }
}

impl TextRewrite for StripFolder {
    fn text(&mut self, s: &str) -> String {
        s.replace(&self.prefix, "")
    }
}

/// The deepest folder that holds every path, when it is more than the root.
pub(crate) fn common_folder<'a>(paths: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut common: Option<Vec<&str>> = None;
    for p in paths {
        let parts: Vec<&str> = p.split('/').collect();
        // A path's folder: all but its last component.
        let folder = &parts[..parts.len().saturating_sub(1)];
        common = Some(match common {
            None => folder.to_vec(),
            Some(c) => c.iter().zip(folder).take_while(|(a, b)| a == b).map(|(a, _)| *a).collect(),
        });
    }
    let c = common?;
    // `/x` at least: stripping `/` or nothing helps no one.
    (c.len() >= 2 && c.iter().skip(1).any(|p| !p.is_empty())).then(|| c.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_folder_of_inputs_is_found_and_stripped() {
        let paths = ["/srv/inc/nginx/access.log", "/srv/inc/app/app.log", "/srv/inc/deploys"];
        assert_eq!(common_folder(paths.into_iter()).as_deref(), Some("/srv/inc"));
        assert_eq!(common_folder(["/a/x.log", "/b/y.log"].into_iter()), None);
        assert_eq!(common_folder(["relative.log"].into_iter()), None);
        let mut s = StripFolder::new("/srv/inc");
        assert_eq!(
            s.text("appears in 3 tracebacks (first: /srv/inc/app/app.log:12)"),
            "appears in 3 tracebacks (first: app/app.log:12)"
        );
    }
}
