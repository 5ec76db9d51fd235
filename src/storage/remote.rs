//! A location in an object store, reached through object_store; each request runs on the
//! runtime the options name and the caller waits for it.

use std::future::Future;
use std::io::Read;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, WriteMultipart};
use tokio::runtime::Handle;
use url::Url;

use super::{Entry, Error, ObjectWriter, Result, StoreOptions, WriterKind};

/// Parts uploading at once per writer: bounds the memory of a large upload.
const UPLOADS_IN_FLIGHT: usize = 4;

#[derive(Clone)]
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    /// `scheme://authority`, without a trailing slash.
    base: String,
    prefix: ObjPath,
    runtime: Handle,
    /// What the store was opened with: a DataFusion session over this location opens
    /// its stores with the same.
    options: StoreOptions,
}

impl Remote {
    pub fn open(text: &str, options: &StoreOptions) -> Result<Remote> {
        let bad = |reason: String| Error::Url {
            url: text.to_owned(),
            reason,
        };
        let url = Url::parse(text).map_err(|e| bad(e.to_string()))?;
        if url.query().is_some() || !url.password().unwrap_or_default().is_empty() {
            // A SAS token or key in the URL would be printed wherever the URL is.
            return Err(bad(
                "credentials in the URL are not accepted: give them in the environment".into(),
            ));
        }
        let runtime = options
            .runtime()
            .cloned()
            .ok_or_else(|| bad("no runtime to reach the object store on".into()))?;
        let (store, prefix) = {
            let _inside = runtime.enter();
            object_store::parse_url_opts(&url, options.pairs().iter().cloned())
                .map_err(|e| bad(e.to_string()))?
        };
        Ok(Remote {
            store: Arc::from(store),
            base: base_of(&url),
            prefix,
            runtime,
            options: options.clone(),
        })
    }

    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    pub fn join(&self, rel: &str) -> Remote {
        let prefix = rel
            .split('/')
            .filter(|s| !s.is_empty())
            .fold(self.prefix.clone(), |acc, s| acc.clone().join(s));
        Remote {
            prefix,
            ..self.clone()
        }
    }

    pub fn name(&self) -> Option<String> {
        self.prefix.filename().map(str::to_owned)
    }

    pub fn url(&self) -> String {
        if self.prefix.as_ref().is_empty() {
            format!("{}/", self.base)
        } else {
            format!("{}/{}", self.base, self.prefix)
        }
    }

    fn failed(&self, source: object_store::Error) -> Error {
        Error::Store {
            url: self.url(),
            source,
        }
    }

    pub fn read(&self) -> Result<Option<Vec<u8>>> {
        let got = wait(&self.runtime, async {
            match self.store.get(&self.prefix).await {
                Ok(r) => r.bytes().await.map(Some),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        });
        got.map(|b| b.map(|b| b.to_vec()))
            .map_err(|e| self.failed(e))
    }

    pub fn put(&self, bytes: &[u8]) -> Result<()> {
        let payload = PutPayload::from(Bytes::copy_from_slice(bytes));
        wait(&self.runtime, self.store.put(&self.prefix, payload))
            .map(|_| ())
            .map_err(|e| self.failed(e))
    }

    pub fn create_new(&self, bytes: &[u8]) -> Result<bool> {
        let payload = PutPayload::from(Bytes::copy_from_slice(bytes));
        let opts = PutOptions::from(PutMode::Create);
        match wait(
            &self.runtime,
            self.store.put_opts(&self.prefix, payload, opts),
        ) {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            Err(e) => Err(self.failed(e)),
        }
    }

    pub fn delete(&self) -> Result<()> {
        match wait(&self.runtime, self.store.delete(&self.prefix)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }

    pub fn delete_all(&self) -> Result<()> {
        for entry in self.list()? {
            self.join(&entry.path).delete()?;
        }
        Ok(())
    }

    pub fn rename(&self, to: &Remote) -> Result<bool> {
        match wait(&self.runtime, self.store.rename(&self.prefix, &to.prefix)) {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.failed(e)),
        }
    }

    pub fn exists(&self) -> Result<bool> {
        match wait(&self.runtime, self.store.head(&self.prefix)) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.failed(e)),
        }
    }

    fn listed_prefix(&self) -> Option<&ObjPath> {
        (!self.prefix.as_ref().is_empty()).then_some(&self.prefix)
    }

    pub fn list(&self) -> Result<Vec<Entry>> {
        let metas = wait(&self.runtime, async {
            let mut out = Vec::new();
            let mut stream = self.store.list(self.listed_prefix());
            while let Some(meta) = stream.next().await {
                out.push(meta?);
            }
            Ok::<_, object_store::Error>(out)
        })
        .map_err(|e| self.failed(e))?;
        let skip = self.prefix.parts().count();
        Ok(metas
            .into_iter()
            .map(|m| Entry {
                path: m
                    .location
                    .parts()
                    .skip(skip)
                    .map(|p| p.as_ref().to_owned())
                    .collect::<Vec<_>>()
                    .join("/"),
                size: m.size,
            })
            .collect())
    }

    pub fn folders(&self) -> Result<Vec<String>> {
        let listed = wait(
            &self.runtime,
            self.store.list_with_delimiter(self.listed_prefix()),
        )
        .map_err(|e| self.failed(e))?;
        Ok(listed
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_owned))
            .collect())
    }

    pub fn read_ranges(&self, ranges: &[std::ops::Range<u64>]) -> Result<Vec<Bytes>> {
        wait(&self.runtime, self.store.get_ranges(&self.prefix, ranges)).map_err(|e| self.failed(e))
    }

    pub fn size(&self) -> Result<Option<u64>> {
        match wait(&self.runtime, self.store.head(&self.prefix)) {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.failed(e)),
        }
    }

    pub fn files(&self) -> Result<Vec<Entry>> {
        let listed = wait(
            &self.runtime,
            self.store.list_with_delimiter(self.listed_prefix()),
        )
        .map_err(|e| self.failed(e))?;
        Ok(listed
            .objects
            .into_iter()
            .filter_map(|m| {
                let name = m.location.filename()?.to_owned();
                Some(Entry {
                    path: name,
                    size: m.size,
                })
            })
            .collect())
    }

    pub fn reader(&self) -> Result<Box<dyn Read + Send>> {
        let got = wait(&self.runtime, self.store.get(&self.prefix)).map_err(|e| self.failed(e))?;
        Ok(Box::new(StreamReader {
            stream: got.into_stream(),
            chunk: Bytes::new(),
            runtime: self.runtime.clone(),
            url: self.url(),
        }))
    }

    pub fn writer(&self) -> Result<ObjectWriter> {
        let upload = wait(&self.runtime, self.store.put_multipart(&self.prefix))
            .map_err(|e| self.failed(e))?;
        Ok(ObjectWriter {
            inner: WriterKind::Remote(UploadWriter {
                upload: WriteMultipart::new_with_chunk_size(upload, PART_BYTES),
                pending: Vec::new(),
                runtime: self.runtime.clone(),
                url: self.url(),
            }),
        })
    }
}

/// `scheme://authority` of `url` (with the user part, the container of an `abfss` URL).
fn base_of(url: &Url) -> String {
    let mut base = format!("{}://", url.scheme());
    if !url.username().is_empty() {
        base.push_str(url.username());
        base.push('@');
    }
    base.push_str(url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        base.push_str(&format!(":{port}"));
    }
    base
}

/// Runs `fut` on `runtime` and waits for it, from any thread. Inside a runtime (async code
/// calling the synchronous lake) it waits on a scoped thread of its own: tokio forbids
/// blocking a thread that drives a runtime, and `block_in_place` panics on the thread of a
/// `Runtime::block_on`. Callers batch their requests (a MiB a read, a part a write), so a
/// thread per wait costs little.
pub fn wait<F>(runtime: &Handle, fut: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if Handle::try_current().is_err() {
        return runtime.block_on(fut);
    }
    std::thread::scope(|s| match s.spawn(|| runtime.block_on(fut)).join() {
        Ok(out) => out,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// Bytes a streamed read fetches per wait.
const READ_BATCH: usize = 1 << 20;

/// An object's bytes read as its download streams in.
struct StreamReader {
    stream: BoxStream<'static, object_store::Result<Bytes>>,
    chunk: Bytes,
    runtime: Handle,
    url: String,
}

impl Read for StreamReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.chunk.is_empty() {
            let stream = &mut self.stream;
            let batch = wait(&self.runtime, async move {
                let mut batch = Vec::new();
                while batch.len() < READ_BATCH {
                    match stream.next().await {
                        None => break,
                        Some(chunk) => batch.extend_from_slice(&chunk?),
                    }
                }
                Ok::<_, object_store::Error>(batch)
            })
            .map_err(|e| std::io::Error::other(format!("{}: {e}", self.url)))?;
            self.chunk = Bytes::from(batch);
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// A multipart upload written through `std::io::Write`; the object appears whole when
/// [`UploadWriter::finish`] completes it, never before.
pub struct UploadWriter {
    upload: WriteMultipart,
    /// Bytes not yet handed to the upload: it gets whole parts, so the wait for upload
    /// capacity happens once a part, not once a (small) write.
    pending: Vec<u8>,
    runtime: Handle,
    url: String,
}

/// Bytes of one uploaded part (S3's minimum is 5 MiB).
const PART_BYTES: usize = 8 << 20;

impl UploadWriter {
    pub fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= PART_BYTES {
            self.hand_over()
                .map_err(|e| std::io::Error::other(format!("{}: {e}", self.url)))?;
        }
        Ok(buf.len())
    }

    fn hand_over(&mut self) -> object_store::Result<()> {
        {
            // Full parts start uploading in tasks spawned on the runtime.
            let _inside = self.runtime.enter();
            self.upload.write(&self.pending);
        }
        self.pending.clear();
        let upload = &mut self.upload;
        wait(&self.runtime, upload.wait_for_capacity(UPLOADS_IN_FLIGHT))
    }

    pub fn finish(mut self) -> Result<()> {
        let handed = self.hand_over();
        let UploadWriter {
            upload,
            runtime,
            url,
            ..
        } = self;
        let finished = handed.and_then(|()| {
            let _inside = runtime.enter();
            wait(&runtime, upload.finish()).map(|_| ())
        });
        finished.map_err(|source| Error::Store { url, source })
    }
}
