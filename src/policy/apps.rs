//! Which resources a policy's application list names: `All`, `None`, an application id,
//! or the app groups `Office365` and `MicrosoftAdminPortals`, whose resource ids are data
//! (`queries/vocabulary/app_groups.csv`).

use std::collections::HashSet;
use std::sync::LazyLock;

use super::json::norm;

/// The embedded app-group list: `app_group,app_id,app_name`, `#` comment lines.
pub const APP_GROUPS_CSV: &str = include_str!("../../queries/vocabulary/app_groups.csv");

/// (group word, app id), both normalised.
static GROUPS: LazyLock<HashSet<(String, String)>> = LazyLock::new(|| read_groups(APP_GROUPS_CSV));

/// The app-group pairs of `text`. The file is embedded and checked by a test, so a row it
/// cannot read is left out rather than failing every policy.
fn read_groups(text: &str) -> HashSet<(String, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| Some((norm(r.get(0)?), norm(r.get(1)?))))
        .collect()
}

/// Whether a normalised application-list entry names the resource `resource` (normalised;
/// `None` when the sign-in has no resource id, which only `All` names).
pub fn names(entry: &str, resource: Option<&str>) -> bool {
    match entry {
        "all" => true,
        "none" => false,
        _ => resource
            .is_some_and(|r| entry == r || GROUPS.contains(&(entry.to_owned(), r.to_owned()))),
    }
}

/// Whether any entry of `list` names `resource`.
pub fn any_names(list: &[String], resource: Option<&str>) -> bool {
    list.iter().any(|e| names(e, resource))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_reads_whole() {
        let rows = APP_GROUPS_CSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("app_group"))
            .count();
        assert_eq!(read_groups(APP_GROUPS_CSV).len(), rows);
        assert!(rows > 20);
        assert!(APP_GROUPS_CSV.lines().next().unwrap().starts_with("# "));
    }

    #[test]
    fn groups_all_none_and_ids() {
        let exo = Some("00000002-0000-0ff1-ce00-000000000000");
        let portal = Some("c44b4083-3bb0-49c1-b47d-974e53cbdf3c");
        assert!(names("office365", exo));
        assert!(!names("office365", portal));
        assert!(names("microsoftadminportals", portal));
        assert!(names("all", None));
        assert!(!names("none", exo));
        assert!(!names("office365", None));
        assert!(names("00000002-0000-0ff1-ce00-000000000000", exo));
        assert!(!any_names(&["none".into(), "x".into()], exo));
    }
}
