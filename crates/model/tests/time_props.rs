//! Property tests of time normalization: what goes into a zone comes back out,
//! order survives parsing, and zone arithmetic is plain offset arithmetic.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use faultline_model::flags;
use faultline_model::time::{parse_instant, Zone};
use proptest::prelude::*;

/// Instants from 1971 to 2099, whole seconds or with milliseconds.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (31_536_000i64..4_102_444_800i64, prop_oneof![Just(0u32), 0u32..1000])
        .prop_map(|(s, ms)| DateTime::<Utc>::from_timestamp(s, ms * 1_000_000).expect("in range"))
}

/// Offsets from -12:00 to +14:00 in quarter hours (every offset in use is one).
fn offset() -> impl Strategy<Value = FixedOffset> {
    (-48i32..=56).prop_map(|q| FixedOffset::east_opt(q * 15 * 60).expect("in range"))
}

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Chatham",
    "Europe/London",
    "America/Sao_Paulo",
    "Asia/Tehran",
];

fn named() -> impl Strategy<Value = Zone> {
    proptest::sample::select(ZONES).prop_map(|n| Zone::parse(n).expect("known zone"))
}

fn local_of(zone: &Zone, t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc() + Duration::seconds(zone.offset_at(t).local_minus_utc() as i64)
}

/// No offset change within `margin` of `t`: the wall-clock time is unambiguous there.
fn far_from_transition(zone: &Zone, t: DateTime<Utc>) -> bool {
    let margin = Duration::hours(3);
    zone.offset_at(t - margin) == zone.offset_at(t) && zone.offset_at(t + margin) == zone.offset_at(t)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fixed_offsets_round_trip_utc_local_utc(t in instant(), off in offset()) {
        let zone = Zone::parse(&off.to_string()).expect("an offset parses");
        let (back, flags) = zone.to_utc(local_of(&zone, t));
        prop_assert_eq!(back, t);
        prop_assert_eq!(flags, 0);
    }

    #[test]
    fn iana_zones_round_trip_outside_dst_transitions(t in instant(), zone in named()) {
        prop_assume!(far_from_transition(&zone, t));
        let (back, flags) = zone.to_utc(local_of(&zone, t));
        prop_assert_eq!(back, t, "{} at {}", zone, t);
        prop_assert_eq!(flags, 0);
    }

    #[test]
    fn iana_wall_clock_text_round_trips_through_parse_instant(t in instant(), zone in named()) {
        prop_assume!(far_from_transition(&zone, t));
        let text = local_of(&zone, t).format("%Y-%m-%d %H:%M:%S%.3f").to_string();
        let (back, _) = parse_instant(&text, &zone).expect("a wall-clock time parses");
        prop_assert_eq!(back, t, "{} read in {}", text, zone);
    }

    #[test]
    fn rfc3339_in_any_zone_parses_back_to_the_same_instant(t in instant(), zone in prop_oneof![named(), offset().prop_map(Zone::Fixed)]) {
        let text = zone.format_rfc3339(t);
        // The text carries its offset: the zone it is read in must not matter.
        for reader in [Zone::Utc, zone, Zone::parse("Asia/Kolkata").expect("known")] {
            prop_assert_eq!(parse_instant(&text, &reader).map(|p| p.0), Some(t), "{}", text);
        }
    }

    #[test]
    fn a_file_in_order_stays_in_order(start in instant(), steps in proptest::collection::vec(0i64..7200, 1..60), zone in named()) {
        // A log's lines written in wall-clock order, away from DST changes, parse into non-decreasing instants.
        let mut t = start;
        let mut parsed = Vec::new();
        for step in steps {
            t += Duration::seconds(step);
            prop_assume!(far_from_transition(&zone, t));
            let line = local_of(&zone, t).format("%Y-%m-%dT%H:%M:%S").to_string();
            parsed.push(parse_instant(&line, &zone).expect("parses").0);
        }
        prop_assert!(parsed.windows(2).all(|w| w[0] <= w[1]), "{:?}", parsed);
    }

    #[test]
    fn zone_arithmetic_is_offset_arithmetic(t in instant(), a in offset(), b in offset()) {
        // The same wall-clock text read in two fixed zones is apart by the offsets' difference.
        let text = t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string();
        let in_a = parse_instant(&text, &Zone::Fixed(a)).expect("parses").0;
        let in_b = parse_instant(&text, &Zone::Fixed(b)).expect("parses").0;
        prop_assert_eq!(in_b - in_a, Duration::seconds((a.local_minus_utc() - b.local_minus_utc()) as i64));
        prop_assert_eq!(Zone::Fixed(a).offset_at(t), a);
    }

    #[test]
    fn any_wall_clock_time_resolves_and_dst_is_flagged(t in instant(), zone in named()) {
        let local = t.naive_utc();
        let (at, f) = zone.to_utc(local);
        let wall = local_of(&zone, at);
        if f & flags::DST_GAP != 0 {
            // Moved forward by the gap (at most the 2 h any zone has used).
            prop_assert!(wall > local && wall - local <= Duration::hours(2), "gap: {} -> {}", local, wall);
        } else {
            prop_assert_eq!(wall, local);
        }
        if f & flags::DST_AMBIGUOUS != 0 {
            // The earlier of the two instants: the later one exists and shows the same wall time.
            let later = (1..=8).map(|q| at + Duration::minutes(15 * q)).find(|c| local_of(&zone, *c) == local);
            prop_assert!(later.is_some(), "ambiguous {} in {} has no later twin of {}", local, zone, at);
        }
        if f == 0 {
            // Unflagged: no earlier instant shows the same wall time.
            let earlier = (1..=8).map(|q| at - Duration::minutes(15 * q)).find(|c| local_of(&zone, *c) == local);
            prop_assert!(earlier.is_none(), "{} in {}: {} not the earliest", local, zone, at);
        }
    }
}
