//! How to reach object stores: the configuration keys object_store reads
//! (`azure_storage_account_name`, `aws_access_key_id`, …) and the runtime requests run on.
//! The CLI fills them from the environment; the library never reads it.

use std::fmt;

use tokio::runtime::Handle;

/// Object store configuration, given to every store a [`super::Location`] or the
/// [`super::Registry`] opens.
#[derive(Clone, Default)]
pub struct StoreOptions {
    pairs: Vec<(String, String)>,
    runtime: Option<Handle>,
}

impl StoreOptions {
    /// Options from `(key, value)` pairs; keys are object_store's configuration keys, in
    /// any case (`AZURE_STORAGE_ACCOUNT_KEY` and `azure_storage_account_key` are the same).
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> StoreOptions {
        StoreOptions {
            pairs: pairs
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
            runtime: None,
        }
    }

    /// The runtime remote requests run on (a multi-thread runtime that outlives the
    /// locations).
    #[must_use]
    pub fn with_runtime(mut self, runtime: Handle) -> StoreOptions {
        self.runtime = Some(runtime);
        self
    }

    pub(super) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    pub(super) fn runtime(&self) -> Option<&Handle> {
        self.runtime.as_ref()
    }

    /// The value of `key` (lower-case), if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for StoreOptions {
    /// The keys only: values may be secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreOptions")
            .field(
                "keys",
                &self.pairs.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("runtime", &self.runtime.is_some())
            .finish()
    }
}
