//! `SHA256SUMS`: the SHA-256 of every file `evaluate` wrote into the report folder, in
//! `sha256sum`'s format (`<64 hex digits><space><space><file name>`, one a line, sorted by
//! file name, itself not listed), so `sha256sum -c SHA256SUMS` checks a pack as well as
//! `mfaproof verify` does; and the check of a folder against it.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::difference::Difference;
use super::provenance::hex;
use super::{Error, Result};

/// The file's name in the report folder.
pub const FILE: &str = "SHA256SUMS";

/// Writes `SHA256SUMS` into `out` over `files` (all in `out`); returns its path.
pub fn write(out: &Path, files: &[PathBuf]) -> Result<PathBuf> {
    let mut lines: Vec<(String, String)> = Vec::with_capacity(files.len());
    for f in files {
        let name = file_name(f)?;
        lines.push((name, hash_file(f)?));
    }
    lines.sort();
    lines.dedup();
    let text: String = lines
        .iter()
        .map(|(name, hash)| format!("{hash}  {name}\n"))
        .collect();
    let path = out.join(FILE);
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// The SHA-256 of a file, read in blocks.
pub fn hash_file(path: &Path) -> Result<String> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn file_name(path: &Path) -> Result<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| pack(path, "a report file without a UTF-8 name"))
}

/// One line of `SHA256SUMS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub sha256: String,
    pub file: String,
}

/// Reads `dir/SHA256SUMS`. A line `sha256sum -c` would not read as a hash and a plain
/// file name of this folder (a path, `..`, an escaped name, a file listed twice) makes
/// the pack unreadable.
pub fn read(dir: &Path) -> Result<Vec<Entry>> {
    let path = dir.join(FILE);
    // Without its list the folder is not a pack `evaluate` wrote: the user named the
    // wrong folder (a usage error), not a failure of the check.
    let text = std::fs::read(&path).map_err(|e| pack(&path, &format!("cannot be read: {e}")))?;
    let text = String::from_utf8(text).map_err(|_| pack(&path, "not UTF-8 text"))?;
    let mut entries = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let bad = |why: &str| pack(&path, &format!("line {}: {why}", i + 1));
        let (hash, rest) = line
            .split_at_checked(64)
            .ok_or_else(|| bad("not `<sha256>  <file>`"))?;
        if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("not a SHA-256 in hex"));
        }
        let file = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))
            .ok_or_else(|| bad("not `<sha256>  <file>`"))?;
        let plain = !file.is_empty()
            && !file.contains(['/', '\\'])
            && file != "."
            && file != ".."
            && file != FILE;
        if !plain {
            return Err(bad(&format!(
                "{file:?} is not a file name of the report folder"
            )));
        }
        if !seen.insert(file.to_owned()) {
            return Err(bad(&format!("{file} is listed twice")));
        }
        entries.push(Entry {
            sha256: hash.to_ascii_lowercase(),
            file: file.to_owned(),
        });
    }
    Ok(entries)
}

/// Checks the folder against its `SHA256SUMS`: every listed file present with its hash,
/// `report.json` listed, and no other entry in the folder. Returns the differences, in
/// the list's order, then the extra entries by name.
pub fn check(dir: &Path, entries: &[Entry]) -> Result<Vec<Difference>> {
    let mut differences = Vec::new();
    if !entries.iter().any(|e| e.file == super::REPORT_JSON) {
        differences.push(Difference::Unlisted(super::REPORT_JSON.to_owned()));
    }
    for e in entries {
        let path = dir.join(&e.file);
        if !path.is_file() {
            differences.push(Difference::Missing(e.file.clone()));
        } else if hash_file(&path)? != e.sha256 {
            differences.push(Difference::Changed(e.file.clone()));
        }
    }
    let listed: BTreeSet<&str> = entries.iter().map(|e| e.file.as_str()).collect();
    let mut extra = Vec::new();
    for item in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let item = item.map_err(|e| Error::io(dir, e))?;
        let name = item.file_name().to_string_lossy().into_owned();
        if name != FILE && !listed.contains(name.as_str()) {
            extra.push(name);
        }
    }
    extra.sort();
    differences.extend(extra.into_iter().map(Difference::Extra));
    Ok(differences)
}

/// An unreadable pack: the file and why.
fn pack(path: &Path, reason: &str) -> Error {
    Error::Pack {
        file: path.to_path_buf(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sha256sum_format_sorted_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("b.csv");
        let a = dir.path().join("a.json");
        std::fs::write(&b, "").unwrap();
        std::fs::write(&a, "abc").unwrap();
        let path = write(dir.path(), &[b, a]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.json\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  b.csv\n"
        );
        let entries = read(dir.path()).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            check(dir.path(), &entries).unwrap(),
            [Difference::Unlisted("report.json".into())]
        );
    }

    #[test]
    fn lines_sha256sum_would_not_read_make_the_pack_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        for (text, said) in [
            ("abc  x\n", "line 1: not `<sha256>  <file>`"),
            (&format!("{hash} x\n"), "line 1: not `<sha256>  <file>`"),
            (
                &format!("{hash}  ../x\n"),
                "line 1: \"../x\" is not a file name of the report folder",
            ),
            (
                &format!("{hash}  x\n{hash} *x\n"),
                "line 2: x is listed twice",
            ),
        ] {
            std::fs::write(dir.path().join(FILE), text).unwrap();
            match read(dir.path()) {
                Err(Error::Pack { reason, .. }) => assert_eq!(reason, said),
                other => panic!("{text}: {other:?}"),
            }
        }
        std::fs::write(
            dir.path().join(FILE),
            format!("{}  x\n", hash.to_uppercase()),
        )
        .unwrap();
        assert_eq!(read(dir.path()).unwrap()[0].sha256, hash);
    }
}
