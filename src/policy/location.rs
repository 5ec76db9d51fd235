//! Named locations (Graph `ipNamedLocation` and `countryNamedLocation`) and whether a
//! sign-in's IP address or country is in one.

use std::net::IpAddr;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;

use super::json::{self, Obj, norm};

/// A named location's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedLocation {
    /// The id, trimmed (compare ignoring case).
    pub id: String,
    pub display_name: String,
    /// `isTrusted` (only IP locations can be trusted; false when absent).
    pub trusted: bool,
    pub created: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Ip(Vec<IpNet>),
    Country {
        countries: Vec<String>,
        include_unknown: bool,
        /// The lookup method is not the client's IP address (Authenticator GPS, or a
        /// method these rules do not know): the log cannot show where the user was.
        undecidable: bool,
    },
    /// An `@odata.type` these rules do not know (its definition cannot be evaluated).
    Other(String),
}

/// Whether a sign-in is in a location, as far as the evidence shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    Yes,
    No,
    /// The location cannot be decided for this sign-in.
    Undecidable,
}

impl NamedLocation {
    /// Parses one Graph named-location object (property names and enum words compared
    /// ignoring case, after trimming).
    pub fn from_json(text: &str) -> Result<NamedLocation, String> {
        let node = json::parse(text)?;
        NamedLocation::from_node(node.object("named location")?)
    }

    /// Parses an already-read object.
    pub(crate) fn from_node(o: &Obj) -> Result<NamedLocation, String> {
        let id = o.string("id", "id")?.unwrap_or_default();
        if id.is_empty() {
            return Err("named location without an id".into());
        }
        let at = |what: &str| format!("named location {id}: {what}");
        let kind = read_kind(o).map_err(|e| at(&e))?;
        Ok(NamedLocation {
            display_name: o
                .string("displayname", "displayName")
                .map_err(|e| at(&e))?
                .unwrap_or_default(),
            trusted: o
                .boolean("istrusted", "isTrusted")
                .map_err(|e| at(&e))?
                .unwrap_or(false),
            created: o
                .time("createddatetime", "createdDateTime")
                .map_err(|e| at(&e))?,
            modified: o
                .time("modifieddatetime", "modifiedDateTime")
                .map_err(|e| at(&e))?,
            kind,
            id,
        })
    }

    /// Whether a sign-in from `ip` (as logged) in `country` (two-letter code as logged;
    /// `None` or empty when unknown) is in this location.
    pub fn contains(&self, ip: Option<&str>, country: Option<&str>) -> Within {
        match &self.kind {
            Kind::Ip(ranges) => {
                let Some(ip) = ip.and_then(sign_in_ip) else {
                    return Within::No;
                };
                yes_if(ranges.iter().any(|r| r.contains(&ip)))
            }
            Kind::Country {
                undecidable: true, ..
            }
            | Kind::Other(_) => Within::Undecidable,
            Kind::Country {
                countries,
                include_unknown,
                ..
            } => match country.map(norm).filter(|c| !c.is_empty()) {
                None => yes_if(*include_unknown),
                Some(c) => yes_if(countries.contains(&c)),
            },
        }
    }

    /// The `@odata.type` of a location of a kind these rules do not evaluate.
    pub fn unknown_kind(&self) -> Option<&str> {
        match &self.kind {
            Kind::Other(t) => Some(t),
            _ => None,
        }
    }
}

fn yes_if(b: bool) -> Within {
    if b { Within::Yes } else { Within::No }
}

/// The sign-in's address; an IPv4-mapped IPv6 address is its IPv4 address. An address
/// that does not parse is in no range.
fn sign_in_ip(text: &str) -> Option<IpAddr> {
    let ip = IpAddr::from_str(text.trim()).ok()?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 @ IpAddr::V4(_) => v4,
    })
}

fn read_kind(o: &Obj) -> Result<Kind, String> {
    let odata = o.string("@odata.type", "@odata.type")?.map(|t| norm(&t));
    let kind = odata.as_deref().map(|t| t.trim_start_matches('#'));
    match kind {
        Some("microsoft.graph.ipnamedlocation") => read_ip(o),
        Some("microsoft.graph.countrynamedlocation") => read_country(o),
        Some(other) => Ok(Kind::Other(other.to_owned())),
        None if o.get("ipranges").is_some() => read_ip(o),
        None if o.get("countriesandregions").is_some() => read_country(o),
        None => Err("no @odata.type, ipRanges or countriesAndRegions: not a named location".into()),
    }
}

fn read_ip(o: &Obj) -> Result<Kind, String> {
    let ranges = match o.get("ipranges") {
        None | Some(json::Node::Null) => return Ok(Kind::Ip(Vec::new())),
        Some(json::Node::List(items)) => items,
        Some(_) => return Err("ipRanges: expected a list".into()),
    };
    let mut nets = Vec::with_capacity(ranges.len());
    for (i, item) in ranges.iter().enumerate() {
        let path = format!("ipRanges[{i}].cidrAddress");
        let cidr = item
            .object(&format!("ipRanges[{i}]"))?
            .string("cidraddress", &path)?
            .ok_or_else(|| format!("{path}: missing"))?;
        let net =
            IpNet::from_str(&cidr).map_err(|_| format!("{path}: {cidr:?} is not a CIDR range"))?;
        nets.push(net);
    }
    Ok(Kind::Ip(nets))
}

fn read_country(o: &Obj) -> Result<Kind, String> {
    let countries = o.words("countriesandregions", "countriesAndRegions")?;
    let include_unknown = o
        .boolean(
            "includeunknowncountriesandregions",
            "includeUnknownCountriesAndRegions",
        )?
        .unwrap_or(false);
    let method = o
        .string("countrylookupmethod", "countryLookupMethod")?
        .map(|m| norm(&m));
    let undecidable = !matches!(method.as_deref(), None | Some("" | "clientipaddress"));
    Ok(Kind::Country {
        countries,
        include_unknown,
        undecidable,
    })
}

#[cfg(test)]
#[path = "location_tests.rs"]
mod tests;
