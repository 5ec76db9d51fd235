//! The engine's memory pool: DataFusion's fair spill pool, with a share of it that only
//! consumers that cannot spill may use.
//!
//! DataFusion 55's external sort gives its merge reservation back to the pool when it
//! starts to spill, then asks for that memory again for the merge. With two partitions
//! sorting at once, the other partition's sorter (a consumer that can spill) could take
//! the returned bytes first, and the merge failed with "Failed to allocate additional …
//! for ExternalSorterMerge[1] with 0.0 B already allocated … 0.0 B remain available":
//! three runs in seven of a 10M-sign-in `classify` (apache/datafusion#24739, fixed after
//! 55). Here consumers that can spill share the pool less a headroom, so the memory a
//! merge returns stays within reach of the merge.

use std::fmt;
use std::sync::Mutex;

use datafusion::common::{DataFusionError, Result};
use datafusion::execution::memory_pool::{
    MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation, human_readable_size,
};

/// The part of the pool kept for consumers that cannot spill: a sixteenth.
const HEADROOM_DIVISOR: usize = 16;

/// A fair spill pool (each consumer that can spill gets an equal share of what those that
/// cannot spill leave) whose last sixteenth only consumers that cannot spill may use.
#[derive(Debug)]
pub struct HeadroomPool {
    size: usize,
    headroom: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Registered consumers that can spill.
    spillers: usize,
    spillable: usize,
    unspillable: usize,
}

impl HeadroomPool {
    pub fn new(size: usize) -> HeadroomPool {
        HeadroomPool {
            size,
            headroom: size / HEADROOM_DIVISOR,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of plain counters.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn refuse(
        &self,
        r: &MemoryReservation,
        additional: usize,
        available: usize,
    ) -> DataFusionError {
        DataFusionError::ResourcesExhausted(format!(
            "Failed to allocate additional {} for {} with {} already allocated for this \
             reservation - {} remain available for the total memory pool: {self}",
            human_readable_size(additional),
            r.consumer().name(),
            human_readable_size(r.size()),
            human_readable_size(available),
        ))
    }
}

impl fmt::Display for HeadroomPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fair with headroom(pool_size: {}, headroom: {})",
            human_readable_size(self.size),
            human_readable_size(self.headroom)
        )
    }
}

impl MemoryPool for HeadroomPool {
    fn name(&self) -> &str {
        "fair with headroom"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        if consumer.can_spill() {
            self.state().spillers += 1;
        }
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        if consumer.can_spill() {
            let mut state = self.state();
            state.spillers = state.spillers.saturating_sub(1);
        }
    }

    fn grow(&self, r: &MemoryReservation, additional: usize) {
        let mut state = self.state();
        if r.consumer().can_spill() {
            state.spillable += additional;
        } else {
            state.unspillable += additional;
        }
    }

    fn shrink(&self, r: &MemoryReservation, shrink: usize) {
        let mut state = self.state();
        if r.consumer().can_spill() {
            state.spillable = state.spillable.saturating_sub(shrink);
        } else {
            state.unspillable = state.unspillable.saturating_sub(shrink);
        }
    }

    fn try_grow(&self, r: &MemoryReservation, additional: usize) -> Result<()> {
        let mut state = self.state();
        if r.consumer().can_spill() {
            let shared = (self.size - self.headroom).saturating_sub(state.unspillable);
            let share = shared.checked_div(state.spillers).unwrap_or(shared);
            if r.size() + additional > share {
                return Err(self.refuse(r, additional, share.saturating_sub(r.size())));
            }
            state.spillable += additional;
        } else {
            let available = self
                .size
                .saturating_sub(state.unspillable + state.spillable);
            if additional > available {
                return Err(self.refuse(r, additional, available));
            }
            state.unspillable += additional;
        }
        Ok(())
    }

    fn reserved(&self) -> usize {
        let state = self.state();
        state.spillable + state.unspillable
    }

    fn memory_limit(&self) -> MemoryLimit {
        MemoryLimit::Finite(self.size)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn memory_a_merge_returns_stays_within_its_reach() {
        let pool: Arc<dyn MemoryPool> = Arc::new(HeadroomPool::new(1600));
        let sorter0 = MemoryConsumer::new("ExternalSorter[0]")
            .with_can_spill(true)
            .register(&pool);
        let sorter1 = MemoryConsumer::new("ExternalSorter[1]")
            .with_can_spill(true)
            .register(&pool);
        let merge1 = MemoryConsumer::new("ExternalSorterMerge[1]").register(&pool);
        merge1.try_grow(100).unwrap();
        // The spillers share 1,600 less the 100-byte headroom and the merge's 100.
        sorter1.try_grow(700).unwrap();
        sorter0.try_grow(700).unwrap();
        assert!(sorter0.try_grow(1).is_err(), "beyond its share");
        // The merge gives its bytes back to start spilling; the other sorter cannot take
        // them all, so the merge finds them again.
        merge1.free();
        assert!(sorter0.try_grow(51).is_err());
        sorter0.try_grow(50).unwrap();
        // What is left is at least the headroom, and only the merge may have it.
        merge1.try_grow(150).unwrap();
        let err = merge1.try_grow(1).unwrap_err().to_string();
        assert!(
            err.contains("for ExternalSorterMerge[1] with 150.0 B already allocated"),
            "{err}"
        );
        assert_eq!(pool.reserved(), 1600);
        drop((sorter0, sorter1, merge1));
        assert_eq!(pool.reserved(), 0);
    }

    #[test]
    fn a_lone_spiller_gets_all_but_the_headroom() {
        let pool: Arc<dyn MemoryPool> = Arc::new(HeadroomPool::new(1600));
        let sorter = MemoryConsumer::new("s")
            .with_can_spill(true)
            .register(&pool);
        sorter.try_grow(1500).unwrap();
        assert!(sorter.try_grow(1).is_err());
        let other = MemoryConsumer::new("u").register(&pool);
        other.try_grow(100).unwrap();
        assert!(other.try_grow(1).is_err());
    }
}
