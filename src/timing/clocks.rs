//! Which clocks to believe, and by how much the others are off, as a range.
//!
//! The path orders the time stamps (see `sources`): a message cannot reach a server before
//! the server that handed it over received it. Two stamps in the wrong order prove that a clock
//! is wrong, never which one. So the reference is the heaviest set of voting stamps (the Date
//! header and the Received dates) that agree with one another in path order, each weighted
//! (the boundary counts most, then the recipient's other servers, the sender's servers, the
//! Date header; on a tie the set ending later on the path wins). It is the heaviest
//! non-decreasing subsequence of the voting stamps sorted by level (stamps at one level are
//! unordered, so sorting them by time makes any subset of one level acceptable), found in
//! O(n log n) with a Fenwick tree of prefix maxima. Every other stamp is then checked against
//! the reference: it agrees, or it is skewed.
//!
//! A skewed stamp's offset (its reading minus the true time), taking the reference clocks as
//! right, lies between its reading minus the earliest reference stamp that must come after
//! it, and its reading minus the latest reference stamp that must come before it. A side with
//! no such stamp is unbounded: the report says "at least", never a number it does not have.
//! A stamp that does not vote is placed by where its header stands, which is less sure: it
//! agrees when it is within two minutes of its place (`PLACEMENT_SLACK`).

use super::sources::Event;

/// How far a stamp that does not vote may fall outside its place and still agree, in
/// seconds.
pub const PLACEMENT_SLACK: i64 = 120;

/// What the model says about one stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// In the reference set: taken as right.
    Reference,
    /// Not voting, and agrees with the reference.
    Consistent,
    /// Contradicts the reference: its clock's offset lies in `[min, max]` (None: unbounded).
    Skewed {
        /// Smallest offset consistent with the reference (negative: behind).
        min: Option<i64>,
        /// Largest offset consistent with the reference.
        max: Option<i64>,
        /// The reference stamp that bounds `max`: the latest one that must come before.
        before: Option<usize>,
        /// The reference stamp that bounds `min`: the earliest one that must come after.
        after: Option<usize>,
    },
    /// Not placed on the path: not cross-checked.
    Unplaced,
}

impl Status {
    /// The offset's range: `[0, 0]` for a reference stamp.
    pub fn range(&self) -> (Option<i64>, Option<i64>) {
        match self {
            Status::Skewed { min, max, .. } => (*min, *max),
            _ => (Some(0), Some(0)),
        }
    }

    /// The offset of smallest magnitude in the range: the least the clock must be off.
    pub fn least(&self) -> i64 {
        match self.range() {
            (_, Some(max)) if max < 0 => max,
            (Some(min), _) if min > 0 => min,
            _ => 0,
        }
    }

    /// True for a stamp outside the reference.
    pub fn is_skewed(&self) -> bool {
        matches!(self, Status::Skewed { .. })
    }
}

/// A Fenwick tree of prefix maxima over (score, position).
struct PrefixMax {
    tree: Vec<(u64, Option<usize>)>,
}

impl PrefixMax {
    fn new(n: usize) -> PrefixMax {
        PrefixMax {
            tree: vec![(0, None); n + 1],
        }
    }

    /// The best entry at ranks `0..=rank`.
    fn query(&self, rank: usize) -> (u64, Option<usize>) {
        let mut i = rank + 1;
        let mut best = (0, None);
        while i > 0 {
            best = best.max(self.tree[i]);
            i &= i - 1;
        }
        best
    }

    fn update(&mut self, rank: usize, value: (u64, Option<usize>)) {
        let mut i = rank + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].max(value);
            i += i & i.wrapping_neg();
        }
    }
}

/// Judge every stamp; the result is parallel to `events`.
pub fn solve(events: &[Event]) -> Vec<Status> {
    // the voting stamps in path order: by level, then by time within a level
    let mut voting: Vec<(usize, i64, usize)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.votes)
        .filter_map(|(i, e)| e.place.map(|(lo, _)| (lo, e.secs(), i)))
        .collect();
    voting.sort_unstable();
    let mut values: Vec<i64> = voting.iter().map(|v| v.1).collect();
    values.sort_unstable();
    values.dedup();
    let rank = |secs: i64| values.partition_point(|&v| v < secs);

    // heaviest non-decreasing subsequence
    let mut tree = PrefixMax::new(values.len());
    let mut score = vec![0u64; voting.len()];
    let mut prev: Vec<Option<usize>> = vec![None; voting.len()];
    for (p, &(_, secs, i)) in voting.iter().enumerate() {
        let r = rank(secs);
        let (best, from) = tree.query(r);
        score[p] = best + events[i].weight;
        prev[p] = from;
        tree.update(r, (score[p], Some(p)));
    }
    let mut in_reference = vec![false; events.len()];
    let mut reference: Vec<(usize, i64, usize)> = Vec::new();
    let mut cursor = (0..voting.len()).max_by_key(|&p| (score[p], p));
    while let Some(p) = cursor {
        in_reference[voting[p].2] = true;
        reference.push(voting[p]);
        cursor = prev[p];
    }
    // in path order, and non-decreasing in time
    reference.reverse();

    events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let Some((lo, hi)) = e.place else {
                return Status::Unplaced;
            };
            if in_reference[i] {
                return Status::Reference;
            }
            // the latest reference stamp below the place, the earliest above it
            let before = reference[..reference.partition_point(|r| r.0 < lo)]
                .last()
                .map(|r| r.2);
            let after = reference
                .get(reference.partition_point(|r| r.0 <= hi))
                .map(|r| r.2);
            let secs = e.secs();
            // a stamp that does not vote is placed by where its header stands, which some
            // relays get wrong by a hop (MailChannels and ImprovMX seal after the next hop
            // and put their headers below it): it agrees within a margin
            let slack = if e.votes { 0 } else { PLACEMENT_SLACK };
            let agrees = before.is_none_or(|b| events[b].secs() <= secs + slack)
                && after.is_none_or(|a| secs <= events[a].secs() + slack);
            if agrees && !e.votes {
                return Status::Consistent;
            }
            Status::Skewed {
                min: after.map(|j| secs - events[j].secs()),
                max: before.map(|j| secs - events[j].secs()),
                before,
                after,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::sources::Kind;
    use super::*;
    use chrono::DateTime;

    fn ev(level: usize, secs: i64, weight: u64) -> Event {
        Event {
            label: format!("l{level}"),
            time: DateTime::from_timestamp(secs, 0).unwrap(),
            hop: None,
            kind: Kind::Other,
            place: Some((level, level)),
            votes: true,
            weight,
        }
    }

    #[test]
    fn the_heaviest_agreeing_set_is_the_reference() {
        // Date 0, hop 1 at 2, hop 2 at 4, hop 3 stamped 433 s before hop 2
        let events = vec![ev(1, 0, 2), ev(2, 2, 3), ev(4, 4, 4), ev(6, -429, 4)];
        let s = solve(&events);
        assert_eq!(
            s[..3],
            [Status::Reference, Status::Reference, Status::Reference]
        );
        assert_eq!(s[3].range(), (None, Some(-433)));
        assert_eq!(s[3].least(), -433);
    }

    #[test]
    fn a_clock_between_two_reference_stamps_gets_a_two_sided_range() {
        // hop 2 a day behind, between hop 1 and hop 3
        let events = vec![ev(1, -1, 2), ev(2, 0, 3), ev(4, -86_396, 3), ev(6, 6, 4)];
        let s = solve(&events);
        assert_eq!(s[2].range(), (Some(-86_402), Some(-86_396)));
        assert_eq!(s[2].least(), -86_396);
        assert!(!s[3].is_skewed());
    }

    #[test]
    fn one_level_is_unordered_and_ties_prefer_the_later_set() {
        // two stamps at one level in either order agree with each other
        let events = vec![ev(2, 10, 1), ev(2, 5, 1)];
        assert!(solve(&events).iter().all(|s| *s == Status::Reference));
        // hop 1 and hop 2 disagree with equal weight: hop 2 (later) is believed
        let s = solve(&[ev(2, 600, 3), ev(4, 0, 3)]);
        assert_eq!(s[0].range(), (Some(600), None));
        assert_eq!(s[1], Status::Reference);
    }

    #[test]
    fn other_stamps_are_checked_not_counted() {
        // a signature placed anywhere up to hop 1's level, a filter stamp at hop 2's
        let mut sig = ev(1, 1000, 0);
        sig.place = Some((1, 2));
        sig.votes = false;
        let mut late = ev(3, 500, 0);
        late.place = Some((3, 4));
        late.votes = false;
        let events = vec![
            ev(1, 0, 2),
            ev(2, 2, 3),
            sig,
            ev(4, 4, 4),
            late,
            ev(6, 9, 4),
        ];
        let s = solve(&events);
        // the signature is 996 s after hop 2, which must come after it: its clock is ahead
        assert_eq!(s[2].range(), (Some(996), None));
        // the stamp between hop 1 and hop 3 is 491 s after hop 3
        assert_eq!(s[4].range(), (Some(491), Some(498)));
        assert!(
            s.iter()
                .enumerate()
                .all(|(i, st)| i == 2 || i == 4 || *st == Status::Reference)
        );
        // 91 s after hop 3: within the placement margin
        let mut fine = ev(3, 100, 0);
        fine.place = Some((3, 4));
        fine.votes = false;
        let s = solve(&[ev(2, 2, 3), fine, ev(6, 9, 4)]);
        assert_eq!(s[1], Status::Consistent);
    }
}
