//! Inputs from an object store (object_store's in-memory store: the remote code path
//! without a server), read as the same files on disk are.

use crate::storage::test_runtime as runtime;
use std::io::Write;
use std::path::Path;

use super::*;
use crate::ingest::{IngestOptions, Quiet, ingest};
use crate::storage::StoreOptions;

const BLOB: &str = "insights-logs-signinlogs/tenantId=0e35ee7a-425d-45a5-9013-218c1eae8fd4/y=2026/m=11/d=03/h=08/m=00/PT1H.json";

/// A prefix of a fresh in-memory store (every parse is a new, empty store).
fn store(rt: &tokio::runtime::Runtime) -> Location {
    let options = StoreOptions::default().with_runtime(rt.handle().clone());
    Location::parse("memory:///exports", &options).unwrap()
}

fn names(files: &[InputFile]) -> Vec<&str> {
    files.iter().map(|f| f.name.as_str()).collect()
}

#[test]
fn a_prefix_is_listed_in_the_order_a_folder_is_walked() {
    let rt = runtime();
    let root = store(&rt);
    for path in ["a-b/x.json", "a/x.json", "a/notes.txt", BLOB] {
        root.join(path).write_atomic(b"{}\n").unwrap();
    }
    let (files, skipped) = expand(std::slice::from_ref(&root)).unwrap();
    // By path segment, as a folder walk sorts: `a/` before `a-b/`, whatever '-' < '/'.
    assert_eq!(
        names(&files),
        [
            "memory:///exports/a/x.json",
            "memory:///exports/a-b/x.json",
            &format!("memory:///exports/{BLOB}"),
        ]
    );
    assert!(files.iter().all(|f| !f.explicit));
    assert_eq!(files[2].size(), 3);
    assert_eq!(skipped, ["memory:///exports/a/notes.txt"]);
}

#[test]
fn a_url_naming_one_object_is_that_input_and_an_empty_prefix_is_unreadable() {
    let rt = runtime();
    let root = store(&rt);
    root.join(BLOB).write_atomic(b"{}\n").unwrap();
    let one = root.join(BLOB);
    let (files, skipped) = expand(&[one]).unwrap();
    assert_eq!(names(&files), [format!("memory:///exports/{BLOB}")]);
    assert!(files[0].explicit && skipped.is_empty());
    assert!(
        files[0].sibling("x.csv").is_none(),
        "nothing beside it was listed"
    );

    let Err(Error::Input { file, reason }) = expand(&[root.join("nothing")]) else {
        panic!("an empty prefix is an unreadable input");
    };
    assert_eq!(file, "memory:///exports/nothing");
    assert_eq!(reason, "no object there, nor below it");
}

#[test]
fn a_listed_objects_sibling_is_beside_it() {
    let rt = runtime();
    let root = store(&rt);
    root.join("portal/Sign-ins.csv").write_atomic(b"a").unwrap();
    let (files, _) = expand(std::slice::from_ref(&root)).unwrap();
    let sibling = files[0].sibling("Sign-ins_AuthDetails.csv").unwrap();
    assert_eq!(
        sibling.name,
        "memory:///exports/portal/Sign-ins_AuthDetails.csv"
    );
    assert!(!sibling.exists().unwrap());
    assert!(files[0].exists().unwrap());
}

#[test]
fn a_zip_in_an_object_store_is_read_entry_by_entry() {
    let rt = runtime();
    let root = store(&rt);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in [("b.json", "B"), ("a.json", "A"), ("c.txt", "C")] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    root.join("export.zip").write_atomic(&bytes).unwrap();
    let (files, _) = expand(std::slice::from_ref(&root)).unwrap();
    let content = files[0].content().unwrap();
    let mut seen = Vec::new();
    let counter = Arc::new(AtomicU64::new(0));
    each_stream(&content, &files[0].name, &counter, &mut |name, reader| {
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        seen.push(format!("{name}={text}"));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        seen,
        [
            "memory:///exports/export.zip!a.json=A",
            "memory:///exports/export.zip!b.json=B"
        ]
    );
}

/// The Azure Monitor samples uploaded to a store and ingested from it: the same runs,
/// counts and hashes as from disk, the inputs named by their URLs; a second ingest finds
/// them all already ingested.
#[test]
fn an_export_tree_ingests_from_a_store_as_from_disk() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/azure-monitor");
    let rt = runtime();
    let root = store(&rt);
    let (local, _) = expand(&[Location::local(&samples)]).unwrap();
    for f in &local {
        let rel = f
            .name
            .strip_prefix(&format!("{}/", samples.display()))
            .unwrap();
        let bytes = std::fs::read(&f.name).unwrap();
        root.join(rel).write_atomic(&bytes).unwrap();
    }
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let options = IngestOptions::default();
    let disk = ingest(a.path(), &[Location::local(&samples)], &options, &mut Quiet).unwrap();
    let remote = ingest(b.path(), std::slice::from_ref(&root), &options, &mut Quiet).unwrap();
    assert_eq!(
        serde_json::to_value(&remote.counts).unwrap(),
        serde_json::to_value(&disk.counts).unwrap()
    );
    assert_eq!(remote.duplicates_dropped, disk.duplicates_dropped);
    let outcomes = |s: &crate::ingest::Summary, base: &str| {
        s.inputs
            .iter()
            .map(|i| {
                let rel = i.path.strip_prefix(base).unwrap().to_owned();
                (rel, i.status, i.sha256.clone(), i.counts.records)
            })
            .collect::<Vec<_>>()
    };
    let disk_base = format!("{}/", samples.display());
    assert_eq!(
        outcomes(&remote, "memory:///exports/"),
        outcomes(&disk, &disk_base)
    );
    assert_eq!(remote.inputs.len(), 7);
    let again = ingest(b.path(), std::slice::from_ref(&root), &options, &mut Quiet).unwrap();
    assert!(
        again.inputs.iter().all(|i| i.status == "already-ingested"),
        "{:?}",
        again.inputs
    );
}
