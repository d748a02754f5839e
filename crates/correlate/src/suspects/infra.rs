//! Infrastructure signatures: errors that say DNS, a database, a disk, the
//! network or an upstream failed — what "no change did it" predicts.
//!
//! The incident's errors are classified; the class holding the largest share
//! (at least 30 %) is the incident's signature. A change that touches that
//! infrastructure (a CoreDNS ConfigMap, a database pool, a proxy's upstreams)
//! stays a candidate (×1.3); one that does not is weighed by `1 − 0.9 · share`
//! (×0.1 when every error is, say, `connection refused` from the database).

use super::names::identifiers;
use crate::events::ErrorEvent;
use faultline_model::{Change, Citation, InfraClass, Signature};

/// The share from which the errors are called an infrastructure failure.
pub(crate) const MIN_SHARE: f64 = 0.3;

/// Signatures in the order they are tried: a database's "could not connect"
/// is a database failure before it is a network one.
const SIGNS: &[(InfraClass, &[&str])] = &[
    (
        InfraClass::Database,
        &[
            "operationalerror",
            "could not connect to server",
            "connection to server at",
            "too many connections",
            "too many clients",
            "deadlock detected",
            "database is locked",
            "lock wait timeout",
            "sqlstate",
            "pg::connectionbad",
            "jdbcconnectionexception",
            "cannotgetjdbcconnection",
            "communications link failure",
            "mysql server has gone away",
            "can't connect to mysql",
            "server selection timeout",
            "redis.exceptions.connectionerror",
            "connection pool exhausted",
            "timeout acquiring connection",
            "remaining connection slots are reserved",
            "the database system is",
        ],
    ),
    (
        InfraClass::Dns,
        &[
            "nxdomain",
            "servfail",
            "no such host",
            "name or service not known",
            "temporary failure in name resolution",
            "could not resolve host",
            "failed to resolve",
            "getaddrinfo",
            "unknownhostexception",
            "eai_again",
            "nodename nor servname",
            "name resolution",
            "dns lookup",
        ],
    ),
    (
        InfraClass::Disk,
        &[
            "no space left on device",
            "enospc",
            "disk full",
            "disk quota exceeded",
            "read-only file system",
            "input/output error",
            "i/o error",
        ],
    ),
    (
        InfraClass::Upstream,
        &[
            "upstream timed out",
            "upstream prematurely closed",
            "no healthy upstream",
            "upstream connect error",
            "no live upstreams",
            "bad gateway",
            "gateway timeout",
        ],
    ),
    (
        InfraClass::Network,
        &[
            "connection reset by peer",
            "connection refused",
            "econnrefused",
            "econnreset",
            "etimedout",
            "connection timed out",
            "no route to host",
            "network is unreachable",
            "tls handshake timeout",
            "handshake timed out",
            "read timed out",
            "connecttimeout",
        ],
    ),
];

/// Words a change that touches each kind of infrastructure uses.
fn vocabulary(class: InfraClass) -> &'static [&'static str] {
    match class {
        InfraClass::Dns => &[
            "dns",
            "coredns",
            "kube-dns",
            "resolv",
            "resolver",
            "resolvers",
            "nameserver",
            "nameservers",
            "ndots",
            "route53",
            "dnsmasq",
            "unbound",
            "bind9",
            "cname",
            "hosts",
            "zone",
        ],
        InfraClass::Database => &[
            "db",
            "database",
            "databases",
            "postgres",
            "postgresql",
            "pg",
            "pgbouncer",
            "mysql",
            "mariadb",
            "sql",
            "migration",
            "migrations",
            "migrate",
            "schema",
            "pool",
            "pooling",
            "connections",
            "redis",
            "mongo",
            "mongodb",
            "replica",
            "failover",
            "index",
            "query",
            "queries",
            "orm",
        ],
        InfraClass::Disk => &[
            "disk",
            "volume",
            "volumes",
            "pvc",
            "storage",
            "logrotate",
            "rotation",
            "retention",
            "quota",
            "mount",
            "tmp",
        ],
        InfraClass::Network => &[
            "network",
            "networking",
            "firewall",
            "iptables",
            "nftables",
            "networkpolicy",
            "mtu",
            "route",
            "routes",
            "vpc",
            "subnet",
            "proxy",
            "lb",
            "ingress",
            "envoy",
            "istio",
            "timeout",
            "timeouts",
            "tls",
            "cert",
            "certificate",
            "keepalive",
            "port",
            "ports",
            "egress",
        ],
        InfraClass::Upstream => &[
            "upstream",
            "upstreams",
            "proxy",
            "nginx",
            "haproxy",
            "envoy",
            "backend",
            "backends",
            "lb",
            "ingress",
            "gateway",
            "timeout",
            "timeouts",
            "retry",
            "retries",
            "circuit",
        ],
    }
}

/// The incident's infrastructure signature, if it has one.
#[derive(Debug, Clone)]
pub(crate) struct InfraSignature {
    pub class: InfraClass,
    pub share: f64,
    pub example: Citation,
}

fn class_of(text: &str) -> Option<InfraClass> {
    let lower = text.to_lowercase();
    SIGNS.iter().find(|(_, signs)| signs.iter().any(|s| lower.contains(s))).map(|(c, _)| *c)
}

/// Classifies the incident's errors (`members`). Log records speak for the
/// requests they failed; only an incident of bare 5xx responses is read from
/// its status lines (a 502/504 is an upstream failing).
pub(crate) fn classify(events: &[ErrorEvent], members: &[usize], signatures: &[Signature]) -> Option<InfraSignature> {
    let records: Vec<&ErrorEvent> = members.iter().filter_map(|&i| events.get(i)).filter(|e| !e.http).collect();
    let mut tally: Vec<(InfraClass, u64, Option<Citation>)> = Vec::new();
    let mut total = 0u64;
    if records.is_empty() {
        for s in signatures {
            total += s.count;
            if s.template.starts_with("HTTP 502") || s.template.starts_with("HTTP 504") {
                add(&mut tally, InfraClass::Upstream, s.count, || s.example.clone());
            }
        }
    } else {
        for e in records {
            total += u64::from(e.count);
            if let Some(c) = class_of(&e.text) {
                add(&mut tally, c, u64::from(e.count), || e.cite());
            }
        }
    }
    let (class, n, example) = tally.into_iter().max_by_key(|(_, n, _)| *n)?;
    let share = n as f64 / total.max(1) as f64;
    (share >= MIN_SHARE).then_some(InfraSignature { class, share, example: example? })
}

fn add(
    tally: &mut Vec<(InfraClass, u64, Option<Citation>)>,
    class: InfraClass,
    n: u64,
    cite: impl FnOnce() -> Citation,
) {
    match tally.iter_mut().find(|(c, _, _)| *c == class) {
        Some(t) => t.1 += n,
        None => tally.push((class, n, Some(cite()))),
    }
}

/// Whether a change touches `class`: its message, files, service or diff use that vocabulary.
pub(crate) fn touches(c: &Change, class: InfraClass) -> bool {
    let vocab = vocabulary(class);
    let mut words: Vec<String> = Vec::new();
    let mut take = |text: &str| {
        for w in text.split(|ch: char| !ch.is_alphanumeric() && ch != '-') {
            for part in std::iter::once(w).chain(w.split('-')) {
                if !part.is_empty() {
                    words.push(part.to_lowercase());
                }
            }
        }
    };
    take(&c.message);
    for f in &c.files {
        take(f);
    }
    if let Some(s) = &c.service {
        take(s);
    }
    for id in c.identifiers.iter().take(200) {
        take(id);
        for sub in identifiers(id) {
            take(&sub.replace('_', "-"));
        }
    }
    words.iter().any(|w| vocab.contains(&w.as_str()))
}

/// The ratio of a change under an infrastructure signature.
pub(crate) fn ratio(touched: bool, share: f64) -> f64 {
    if touched {
        1.3
    } else {
        1.0 - 0.9 * share.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_before_network_and_dns_words() {
        let pg = "psycopg2.OperationalError: could not connect to server: Connection refused";
        assert_eq!(class_of(pg), Some(InfraClass::Database));
        assert_eq!(
            class_of("dial tcp: lookup payments.internal on 10.96.0.10:53: no such host"),
            Some(InfraClass::Dns)
        );
        assert_eq!(class_of("ImportError: cannot import name 'X'"), None);
    }

    #[test]
    fn a_coredns_configmap_change_touches_dns_and_a_css_tweak_does_not() {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap_or_default();
        let dns =
            Change { files: vec!["kube-system/coredns-configmap.yaml".into()], ..Change::new("a", t, "Forward zone") };
        let css =
            Change { files: vec!["static/css/site.css".into()], ..Change::new("b", t, "Tweak collection page CSS") };
        assert!(touches(&dns, InfraClass::Dns));
        assert!(!touches(&css, InfraClass::Dns));
        assert!(ratio(false, 1.0) < 0.11 && ratio(true, 1.0) > 1.0);
    }
}
