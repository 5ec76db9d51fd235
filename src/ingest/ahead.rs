//! Each input fetched and hashed one input ahead of the one being read, on a thread of
//! its own.
//!
//! Whether an input is already in the lake is known only from its SHA-256, so it is
//! hashed before it is read: a whole pass over its bytes. Done on the reading thread,
//! that pass left the other core idle between inputs (about a tenth of a 1M ingest's
//! wall time). Here a helper thread fetches the next input (an object is downloaded once)
//! and hashes it while the current one is read; the reading thread then finds its
//! content and digest ready, in the same order and with the same errors as before.

use std::sync::mpsc::sync_channel;

use super::content::Content;
use super::input::InputFile;
use super::{Error, Result};

/// One input, fetched and hashed.
pub enum Prepared {
    /// Its bytes, and their SHA-256 (hex) and size or why they could not be read.
    Fetched(Content, Result<(String, u64)>),
    /// It could not be fetched (so it was not hashed).
    Unfetched(Error),
}

fn prepare(file: &InputFile) -> Prepared {
    match file.content() {
        Ok(content) => {
            let digest = content.sha256(&file.name);
            Prepared::Fetched(content, digest)
        }
        Err(e) => Prepared::Unfetched(e),
    }
}

/// Runs `body` over `files`, each with its preparation, in order; the helper prepares
/// one input ahead of the one `body` holds, so at most two inputs' contents exist at once
/// (an object's is held in memory up to [`super::content::IN_MEMORY_BYTES`], else spooled
/// to a temporary file). When `body` returns early the helper stops after the input it
/// is preparing. A panic of the helper is the caller's once `body` returns.
pub fn with_prepared<'f, T>(
    files: &[&'f InputFile],
    body: impl FnOnce(&mut dyn Iterator<Item = (&'f InputFile, Prepared)>) -> T,
) -> T {
    std::thread::scope(|scope| {
        // A rendezvous: the helper prepares the next input, then waits for it to be taken.
        let (tx, rx) = sync_channel(0);
        scope.spawn(move || {
            for file in files {
                if tx.send(prepare(file)).is_err() {
                    return; // the reader stopped
                }
            }
        });
        body(&mut files.iter().copied().zip(rx))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::input::expand;
    use crate::storage::Location;

    #[test]
    fn inputs_arrive_in_order_with_their_digests_and_a_missing_one_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [("a.json", "A"), ("c.json", "CCC")] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let (found, _) = expand(&[Location::from(dir.path())]).unwrap();
        let missing = found[0].sibling("b.json").unwrap();
        let files = [&found[0], &missing, &found[1]];
        let got: Vec<Prepared> = with_prepared(&files, |ahead| ahead.map(|(_, p)| p).collect());
        assert_eq!(got.len(), 3);
        let sha = |s: &str| crate::ingest::input::sha256_bytes(s.as_bytes());
        let digest = |p: &Prepared| match p {
            Prepared::Fetched(_, Ok(d)) => Ok(d.clone()),
            Prepared::Fetched(_, Err(e)) | Prepared::Unfetched(e) => Err(e.to_string()),
        };
        assert_eq!(digest(&got[0]), Ok((sha("A"), 1)));
        let Err(reason) = digest(&got[1]) else {
            panic!("a missing file has no digest");
        };
        assert!(reason.contains("b.json"), "{reason}");
        assert_eq!(digest(&got[2]), Ok((sha("CCC"), 3)));
    }

    #[test]
    fn a_reader_that_stops_early_stops_the_helper() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::write(dir.path().join(format!("{i}.json")), "x").unwrap();
        }
        let (found, _) = expand(&[Location::from(dir.path())]).unwrap();
        let files: Vec<&InputFile> = found.iter().collect();
        // Returns (and so joins the helper) with four inputs never taken.
        let first = with_prepared(&files, |ahead| ahead.next().map(|(f, _)| f.name.clone()));
        assert_eq!(first, Some(found[0].name.clone()));
    }
}
