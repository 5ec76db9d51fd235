//! The storage operations the lake relies on, checked on a local folder and on an object
//! store (object_store's in-memory one: the remote code path without a server).

use super::test_runtime as runtime;
use std::io::{Read, Write};

use super::{Entry, Location, StoreOptions, is_url};

/// The same checks on a local folder and on an in-memory object store (object_store's
/// `memory://`, the remote code path without a server).
fn exercise(root: &Location) {
    let a = root.join("t/date=2026-01-01/a.parquet");
    assert_eq!(a.read().unwrap(), None);
    assert!(!a.exists().unwrap());
    a.write_atomic(b"one").unwrap();
    assert_eq!(a.read().unwrap().as_deref(), Some(&b"one"[..]));
    a.write_atomic(b"two").unwrap();
    assert_eq!(a.read().unwrap().as_deref(), Some(&b"two"[..]));

    let marker = root.join("_markers/run-1");
    assert!(marker.create_new(b"x").unwrap());
    assert!(!marker.create_new(b"y").unwrap());
    assert_eq!(marker.read().unwrap().as_deref(), Some(&b"x"[..]));

    let mut w = root.join("_staging/b.parquet").writer().unwrap();
    let big = vec![7u8; 6 * 1024 * 1024 + 3];
    w.write_all(&big).unwrap();
    w.finish().unwrap();
    let staged = root.join("_staging/b.parquet");
    let moved = root.join("t/date=2026-01-02/b.parquet");
    assert!(staged.rename(&moved).unwrap());
    assert!(
        !staged.rename(&moved).unwrap(),
        "a second move finds nothing"
    );
    let mut back = Vec::new();
    moved.reader().unwrap().read_to_end(&mut back).unwrap();
    assert_eq!(back, big);

    // Completed now, made durable later (a local file's fsync waits): readable at once.
    let mut w = root.join("_staging/c.parquet").writer().unwrap();
    w.write_all(b"later").unwrap();
    let durability = w.complete().unwrap();
    assert_eq!(
        root.join("_staging/c.parquet").read().unwrap().as_deref(),
        Some(&b"later"[..])
    );
    durability.wait().unwrap();

    assert_eq!(
        root.join("t").list().unwrap(),
        vec![
            Entry {
                path: "date=2026-01-01/a.parquet".into(),
                size: 3
            },
            Entry {
                path: "date=2026-01-02/b.parquet".into(),
                size: big.len() as u64
            },
        ]
    );
    assert_eq!(
        root.join("t").folders().unwrap(),
        vec!["date=2026-01-01", "date=2026-01-02"]
    );
    assert!(root.join("nothing").list().unwrap().is_empty());
    a.delete().unwrap();
    a.delete().unwrap();
    root.join("t").delete_all().unwrap();
    assert!(root.join("t").list().unwrap().is_empty());
    assert_eq!(moved.name().as_deref(), Some("b.parquet"));
}

#[test]
fn a_local_folder_does_what_the_lake_needs() {
    let dir = tempfile::tempdir().unwrap();
    exercise(&Location::local(dir.path()));
}

#[test]
fn an_object_store_does_the_same_outside_a_runtime() {
    let rt = runtime();
    let options = StoreOptions::default().with_runtime(rt.handle().clone());
    let root = Location::parse("memory:///lake", &options).unwrap();
    assert!(root.is_remote());
    exercise(&root);
}

#[test]
fn an_object_store_does_the_same_inside_runtimes_of_both_flavours() {
    let rt = runtime();
    let options = StoreOptions::default().with_runtime(rt.handle().clone());
    rt.block_on(async {
        exercise(&Location::parse("memory:///lake", &options).unwrap());
    });
    let single = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    single.block_on(async {
        exercise(&Location::parse("memory:///lake", &options).unwrap());
    });
}

#[test]
fn plain_paths_and_file_urls_are_local() {
    let options = StoreOptions::default();
    for text in [
        "lake",
        "./lake",
        "/tmp/lake",
        "C:\\lake",
        "file:///tmp/lake",
    ] {
        let loc = Location::parse(text, &options).unwrap();
        assert!(loc.as_local().is_some(), "{text}");
    }
    assert!(is_url("az://c/p") && is_url("abfss://c@a.dfs.core.windows.net/p"));
    assert!(!is_url("C:\\x") && !is_url("a/b://c"));
}

#[test]
fn urls_name_their_store_and_prefix_without_secrets() {
    let rt = runtime();
    let options = StoreOptions::new([
        ("AZURE_STORAGE_ACCOUNT_NAME".to_owned(), "acct".to_owned()),
        (
            "AZURE_STORAGE_ACCOUNT_KEY".to_owned(),
            "c2VjcmV0".to_owned(),
        ),
    ])
    .with_runtime(rt.handle().clone());
    let loc = Location::parse("az://lake/t1", &options).unwrap();
    assert_eq!(loc.to_string(), "az://lake/t1");
    assert_eq!(loc.join("sign_ins/").table_url(), "az://lake/t1/sign_ins");
    assert!(!format!("{options:?}").contains("c2VjcmV0"));
    let e = Location::parse("az://lake/t1?sig=c2VjcmV0", &options).unwrap_err();
    assert!(e.to_string().contains("credentials in the URL"), "{e}");
    let none = Location::parse("az://lake/t1", &StoreOptions::default()).unwrap_err();
    assert!(none.to_string().contains("no runtime"), "{none}");
}
