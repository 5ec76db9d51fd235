//! The object stores of a DataFusion session: one per `scheme://authority`, opened the
//! first time a table or file URL names it, with the same options as the lake's
//! locations. Executors of a cluster build the same registry, so every process resolves
//! the same URLs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::execution::object_store::ObjectStoreRegistry;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use url::Url;

use super::StoreOptions;

/// Opens stores on demand from [`StoreOptions`].
#[derive(Debug)]
pub struct Registry {
    options: StoreOptions,
    stores: Mutex<HashMap<String, Arc<dyn ObjectStore>>>,
}

impl Registry {
    pub fn new(options: StoreOptions) -> Registry {
        Registry {
            options,
            stores: Mutex::new(HashMap::new()),
        }
    }
}

fn key(url: &Url) -> String {
    format!(
        "{}://{}",
        url.scheme(),
        &url[url::Position::BeforeUsername..url::Position::AfterPort]
    )
}

impl ObjectStoreRegistry for Registry {
    fn register_store(
        &self,
        url: &Url,
        store: Arc<dyn ObjectStore>,
    ) -> Option<Arc<dyn ObjectStore>> {
        self.stores
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key(url), store)
    }

    fn get_store(&self, url: &Url) -> DfResult<Arc<dyn ObjectStore>> {
        let key = key(url);
        let mut stores = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(store) = stores.get(&key) {
            return Ok(Arc::clone(store));
        }
        let store: Arc<dyn ObjectStore> = if url.scheme() == "file" {
            Arc::new(LocalFileSystem::new())
        } else {
            let _inside = self.options.runtime().map(tokio::runtime::Handle::enter);
            let (store, _) =
                object_store::parse_url_opts(url, self.options.pairs().iter().cloned())
                    .map_err(|e| DataFusionError::External(Box::new(e)))?;
            Arc::from(store)
        };
        stores.insert(key, Arc::clone(&store));
        Ok(store)
    }
}
