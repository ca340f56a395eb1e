//! What changed in a pool since the store last looked: the keys a family's methods
//! touched, for the families that hold many entities (users, refresh grants,
//! authorization codes, browser sessions), so that a durable store writes those
//! entities and never the whole family.
//!
//! Nothing is recorded until [`Changed::track`]: a store that keeps state in memory only
//! never turns it on and pays one branch per change.

/// The keys of one family changed since [`Changed::take`].
#[derive(Debug, Clone)]
pub struct Changed<K> {
    tracking: bool,
    keys: Vec<K>,
}

impl<K> Default for Changed<K> {
    fn default() -> Self {
        Changed {
            tracking: false,
            keys: Vec::new(),
        }
    }
}

impl<K> Changed<K> {
    /// Starts recording.
    pub fn track(&mut self) {
        self.tracking = true;
    }

    /// Records the key `key` makes, when recording.
    pub fn note(&mut self, key: impl FnOnce() -> K) {
        if self.tracking {
            self.keys.push(key());
        }
    }

    /// The keys recorded since the last call, perhaps repeated, oldest first.
    pub fn take(&mut self) -> Vec<K> {
        std::mem::take(&mut self.keys)
    }
}

/// Fingerprints of what a durable store last wrote of each family it writes whole, by
/// the family's position, so that it writes a family again only when it changed.
#[derive(Debug, Clone, Default)]
pub struct Fingerprints(Vec<u64>);

impl Fingerprints {
    /// Keeps `fingerprint` for family `family`; answers whether it differs from the one
    /// kept before (a family never fingerprinted differs).
    pub fn replace(&mut self, family: usize, fingerprint: u64) -> bool {
        if self.0.len() <= family {
            self.0.resize(family + 1, 0);
        }
        match self.0.get_mut(family) {
            Some(kept) if *kept == fingerprint && fingerprint != 0 => false,
            Some(kept) => {
                *kept = fingerprint;
                true
            }
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_recorded_until_tracking_starts() {
        let mut changed = Changed::default();
        changed.note(|| "a");
        assert!(changed.take().is_empty());
        changed.track();
        changed.note(|| "b");
        changed.note(|| "c");
        assert_eq!(changed.take(), ["b", "c"]);
        assert!(changed.take().is_empty());
    }

    #[test]
    fn a_family_differs_until_its_fingerprint_repeats() {
        let mut written = Fingerprints::default();
        assert!(written.replace(2, 7));
        assert!(!written.replace(2, 7));
        assert!(written.replace(2, 8));
        assert!(written.replace(0, 8));
    }
}
