//! A set of plain selectors compiled into one trie, gathered in a single scan of a body.

use std::collections::HashMap;
use std::sync::Arc;

use crate::Selector;
use crate::selector::Step;

/// A compiled set of selectors, built once per pagination and used on every page: all the plain
/// paths a page needs (records, next link, total, cursor, has_more) form one small trie, and
/// [`Document::parse`](crate::Document::parse) gathers all their matches in one pass over the body.
///
/// Full JSONPath selectors may be passed too; they are not part of the scan and are evaluated on
/// demand. Cloning is cheap (shared).
///
/// ```
/// use restclient_select::{Query, Selector};
///
/// let records = Selector::parse("data").unwrap();
/// let total = Selector::parse("meta.total").unwrap();
/// let query = Query::new([&records, &total]);
/// assert!(query.contains(&total));
/// assert_eq!(query.len(), 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Query {
    inner: Arc<QueryInner>,
}

#[derive(Debug)]
pub(crate) struct QueryInner {
    /// Slot number -> selector (plain selectors only).
    pub(crate) selectors: Vec<Selector>,
    pub(crate) slots: HashMap<Selector, usize>,
    /// Node 0 is the root.
    pub(crate) nodes: Vec<Node>,
}

impl Default for QueryInner {
    fn default() -> Self {
        QueryInner {
            selectors: Vec::new(),
            slots: HashMap::new(),
            nodes: vec![Node::default()],
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Node {
    /// Object members to descend into: key -> node.
    pub(crate) keys: Vec<(String, usize)>,
    /// Array elements to descend into: index -> node.
    pub(crate) indices: Vec<(i64, usize)>,
    pub(crate) has_negative: bool,
    /// Slots of the selectors that end here.
    pub(crate) terminal: Vec<usize>,
    /// Slots of the selectors that end here or below (cleared when a duplicate key re-enters).
    pub(crate) subtree: Vec<usize>,
}

impl Node {
    pub(crate) fn has_children(&self) -> bool {
        !self.keys.is_empty() || !self.indices.is_empty()
    }
}

impl Query {
    /// Compiles a set of selectors. Duplicates (by meaning) are merged.
    pub fn new<'a>(selectors: impl IntoIterator<Item = &'a Selector>) -> Query {
        let mut inner = QueryInner::default();
        for selector in selectors {
            let Some(steps) = selector.steps() else {
                continue;
            };
            if inner.slots.contains_key(selector) {
                continue;
            }
            let slot = inner.selectors.len();
            inner.selectors.push(selector.clone());
            inner.slots.insert(selector.clone(), slot);
            let mut node = 0;
            inner.nodes[node].subtree.push(slot);
            for step in steps {
                node = child(&mut inner.nodes, node, step);
                inner.nodes[node].subtree.push(slot);
            }
            inner.nodes[node].terminal.push(slot);
        }
        Query {
            inner: Arc::new(inner),
        }
    }

    /// True when the selector's matches are gathered by the scan.
    pub fn contains(&self, selector: &Selector) -> bool {
        self.inner.slots.contains_key(selector)
    }

    /// How many plain selectors the scan gathers.
    pub fn len(&self) -> usize {
        self.inner.selectors.len()
    }

    /// True when the scan gathers nothing (it still validates the body).
    pub fn is_empty(&self) -> bool {
        self.inner.selectors.is_empty()
    }

    /// The plain selectors the scan gathers, in slot order.
    pub fn selectors(&self) -> &[Selector] {
        &self.inner.selectors
    }

    pub(crate) fn inner(&self) -> &QueryInner {
        &self.inner
    }

    pub(crate) fn slot(&self, selector: &Selector) -> Option<usize> {
        self.inner.slots.get(selector).copied()
    }
}

fn child(nodes: &mut Vec<Node>, node: usize, step: &Step) -> usize {
    let existing = match step {
        Step::Key(k) => nodes[node].keys.iter().find(|(key, _)| key == k).map(|(_, n)| *n),
        Step::Index(i) => nodes[node]
            .indices
            .iter()
            .find(|(idx, _)| idx == i)
            .map(|(_, n)| *n),
    };
    if let Some(n) = existing {
        return n;
    }
    let n = nodes.len();
    nodes.push(Node::default());
    match step {
        Step::Key(k) => nodes[node].keys.push((k.clone(), n)),
        Step::Index(i) => {
            nodes[node].indices.push((*i, n));
            if *i < 0 {
                nodes[node].has_negative = true;
            }
        }
    }
    n
}
