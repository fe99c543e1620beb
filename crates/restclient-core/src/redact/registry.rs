//! The registry of secret values that redaction masks wherever they appear (rule 2).
//!
//! Three kinds of entry:
//! - **Pinned**: [`register_secret`](super::register_secret) keeps a plain string for the life of
//!   the process (a command-line credential, an environment value).
//! - **Held**: a [`Secret`](crate::Secret) shares its value with the registry, which holds it
//!   while any clone of that `Secret` lives.
//! - **Retired**: a held value whose last `Secret` was dropped. The last [`RETIRED_KEPT`] of them
//!   stay masked, so an error displayed after its client is gone is still redacted; older ones
//!   are forgotten. A long-lived process that creates credentials without end (rotating OAuth
//!   tokens, a Python program building a client per call) thus keeps a bounded registry.
//!
//! Dropped secrets are noticed (and the oldest retired ones forgotten) whenever a value is
//! registered. Entries stay sorted longest first, so a secret that contains another is masked
//! whole.

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// How many values of dropped secrets stay masked.
pub const RETIRED_KEPT: usize = 64;

enum Entry {
    Pinned,
    /// Shared with the `Secret`s of this value: live while the count is above one.
    Held,
    /// Dropped; `at` orders retirements, oldest first.
    Retired {
        at: u64,
    },
}

struct Known {
    value: Arc<str>,
    entry: Entry,
}

struct Registry {
    known: Vec<Known>,
    retirements: u64,
}

static REGISTRY: RwLock<Registry> = RwLock::new(Registry {
    known: Vec::new(),
    retirements: 0,
});

/// Pins `value` for the life of the process; a value already pinned is not added twice.
pub(super) fn pin(value: &str) {
    let mut registry = write();
    registry.retire_dropped();
    let pinned = |k: &Known| matches!(k.entry, Entry::Pinned) && &*k.value == value;
    if !registry.known.iter().any(pinned) {
        registry.insert(Arc::from(value), Entry::Pinned);
    }
}

/// Registers `value` while a `Secret` holding it lives, and for a while after.
pub(crate) fn hold(value: &Arc<str>) {
    let mut registry = write();
    registry.retire_dropped();
    let same = |k: &Known| Arc::ptr_eq(&k.value, value) && matches!(k.entry, Entry::Held);
    if !registry.known.iter().any(same) {
        registry.insert(Arc::clone(value), Entry::Held);
    }
}

/// Calls `f` with every registered value, longest first.
pub(super) fn for_each(mut f: impl FnMut(&str)) {
    for k in &read().known {
        f(&k.value);
    }
}

/// How many values the registry holds (for tests).
#[cfg(test)]
pub(super) fn len() -> usize {
    read().known.len()
}

impl Registry {
    fn insert(&mut self, value: Arc<str>, entry: Entry) {
        let at = self.known.partition_point(|k| k.value.len() >= value.len());
        self.known.insert(at, Known { value, entry });
    }

    /// Retires held values no `Secret` holds any more, then forgets the oldest retired ones
    /// beyond [`RETIRED_KEPT`].
    fn retire_dropped(&mut self) {
        let mut retired = 0;
        for k in &mut self.known {
            match k.entry {
                Entry::Held if Arc::strong_count(&k.value) == 1 => {
                    self.retirements += 1;
                    k.entry = Entry::Retired { at: self.retirements };
                    retired += 1;
                }
                Entry::Retired { .. } => retired += 1,
                _ => {}
            }
        }
        if retired > RETIRED_KEPT {
            let keep_from = self.retirements - RETIRED_KEPT as u64; // retirements are numbered 1..
            self.known
                .retain(|k| !matches!(k.entry, Entry::Retired { at } if at <= keep_from));
        }
    }
}

// A poisoned lock only means another thread panicked mid-update; the registry is still valid.
fn read() -> RwLockReadGuard<'static, Registry> {
    REGISTRY.read().unwrap_or_else(|e| e.into_inner())
}

fn write() -> RwLockWriteGuard<'static, Registry> {
    REGISTRY.write().unwrap_or_else(|e| e.into_inner())
}
