//! A conditional access policy's definition as the rules read it (evidence rules §8):
//! state, scope (users, applications), conditions and whether its grant needs MFA.

use chrono::{DateTime, Utc};

use super::json::{self, Node, Obj, absent, norm};
use super::words::{Finding, State};

/// A policy's definition, parsed from Graph's `conditionalAccessPolicy` JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The id, trimmed (compare ignoring case).
    pub id: String,
    pub display_name: String,
    pub state: State,
    pub created: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub users: Users,
    pub apps: Apps,
    /// `clientAppTypes`, normalised; `None` when the condition is absent.
    pub client_app_types: Option<Vec<String>>,
    /// `locations`; `None` when the condition is absent.
    pub locations: Option<Places>,
    risk_levels: Vec<String>,
    /// The OTHER conditions present, by their Graph names.
    other: Vec<String>,
    mfa: bool,
}

/// `conditions.users`, every id and word normalised (trimmed, lower case); the special
/// words `All`, `None` and `GuestsOrExternalUsers` are flags, not list entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Users {
    pub include_all: bool,
    pub include_guests: bool,
    pub include_users: Vec<String>,
    pub include_groups: Vec<String>,
    pub include_roles: Vec<String>,
    pub exclude_guests: bool,
    pub exclude_users: Vec<String>,
    pub exclude_groups: Vec<String>,
    pub exclude_roles: Vec<String>,
}

/// `conditions.applications` include and exclude lists, normalised (`None` left out of
/// the exclusions, where it excludes nothing).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Apps {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// `conditions.locations` include and exclude lists, normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// The conditions a policy may carry that the rules do not evaluate (§8's OTHER list).
const OTHER_CONDITIONS: [&str; 6] = [
    "userRiskLevels",
    "platforms",
    "devices",
    "clientApplications",
    "authenticationFlows",
    "insiderRiskLevels",
];

/// The parts of `applications` that are OTHER conditions.
const OTHER_APPLICATION_PARTS: [&str; 3] = [
    "applicationFilter",
    "includeUserActions",
    "includeAuthenticationContextClassReferences",
];

/// The keys of `conditions` these rules read themselves; any other key that is present
/// is a condition they cannot evaluate, so it counts as an OTHER condition.
const EVALUATED: [&str; 5] = [
    "users",
    "applications",
    "clientapptypes",
    "locations",
    "signinrisklevels",
];

impl Policy {
    /// Parses one Graph policy object. Property names, enum words and ids are compared
    /// ignoring case after trimming; an unknown enum word is kept, never an error; a
    /// missing id or state, or a property of the wrong JSON type, is.
    pub fn from_json(text: &str) -> Result<Policy, String> {
        let node = json::parse(text)?;
        Policy::from_node(node.object("policy")?)
    }

    /// Parses an already-read object.
    pub(crate) fn from_node(o: &Obj) -> Result<Policy, String> {
        let id = o.string("id", "id")?.unwrap_or_default();
        if id.is_empty() {
            return Err("policy without an id".into());
        }
        read(o, id.clone()).map_err(|e| format!("policy {id}: {e}"))
    }

    /// §8 MFA POLICY: a grant that can only be met with MFA.
    pub fn is_mfa_policy(&self) -> bool {
        self.mfa
    }

    /// §8 RISK POLICY: an enabled MFA POLICY for everyone and everything whose only
    /// condition is a non-empty `signInRiskLevels`.
    pub fn is_risk_policy(&self) -> bool {
        self.qualifies() && !self.risk_levels.is_empty()
    }

    /// §10 R7 QUALIFYING: an enabled MFA POLICY with includeUsers All, includeApplications
    /// All, no exclusion, and no condition but (optionally) `signInRiskLevels`.
    pub fn qualifies(&self) -> bool {
        self.state == State::Enabled
            && self.mfa
            && self.users.include_all
            && self.all_apps()
            && !self.excludes_accounts()
            && self.client_app_types.is_none()
            && self.locations.is_none()
            && self.other.is_empty()
    }

    /// §10 configuration findings, in the fixed order of [`Finding::ALL`].
    pub fn findings(&self) -> Vec<Finding> {
        Finding::ALL
            .into_iter()
            .filter(|f| match f {
                Finding::ExcludesAccounts => self.excludes_accounts(),
                Finding::NotAllUsers => !self.users.include_all,
                Finding::NotAllApps => !self.all_apps(),
                Finding::LocationCondition => self.locations.is_some(),
                Finding::ClientAppTypesLimited => self.client_app_types.is_some(),
                Finding::OtherCondition => !self.other.is_empty(),
                Finding::ReportOnly => self.state == State::ReportOnly,
                Finding::Disabled => !matches!(self.state, State::Enabled | State::ReportOnly),
            })
            .collect()
    }

    /// `signInRiskLevels`, lower-cased and trimmed.
    pub fn sign_in_risk_levels(&self) -> &[String] {
        &self.risk_levels
    }

    /// The OTHER conditions present, by their Graph names (`platforms`,
    /// `applications.applicationFilter`, or an unknown key of `conditions`).
    pub fn other_conditions(&self) -> &[String] {
        &self.other
    }

    fn excludes_accounts(&self) -> bool {
        let u = &self.users;
        u.exclude_guests
            || !u.exclude_users.is_empty()
            || !u.exclude_groups.is_empty()
            || !u.exclude_roles.is_empty()
    }

    fn all_apps(&self) -> bool {
        self.apps.include.iter().any(|a| a == "all") && self.apps.exclude.is_empty()
    }
}

fn read(o: &Obj, id: String) -> Result<Policy, String> {
    let state = o.string("state", "state")?.ok_or("no state")?;
    let empty = Obj::default();
    let conditions = o.object("conditions", "conditions")?.unwrap_or(&empty);
    let users = conditions
        .object("users", "conditions.users")?
        .unwrap_or(&empty);
    let apps = conditions
        .object("applications", "conditions.applications")?
        .unwrap_or(&empty);
    Ok(Policy {
        display_name: o.string("displayname", "displayName")?.unwrap_or_default(),
        state: State::from_graph(&state),
        created: o.time("createddatetime", "createdDateTime")?,
        modified: o.time("modifieddatetime", "modifiedDateTime")?,
        users: read_users(users)?,
        apps: read_apps(apps)?,
        client_app_types: read_client_app_types(conditions)?,
        locations: read_places(conditions)?,
        risk_levels: conditions.words("signinrisklevels", "conditions.signInRiskLevels")?,
        other: other_conditions(conditions, apps),
        mfa: mfa_grant(o)?,
        id,
    })
}

fn read_users(u: &Obj) -> Result<Users, String> {
    let words = |key: &str, name: &str| u.words(key, &format!("conditions.users.{name}"));
    let guests_object = |key: &str, name: &str| -> Result<bool, String> {
        u.object(key, &format!("conditions.users.{name}"))?;
        Ok(!absent(u.get(key)))
    };
    let mut include_users = words("includeusers", "includeUsers")?;
    let mut exclude_users = words("excludeusers", "excludeUsers")?;
    let include_all = take(&mut include_users, "all");
    take(&mut include_users, "none");
    let include_guests = take(&mut include_users, "guestsorexternalusers")
        | guests_object(
            "includeguestsorexternalusers",
            "includeGuestsOrExternalUsers",
        )?;
    let exclude_guests = take(&mut exclude_users, "guestsorexternalusers")
        | guests_object(
            "excludeguestsorexternalusers",
            "excludeGuestsOrExternalUsers",
        )?;
    Ok(Users {
        include_all,
        include_guests,
        include_users,
        include_groups: words("includegroups", "includeGroups")?,
        include_roles: words("includeroles", "includeRoles")?,
        exclude_guests,
        exclude_users,
        exclude_groups: words("excludegroups", "excludeGroups")?,
        exclude_roles: words("excluderoles", "excludeRoles")?,
    })
}

fn read_apps(a: &Obj) -> Result<Apps, String> {
    let mut exclude = a.words(
        "excludeapplications",
        "conditions.applications.excludeApplications",
    )?;
    // Excluding `None` excludes nothing.
    take(&mut exclude, "none");
    Ok(Apps {
        include: a.words(
            "includeapplications",
            "conditions.applications.includeApplications",
        )?,
        exclude,
    })
}

/// Removes every `word` from `list`; whether there was one.
fn take(list: &mut Vec<String>, word: &str) -> bool {
    let before = list.len();
    list.retain(|w| w != word);
    list.len() != before
}

fn read_client_app_types(c: &Obj) -> Result<Option<Vec<String>>, String> {
    let types = c.words("clientapptypes", "conditions.clientAppTypes")?;
    // A list that holds `all` covers every client app type, whatever else it names.
    let absent = types.is_empty() || types.iter().any(|t| t == "all");
    Ok((!absent).then_some(types))
}

fn read_places(c: &Obj) -> Result<Option<Places>, String> {
    let Some(l) = c.object("locations", "conditions.locations")? else {
        return Ok(None);
    };
    let places = Places {
        include: l.words("includelocations", "conditions.locations.includeLocations")?,
        exclude: l.words("excludelocations", "conditions.locations.excludeLocations")?,
    };
    let everywhere = places.include.iter().any(|p| p == "all") && places.exclude.is_empty();
    let nothing = places.include.is_empty() && places.exclude.is_empty();
    Ok((!everywhere && !nothing).then_some(places))
}

fn other_conditions(c: &Obj, apps: &Obj) -> Vec<String> {
    let mut other = Vec::new();
    for (key, value) in c.members() {
        if EVALUATED.contains(&key) || value.is_empty() || platforms_everywhere(key, value) {
            continue;
        }
        let known = OTHER_CONDITIONS.iter().find(|n| n.to_lowercase() == key);
        other.push(known.map_or_else(|| key.to_owned(), |n| (*n).to_owned()));
    }
    for part in OTHER_APPLICATION_PARTS {
        if !absent(apps.get(&part.to_lowercase())) {
            other.push(format!("applications.{part}"));
        }
    }
    other
}

/// `platforms` with includePlatforms holding `all` and no excludePlatforms is absent.
fn platforms_everywhere(key: &str, value: &Node) -> bool {
    let Node::Object(p) = value else { return false };
    let words = |k| p.words(k, "").unwrap_or_default();
    key == "platforms"
        && words("includeplatforms").iter().any(|w| w == "all")
        && absent(p.get("excludeplatforms"))
}

/// §8: whether the grant can only be met with MFA.
fn mfa_grant(o: &Obj) -> Result<bool, String> {
    let Some(g) = o.object("grantcontrols", "grantControls")? else {
        return Ok(false);
    };
    let builtin = g.words("builtincontrols", "grantControls.builtInControls")?;
    let strength = !matches!(g.get("authenticationstrength"), None | Some(Node::Null));
    let operator = g
        .string("operator", "grantControls.operator")?
        .map(|s| norm(&s));
    Ok(match operator.as_deref() {
        Some("and") => builtin.iter().any(|c| c == "mfa") || strength,
        None | Some("" | "or") => {
            builtin.iter().all(|c| c == "mfa")
                && absent(g.get("customauthenticationfactors"))
                && absent(g.get("termsofuse"))
                && (!builtin.is_empty() || strength)
        }
        Some(_) => false,
    })
}

#[cfg(test)]
#[path = "definition_tests.rs"]
pub(crate) mod tests;
