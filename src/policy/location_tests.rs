//! Named locations: parsing and containment (IPv4, IPv6, countries, unknown countries,
//! GPS lookup, unknown kinds).

use super::*;

fn ip_location(ranges: &[&str]) -> NamedLocation {
    let ranges: Vec<String> = ranges
        .iter()
        .map(|r| {
            format!(r##"{{"@odata.type":"#microsoft.graph.iPv4CidrRange","cidrAddress":"{r}"}}"##)
        })
        .collect();
    NamedLocation::from_json(&format!(
        r##"{{"@odata.type":"#microsoft.graph.ipNamedLocation","id":" L1 ","displayName":"Office","isTrusted":true,"ipRanges":[{}]}}"##,
        ranges.join(",")
    ))
    .unwrap()
}

#[test]
fn ipv4_ranges_contain_addresses_with_host_bits_in_the_prefix() {
    let l = ip_location(&["203.0.113.77/24"]);
    assert_eq!(l.id, "L1");
    assert!(l.trusted);
    assert_eq!(l.contains(Some("203.0.113.5"), None), Within::Yes);
    assert_eq!(l.contains(Some(" 203.0.113.255 "), None), Within::Yes);
    assert_eq!(l.contains(Some("203.0.114.1"), None), Within::No);
    assert_eq!(l.contains(Some("::ffff:203.0.113.9"), None), Within::Yes);
    assert_eq!(l.contains(None, Some("DE")), Within::No);
    assert_eq!(l.contains(Some("not an ip"), None), Within::No);
}

#[test]
fn ipv6_ranges() {
    let l = ip_location(&["2001:db8:abcd::/48", "198.51.100.0/25"]);
    assert_eq!(l.contains(Some("2001:db8:abcd:12::1"), None), Within::Yes);
    assert_eq!(l.contains(Some("2001:DB8:ABCD::"), None), Within::Yes);
    assert_eq!(l.contains(Some("2001:db8:abce::1"), None), Within::No);
    assert_eq!(l.contains(Some("198.51.100.200"), None), Within::No);
    assert_eq!(l.contains(Some("198.51.100.1"), None), Within::Yes);
}

#[test]
fn countries_compare_ignoring_case_and_the_empty_country_needs_include_unknown() {
    let text = |unknown: bool| {
        format!(
            r##"{{"@odata.type":"#microsoft.graph.countryNamedLocation","id":"c","countriesAndRegions":["de"," AT "],"includeUnknownCountriesAndRegions":{unknown},"countryLookupMethod":"clientIpAddress"}}"##
        )
    };
    let l = NamedLocation::from_json(&text(false)).unwrap();
    assert!(!l.trusted);
    assert_eq!(l.contains(None, Some("DE")), Within::Yes);
    assert_eq!(l.contains(None, Some("at")), Within::Yes);
    assert_eq!(l.contains(None, Some("FR")), Within::No);
    assert_eq!(l.contains(Some("203.0.113.1"), Some("")), Within::No);
    assert_eq!(l.contains(None, None), Within::No);
    let l = NamedLocation::from_json(&text(true)).unwrap();
    assert_eq!(l.contains(None, Some(" ")), Within::Yes);
    assert_eq!(l.contains(None, None), Within::Yes);
    assert_eq!(l.contains(None, Some("FR")), Within::No);
}

#[test]
fn gps_lookup_and_unknown_kinds_cannot_be_decided() {
    let gps = NamedLocation::from_json(
        r#"{"id":"g","countriesAndRegions":["DE"],"COUNTRYLOOKUPMETHOD":"AuthenticatorAppGps"}"#,
    )
    .unwrap();
    assert_eq!(gps.contains(None, Some("DE")), Within::Undecidable);
    let other = NamedLocation::from_json(
        r##"{"@odata.type":"#microsoft.graph.compliantNetworkNamedLocation","id":"n"}"##,
    )
    .unwrap();
    assert_eq!(
        other.unknown_kind(),
        Some("microsoft.graph.compliantnetworknamedlocation")
    );
    assert_eq!(
        other.contains(Some("203.0.113.1"), Some("DE")),
        Within::Undecidable
    );
}

#[test]
fn a_location_that_does_not_parse_says_why() {
    let e = |t: &str| NamedLocation::from_json(t).unwrap_err();
    assert_eq!(e(r#"{"displayName":"x"}"#), "named location without an id");
    assert_eq!(
        e(r#"{"id":"a","ipRanges":[{"cidrAddress":"10.0.0.300/8"}]}"#),
        "named location a: ipRanges[0].cidrAddress: \"10.0.0.300/8\" is not a CIDR range"
    );
    assert_eq!(
        e(r#"{"id":"a","ipRanges":[{"cidrAddress":"10.0.0.1"}]}"#),
        "named location a: ipRanges[0].cidrAddress: \"10.0.0.1\" is not a CIDR range"
    );
    assert_eq!(
        e(r#"{"id":"a","isTrusted":"yes","ipRanges":[]}"#),
        "named location a: isTrusted: expected true or false, found a string"
    );
    assert_eq!(
        e(r#"{"id":"a"}"#),
        "named location a: no @odata.type, ipRanges or countriesAndRegions: not a named location"
    );
    assert_eq!(e("[1]"), "named location: expected an object, found a list");
}
