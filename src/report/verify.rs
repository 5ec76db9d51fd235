//! `mfaproof verify`: a report folder checked against its `SHA256SUMS` (`sums`), and, with
//! the lake, evaluated again with the options `report.json` records and compared figure by
//! figure. What may differ between the two evaluations is only what says when and where
//! the report was made — `generated_at`, `lake` and `tool` — which are taken from the pack
//! before comparing: `report.json` must then be equal byte for byte (the first difference
//! is named by its JSON path), every CSV file equal, and `report.md` and `report.html`
//! equal to their rendering of the new report.

use std::path::Path;

use serde_json::Value;

use super::difference::{Difference, first_json_difference, first_line_difference};
use super::options::{Options, Recorded};
use super::provenance::Tool;
use super::sums::Entry;
use super::{Error, REPORT_JSON, Report, Result, evaluate, html, markdown, write_json_text};
use crate::evidence::Engine;
use crate::storage::Location;

/// Evaluates `lake` again into `scratch` (an empty folder) with the options the pack's
/// `report.json` records, and compares every file of the pack (`entries`, already checked
/// against their hashes) with the new evaluation's: the differences, `report.json` first,
/// then the other files by name, at most one per file (its first).
pub async fn against_lake(
    dir: &Path,
    entries: &[Entry],
    lake: &Location,
    scratch: &Path,
    engine: Engine,
) -> Result<Vec<Difference>> {
    let json_path = dir.join(REPORT_JSON);
    let text = std::fs::read(&json_path).map_err(|e| Error::io(&json_path, e))?;
    let pack: Value = serde_json::from_slice(&text)
        .map_err(|e| unreadable(&json_path, &format!("not JSON: {e}")))?;
    let recorded: Recorded = serde_json::from_value(pack["options"].clone()).map_err(|e| {
        unreadable(
            &json_path,
            &format!("no options recorded to evaluate again ({e})"),
        )
    })?;
    let opts = Options::from_recorded(recorded, engine);
    let mut outcome = evaluate(lake, scratch, &opts).await?;
    let report = as_in_pack(&mut outcome.report, &pack);
    let mut differences = Vec::new();
    let again = write_json_text(report, &json_path)?;
    if again.as_bytes() != text.as_slice() {
        let again: Value = serde_json::from_str(&again)
            .map_err(|e| unreadable(&json_path, &format!("not JSON: {e}")))?;
        differences.push(
            first_json_difference(&pack, &again, "$").unwrap_or_else(|| {
                let text = String::from_utf8_lossy(&text);
                first_line_difference(REPORT_JSON, &text, &again.to_string())
            }),
        );
    }
    let mut written: Vec<String> = outcome
        .files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| n != super::sums::FILE && n != REPORT_JSON)
        .collect();
    written.sort();
    for e in entries.iter().filter(|e| e.file != REPORT_JSON) {
        if !written.contains(&e.file) {
            differences.push(Difference::NotRewritten(e.file.clone()));
            continue;
        }
        let pack_file = dir.join(&e.file);
        let ours = std::fs::read(&pack_file).map_err(|e| Error::io(&pack_file, e))?;
        let theirs = match e.file.as_str() {
            "report.md" => markdown::render(report).into_bytes(),
            "report.html" => html::render(report)
                .map_err(|e| Error::io(&pack_file, std::io::Error::other(e.to_string())))?
                .into_bytes(),
            _ => {
                let path = scratch.join(&e.file);
                std::fs::read(&path).map_err(|e| Error::io(&path, e))?
            }
        };
        if ours != theirs {
            let (a, b) = (
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
            );
            differences.push(first_line_difference(&e.file, &a, &b));
        }
    }
    for name in written {
        if !entries.iter().any(|e| e.file == name) {
            differences.push(Difference::NotInPack(name));
        }
    }
    Ok(differences)
}

/// The new report with what says when, where and by which build it was made taken from
/// the pack (`generated_at`, `lake`, `tool`), so everything else can be compared.
fn as_in_pack<'a>(report: &'a mut Report, pack: &Value) -> &'a Report {
    if let Some(at) = pack["generated_at"].as_str() {
        at.clone_into(&mut report.generated_at);
    }
    if let Some(lake) = pack["lake"].as_str() {
        lake.clone_into(&mut report.lake);
    }
    if let Ok(tool) = serde_json::from_value::<Tool>(pack["tool"].clone()) {
        report.tool = tool;
    }
    report
}

fn unreadable(path: &Path, reason: &str) -> Error {
    Error::Pack {
        file: path.to_path_buf(),
        reason: reason.to_owned(),
    }
}
