//! Graph conditional access bodies → records: `identity/conditionalAccess/policies` and
//! `identity/conditionalAccess/namedLocations` (input-formats §7). The rules read a
//! definition whole, so each row keeps the object's JSON text (`definition`, re-serialised
//! after the repeated-key rule) beside the few columns that identify it.

use std::io::BufRead;

use chrono::{DateTime, Utc};

use super::graph_object::{self, Object};
use super::sink::Sink;
use crate::schema::{CaPolicy, DirectoryRecord, NamedLocation};
use crate::sources::Result;

type At = Option<DateTime<Utc>>;

/// Reads a conditional access policies body.
pub fn read_policies(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    graph_object::read(input, sink, policy)
}

/// Reads a named locations body.
pub fn read_named_locations(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    graph_object::read(input, sink, named_location)
}

fn policy(o: &Object, snapshot_at: At) -> Result<DirectoryRecord, String> {
    Ok(DirectoryRecord::CaPolicy(CaPolicy {
        policy_id: o.key("id")?,
        display_name: o.text("displayName")?,
        state: o.text("state")?,
        created_at: o.time("createdDateTime")?,
        modified_at: o.time("modifiedDateTime")?,
        snapshot_at,
        definition: o.compact(),
    }))
}

fn named_location(o: &Object, snapshot_at: At) -> Result<DirectoryRecord, String> {
    Ok(DirectoryRecord::NamedLocation(NamedLocation {
        location_id: o.key("id")?,
        display_name: o.text("displayName")?,
        odata_type: o.text("@odata.type")?,
        created_at: o.time("createdDateTime")?,
        modified_at: o.time("modifiedDateTime")?,
        snapshot_at,
        definition: o.compact(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Record;
    use crate::sources::test_sink::Collect;

    fn policies(c: &Collect) -> Vec<&CaPolicy> {
        c.records
            .iter()
            .map(|(_, r)| match r {
                Record::Directory(d) => match &**d {
                    DirectoryRecord::CaPolicy(p) => p,
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_policy_keeps_its_whole_definition_after_the_repeated_key_rule() {
        let page = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies","value":[
            {"id":" p1 ","displayName":"Require MFA","state":"enabled","state":"enabledForReportingButNotEnforced",
             "createdDateTime":"2026-01-01T00:00:00Z","modifiedDateTime":null,
             "conditions":{"users":{"includeUsers":["All"],"excludeUsers":["u9"]}},
             "grantControls":{"operator":"OR","builtInControls":["mfa"]},"futureKey":{"x":1}},
            {"displayName":"no id","conditions":{}},
            {"id":"p3","createdDateTime":"last week"}
        ]}"#;
        let c = Collect::text(page, read_policies).unwrap();
        let p = policies(&c);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].policy_id, " p1 ", "kept as given");
        assert_eq!(
            p[0].state.as_deref(),
            Some("enabledForReportingButNotEnforced")
        );
        assert_eq!(p[0].modified_at, None);
        assert_eq!(
            p[0].definition,
            r#"{"conditions":{"users":{"excludeUsers":["u9"],"includeUsers":["All"]}},"createdDateTime":"2026-01-01T00:00:00Z","displayName":"Require MFA","futureKey":{"x":1},"grantControls":{"builtInControls":["mfa"],"operator":"OR"},"id":" p1 ","modifiedDateTime":null,"state":"enabledForReportingButNotEnforced"}"#
        );
        assert_eq!(c.repeated_keys, [1]);
        assert_eq!(
            c.reasons(),
            [
                (2, "id is missing"),
                (3, "createdDateTime \"last week\" is not a timestamp")
            ]
        );
    }

    #[test]
    fn named_locations_of_both_types() {
        let text = r##"[
            {"@odata.type":"#microsoft.graph.ipNamedLocation","id":"l1","displayName":"HQ","createdDateTime":"2026-01-01T00:00:00Z","modifiedDateTime":"2026-02-01T00:00:00Z","isTrusted":true,"ipRanges":[{"@odata.type":"#microsoft.graph.iPv4CidrRange","cidrAddress":"203.0.113.0/24"}]},
            {"@odata.type":"#microsoft.graph.countryNamedLocation","id":"l2","displayName":"DE","countriesAndRegions":["DE"],"includeUnknownCountriesAndRegions":false}
        ]"##;
        let c = Collect::text(text, read_named_locations).unwrap();
        let types: Vec<_> = c
            .records
            .iter()
            .map(|(_, r)| match r {
                Record::Directory(d) => match &**d {
                    DirectoryRecord::NamedLocation(l) => (
                        l.location_id.clone(),
                        l.odata_type.clone().unwrap_or_default(),
                    ),
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            types,
            [
                (
                    "l1".to_string(),
                    "#microsoft.graph.ipNamedLocation".to_string()
                ),
                (
                    "l2".to_string(),
                    "#microsoft.graph.countryNamedLocation".to_string()
                )
            ]
        );
        assert!(c.rejects.is_empty());
    }
}
