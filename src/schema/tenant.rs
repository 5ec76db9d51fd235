//! Tenant ids: the Entra tenant a record belongs to is a key of every lake table and the
//! name of a partition folder (`tenant_id=<tid>`), so it is kept in one form — trimmed and
//! lower-cased — and only of characters that are safe in a path and a hive partition
//! value (ASCII letters, digits and `-`: every Entra tenant id is a GUID).

/// The longest tenant id accepted (a GUID is 36 characters).
const MAX_LEN: usize = 64;

/// `raw` in the lake's form: trimmed of Unicode white space and lower-cased; an error
/// saying why it cannot be a tenant id (empty, too long, a character other than ASCII
/// letters, digits and `-`).
pub fn normalise(raw: &str) -> Result<String, String> {
    let t = raw.trim().to_ascii_lowercase();
    if t.is_empty() {
        return Err("an empty tenant id".into());
    }
    if t.len() > MAX_LEN {
        return Err(format!(
            "tenant id {:?} is longer than {MAX_LEN} characters",
            raw.trim()
        ));
    }
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "tenant id {:?} holds {c:?} (a tenant id is a GUID: letters, digits and -)",
            raw.trim()
        ));
    }
    Ok(t)
}

/// The reason a record that says it belongs to `carried` is not ingested as the tenant
/// `given` for its input (`ingest --tenant`, a pull's tenant), or `None` when they agree.
pub fn mismatch(carried: &str, given: Option<&str>) -> Option<String> {
    match given {
        Some(given) if given != carried => Some(format!(
            "the record belongs to tenant {carried}, not to the tenant {given} given for this input"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalise(" 0E35EE7A-425D-45A5-9013-218C1EAE8FD4\u{a0}").unwrap(),
            "0e35ee7a-425d-45a5-9013-218c1eae8fd4"
        );
    }

    #[test]
    fn what_cannot_name_a_folder_is_refused() {
        assert_eq!(normalise("  ").unwrap_err(), "an empty tenant id");
        assert_eq!(
            normalise("a/../b").unwrap_err(),
            "tenant id \"a/../b\" holds '/' (a tenant id is a GUID: letters, digits and -)"
        );
        assert!(normalise("x=y").is_err());
        assert!(normalise(&"a".repeat(65)).is_err());
    }

    #[test]
    fn a_mismatch_names_both_tenants() {
        assert_eq!(mismatch("a", Some("a")), None);
        assert_eq!(mismatch("a", None), None);
        assert_eq!(
            mismatch("a", Some("b")).unwrap(),
            "the record belongs to tenant a, not to the tenant b given for this input"
        );
    }
}
