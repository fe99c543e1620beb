//! Where a top-level parent resumes: the start of the first page its children still need.
//!
//! A parent's children resume from their checkpoints: each knows the first parent record whose
//! request chain is unfinished (its `parent_index`). After every page, a parent whose children
//! all do that (its children are leaves) records a [`ReplayPoint`]: the checkpoint requesting
//! its next page and the number of that page's first record. On resume it starts from the last
//! point at or below what it still needs, [`need`]: the first record any unfinished child has
//! not finished, and no later than the first record its own output lacks. Without such a point
//! (a child that never reported, a state file from before replay points) it starts from its
//! first page, as before: the records it writes and feeds are the same either way, since every
//! record keeps its number.
//!
//! The state writer [`prune`]s the points on every save: those before the last one at or below
//! the need go, and past [`MAX_POINTS`] every second one goes (a child stuck on a failure must not
//! make the state file grow with every parent page), so a resume may repeat a few more pages.

use std::collections::{BTreeSet, HashMap};

use crate::plan::Plan;
use crate::state::{ReplayPoint, RunProgress, RunState};

/// The most replay points kept per parent.
pub(crate) const MAX_POINTS: usize = 64;

/// Parents that keep replay points, and their children (each resuming from checkpoints).
pub(crate) type Families = HashMap<String, Vec<String>>;

/// The top-level parents among `running` whose running children are all leaves (resume from
/// checkpoints), with those children. A parent with a middle link among its children replays
/// from its first page: the middle link replays its own parent records from the first.
pub(crate) fn families(plan: &Plan, running: &BTreeSet<&str>) -> Families {
    let children_of = |parent: &str| -> Vec<String> {
        plan.resources
            .iter()
            .filter(|c| running.contains(c.name.as_str()) && c.parent.as_deref() == Some(parent))
            .map(|c| c.name.clone())
            .collect()
    };
    plan.resources
        .iter()
        .filter(|r| r.parent.is_none() && running.contains(r.name.as_str()))
        .filter_map(|r| {
            let children = children_of(&r.name);
            let all_leaves = children.iter().all(|c| children_of(c).is_empty());
            (!children.is_empty() && all_leaves).then(|| (r.name.clone(), children))
        })
        .collect()
}

/// The first record number `parent` must produce again: the lowest `parent_index` of its
/// unfinished children (0 for one that never reported), and at most the records its own output
/// holds.
pub(crate) fn need(run: &RunState, parent: &str, children: &[String]) -> u64 {
    let own = run.resources.get(parent).map_or(0, |p| p.records);
    children
        .iter()
        .map(|child| match run.resources.get(child) {
            Some(progress) if progress.done => u64::MAX,
            Some(progress) => progress.parent_index,
            None => 0,
        })
        .fold(own, u64::min)
}

/// The point to resume from: the last at or below `need`.
pub(crate) fn start(points: &[ReplayPoint], need: u64) -> Option<&ReplayPoint> {
    points.iter().rev().find(|p| p.records <= need)
}

/// Adds a driver's report to what the state holds: a report's points are appended to the stored
/// ones, replacing any from the same page on (a resumed parent reports again from where it
/// resumed); a report without points (the parent's last) keeps the stored ones.
pub(crate) fn merge(stored: Option<&RunProgress>, progress: &mut RunProgress) {
    let Some(stored) = stored else { return };
    let Some(first_new) = progress.replay.first().map(|p| p.pages) else {
        progress.replay.clone_from(&stored.replay);
        return;
    };
    let mut points: Vec<ReplayPoint> = stored
        .replay
        .iter()
        .filter(|p| p.pages < first_new)
        .cloned()
        .collect();
    points.append(&mut progress.replay);
    progress.replay = points;
}

/// Drops the points no resume needs, and thins them past [`MAX_POINTS`].
pub(crate) fn prune(run: &mut RunState, families: &Families) {
    for (parent, children) in families {
        let need = need(run, parent, children);
        let Some(progress) = run.resources.get_mut(parent) else {
            continue;
        };
        let points = &mut progress.replay;
        if let Some(keep_from) = points.iter().rposition(|p| p.records <= need) {
            points.drain(..keep_from);
        }
        if points.len() > MAX_POINTS {
            // keep the first (the one a resume starts from now) and the last, every second between
            let last = points.len() - 1;
            let mut index = 0;
            points.retain(|_| {
                let keep = index == 0 || index == last || index % 2 == 0;
                index += 1;
                keep
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use restclient::paginate::Checkpoint;

    fn point(pages: u64, records: u64) -> ReplayPoint {
        let checkpoint = Checkpoint::from_json(
            &serde_json::json!({
                "version": 1, "fingerprint": "0123456789abcdef", "run": "GET http://h/p",
                "page_index": pages, "next": {"method": "GET", "url": format!("http://h/p?page={pages}")},
                "paginator": "single_page",
                "paginator_state": {"kind": "single_page", "has_next_page": true},
                "data_selector": "$"
            })
            .to_string(),
        )
        .unwrap_or_else(|e| panic!("a checkpoint: {e}"));
        ReplayPoint {
            pages,
            records,
            checkpoint,
            incremental: None,
        }
    }

    fn run_with(parent_records: u64, children: &[(&str, Option<(bool, u64)>)]) -> RunState {
        let mut run = RunState::default();
        run.resources.insert(
            "p".into(),
            RunProgress {
                records: parent_records,
                replay: (1..=10).map(|i| point(i, i * 10)).collect(),
                ..RunProgress::default()
            },
        );
        for (name, progress) in children {
            if let Some((done, parent_index)) = progress {
                run.resources.insert(
                    (*name).into(),
                    RunProgress {
                        done: *done,
                        parent_index: *parent_index,
                        ..RunProgress::default()
                    },
                );
            }
        }
        run
    }

    fn families() -> Families {
        HashMap::from([("p".to_owned(), vec!["a".to_owned(), "b".to_owned()])])
    }

    #[test]
    fn the_need_is_the_slowest_unfinished_child_and_never_past_the_parent_s_output() {
        let kids = ["a".to_owned(), "b".to_owned()];
        assert_eq!(
            need(
                &run_with(100, &[("a", Some((false, 42))), ("b", Some((false, 57)))]),
                "p",
                &kids
            ),
            42
        );
        assert_eq!(
            need(
                &run_with(100, &[("a", Some((true, 3))), ("b", Some((false, 57)))]),
                "p",
                &kids
            ),
            57
        );
        assert_eq!(
            need(
                &run_with(100, &[("a", Some((false, 42))), ("b", None)]),
                "p",
                &kids
            ),
            0
        );
        assert_eq!(
            need(
                &run_with(30, &[("a", Some((true, 0))), ("b", Some((true, 0)))]),
                "p",
                &kids
            ),
            30
        );
    }

    #[test]
    fn a_resume_starts_from_the_last_point_at_or_below_the_need() {
        let points: Vec<_> = (1..=10).map(|i| point(i, i * 10)).collect();
        assert_eq!(start(&points, 42).map(|p| p.records), Some(40));
        assert_eq!(start(&points, 40).map(|p| p.records), Some(40));
        assert_eq!(
            start(&points, 9),
            None,
            "before the first point: from the first page"
        );
        assert_eq!(start(&[], 1000), None);
    }

    #[test]
    fn pruning_keeps_what_a_resume_can_start_from() {
        let mut run = run_with(100, &[("a", Some((false, 42))), ("b", Some((false, 57)))]);
        prune(&mut run, &families());
        let kept: Vec<u64> = run.resources["p"].replay.iter().map(|p| p.records).collect();
        assert_eq!(kept, [40, 50, 60, 70, 80, 90, 100]);
        // a child that never reported: nothing can go
        let mut run = run_with(100, &[("a", Some((false, 42))), ("b", None)]);
        prune(&mut run, &families());
        assert_eq!(run.resources["p"].replay.len(), 10);
    }

    #[test]
    fn a_stuck_child_does_not_grow_the_points_without_bound() {
        let mut run = run_with(0, &[("a", Some((false, 5))), ("b", Some((false, 5)))]);
        let p = run.resources.get_mut("p").unwrap_or_else(|| unreachable!());
        p.replay = vec![point(1, 3)];
        p.records = 3;
        for page in 2..2000 {
            let mut progress = RunProgress {
                records: page * 3,
                replay: vec![point(page, page * 3)],
                ..RunProgress::default()
            };
            merge(run.resources.get("p"), &mut progress);
            run.resources.insert("p".into(), progress);
            prune(&mut run, &families());
            let points = &run.resources["p"].replay;
            assert!(points.len() <= MAX_POINTS, "{}", points.len());
            assert_eq!(points[0].records, 3, "the point a resume needs stays");
            assert_eq!(points.last().map(|p| p.pages), Some(page));
        }
    }

    #[test]
    fn a_resumed_parent_s_points_replace_those_from_the_same_page_on() {
        let stored = RunProgress {
            replay: (1..=5).map(|i| point(i, i * 10)).collect(),
            ..RunProgress::default()
        };
        let mut progress = RunProgress {
            replay: vec![point(3, 30)],
            ..RunProgress::default()
        };
        merge(Some(&stored), &mut progress);
        let pages: Vec<u64> = progress.replay.iter().map(|p| p.pages).collect();
        assert_eq!(pages, [1, 2, 3]);
        // the parent's last report (done) carries no point: the stored ones stay
        let mut last = RunProgress {
            done: true,
            ..RunProgress::default()
        };
        merge(Some(&stored), &mut last);
        assert_eq!(last.replay.len(), 5);
    }
}
