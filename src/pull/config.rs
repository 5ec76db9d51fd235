//! The tenants file of `pull --config` (TOML): per tenant its id, the app registration's
//! client id and the NAME of the environment variable that holds the client secret; the
//! streams and the Graph and login roots optionally. A secret never goes in the file: a
//! key that looks like one is refused by its name, and no error here ever quotes a value
//! (a secret put under the wrong key must not reach a terminal or a log).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value};

use super::error::{Error, Result};
use super::streams::Stream;

/// The key that names a tenant's secret variable.
pub const SECRET_ENV_KEY: &str = "client_secret_env";

/// Keys a tenant table may have.
const TENANT_KEYS: [&str; 6] = [
    "tenant_id",
    "client_id",
    SECRET_ENV_KEY,
    "streams",
    "graph_url",
    "login_url",
];

/// Parts of a key name that say it holds a secret.
const SECRET_WORDS: [&str; 8] = [
    "secret",
    "password",
    "passwd",
    "pwd",
    "token",
    "credential",
    "private",
    "api_key",
];

/// One tenant to pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantEntry {
    /// The tenant's GUID, lower-cased (as the lake keeps it).
    pub tenant_id: String,
    pub client_id: String,
    /// The environment variable that holds the client secret.
    pub secret_env: String,
    /// What to pull; none: what the command line says.
    pub streams: Option<Vec<Stream>>,
    pub graph_url: Option<String>,
    pub login_url: Option<String>,
}

/// Reads the tenants of `text`, the contents of the file `file`.
pub fn parse(file: &Path, text: &str) -> Result<Vec<TenantEntry>> {
    let name = file.display().to_string();
    let fail = |what: String| Error::Usage(format!("{name}: {what}"));
    let doc: Value = basic_toml::from_str(text).map_err(|e| {
        // The parser's own text can quote a character of a value: only the position.
        fail(match e.line_col() {
            Some((l, c)) => format!("not valid TOML at line {}, column {}", l + 1, c + 1),
            None => "not valid TOML".to_owned(),
        })
    })?;
    refuse_secrets(&doc, "").map_err(fail)?;
    let top = doc
        .as_object()
        .ok_or_else(|| fail("not a TOML table".into()))?;
    if let Some(k) = top.keys().find(|k| k.as_str() != "tenant") {
        return Err(fail(format!(
            "unknown key `{k}`; the file holds [[tenant]] tables"
        )));
    }
    let tables = match top.get("tenant") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        _ => return Err(fail("no [[tenant]] table: name at least one tenant".into())),
    };
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(tables.len());
    for (i, t) in tables.iter().enumerate() {
        let entry = tenant(t).map_err(|e| fail(format!("tenant {}: {e}", i + 1)))?;
        if !seen.insert(entry.tenant_id.clone()) {
            return Err(fail(format!(
                "tenant {}: {} is named twice",
                i + 1,
                entry.tenant_id
            )));
        }
        out.push(entry);
    }
    Ok(out)
}

/// Refuses any key, at any depth, whose name says it holds a secret.
fn refuse_secrets(v: &Value, at: &str) -> std::result::Result<(), String> {
    match v {
        Value::Object(m) => {
            for (k, inner) in m {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                if looks_secret(k) {
                    return Err(format!(
                        "key `{path}` looks like a secret; a secret never goes in this file: \
                         put it in an environment variable and name that variable with \
                         `{SECRET_ENV_KEY}`"
                    ));
                }
                refuse_secrets(inner, &path)?;
            }
            Ok(())
        }
        Value::Array(a) => a.iter().try_for_each(|x| refuse_secrets(x, at)),
        _ => Ok(()),
    }
}

fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('-', "_");
    k != SECRET_ENV_KEY && SECRET_WORDS.iter().any(|w| k.contains(w))
}

/// One `[[tenant]]` table.
fn tenant(t: &Value) -> std::result::Result<TenantEntry, String> {
    let m = t.as_object().ok_or("not a table")?;
    if let Some(k) = m.keys().find(|k| !TENANT_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key `{k}`; expected {}",
            TENANT_KEYS.join(", ")
        ));
    }
    let tenant_id = required(m, "tenant_id")?.to_ascii_lowercase();
    if !is_guid(&tenant_id) {
        return Err("`tenant_id` must be the tenant's GUID (the lake keys rows by it)".into());
    }
    let secret_env = required(m, SECRET_ENV_KEY)?;
    if !is_env_name(&secret_env) {
        return Err(format!(
            "`{SECRET_ENV_KEY}` must be the NAME of an environment variable (letters, digits \
             and _, not starting with a digit), never the secret itself"
        ));
    }
    let streams = match m.get("streams") {
        None => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|s| {
                    s.as_str()
                        .ok_or("`streams` must be a list of words")?
                        .parse()
                })
                .collect::<std::result::Result<Vec<Stream>, String>>()?,
        ),
        Some(_) => return Err("`streams` must be a list of words".into()),
    };
    Ok(TenantEntry {
        client_id: required(m, "client_id")?,
        tenant_id,
        secret_env,
        streams,
        graph_url: optional(m, "graph_url")?,
        login_url: optional(m, "login_url")?,
    })
}

fn required(m: &Map<String, Value>, key: &str) -> std::result::Result<String, String> {
    optional(m, key)?.ok_or_else(|| format!("`{key}` is missing"))
}

fn optional(m: &Map<String, Value>, key: &str) -> std::result::Result<Option<String>, String> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(format!("`{key}` must be a non-empty string")),
    }
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_env_name(s: &str) -> bool {
    s.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "11111111-2222-3333-4444-555555555555";

    fn parse_str(text: &str) -> Result<Vec<TenantEntry>> {
        parse(Path::new("tenants.toml"), text)
    }

    fn err(text: &str) -> String {
        parse_str(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_tenants_with_their_optional_settings() {
        let t = parse_str(&format!(
            "[[tenant]]\ntenant_id = \"{}\"\nclient_id = \"app-a\"\nclient_secret_env = \"A_SECRET\"\n\
             streams = [\"signins\", \"audit\"]\n\n[[tenant]]\ntenant_id = \"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"\n\
             client_id = \"app-b\"\nclient_secret_env = \"B_SECRET\"\ngraph_url = \"https://graph.microsoft.us\"\n",
            A.to_uppercase()
        ))
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].tenant_id, A);
        assert_eq!(t[0].streams, Some(vec![Stream::SignIns, Stream::Audit]));
        assert_eq!(t[0].graph_url, None);
        assert_eq!(t[1].secret_env, "B_SECRET");
        assert_eq!(t[1].streams, None);
        assert_eq!(
            t[1].graph_url.as_deref(),
            Some("https://graph.microsoft.us")
        );
    }

    #[test]
    fn a_secret_in_the_file_is_refused_by_its_key_never_its_value() {
        for key in [
            "client_secret",
            "secret",
            "Password",
            "access-token",
            "api_key",
        ] {
            let e = err(&format!(
                "[[tenant]]\ntenant_id = \"{A}\"\nclient_id = \"c\"\nclient_secret_env = \"S\"\n{key} = \"hunter2-value\"\n"
            ));
            assert!(
                e.contains(&format!("key `tenant.{key}` looks like a secret")),
                "{e}"
            );
            assert!(!e.contains("hunter2"), "{e}");
        }
        // Anywhere in the file, and also when the file is otherwise wrong.
        let e = err("secret = \"hunter2-value\"\n");
        assert!(e.contains("key `secret`") && !e.contains("hunter2"), "{e}");
        // The secret put where the variable's name goes.
        let e = err(&format!(
            "[[tenant]]\ntenant_id = \"{A}\"\nclient_id = \"c\"\nclient_secret_env = \"hunter2~value/x\"\n"
        ));
        assert!(
            e.contains("must be the NAME of an environment variable") && !e.contains("hunter2"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_the_file_the_tenant_and_the_key_without_values() {
        let ok = format!("tenant_id = \"{A}\"\nclient_id = \"c\"\nclient_secret_env = \"S\"\n");
        for (text, said) in [
            (String::new(), "tenants.toml: no [[tenant]] table"),
            (format!("[[tenant]]\n{ok}[[tenant]]\n{ok}"), "tenant 2: 11111111-2222-3333-4444-555555555555 is named twice"),
            ("[[tenant]]\ntenant_id = \"contoso.example\"\nclient_id = \"c\"\nclient_secret_env = \"S\"\n".into(), "tenant 1: `tenant_id` must be the tenant's GUID"),
            (format!("[[tenant]]\n{ok}colour = \"blue\"\n"), "tenant 1: unknown key `colour`"),
            (format!("[[tenant]]\n{ok}streams = [\"everything\"]\n"), "unknown stream \"everything\""),
            (format!("[[tenant]]\ntenant_id = \"{A}\"\nclient_secret_env = \"S\"\nclient_id = 7\n"), "tenant 1: `client_id` must be a non-empty string"),
            (format!("[[tenant]]\ntenant_id = \"{A}\"\nclient_secret_env = \"S\"\n"), "tenant 1: `client_id` is missing"),
            ("[[tenant]]\ntenant_id = \"unterminated\n".into(), "tenants.toml: not valid TOML at line 2, column"),
        ] {
            let e = err(&text);
            assert!(e.contains(said), "{text:?}: {e}");
            assert!(!e.contains("blue") && !e.contains(" 7"), "{e}");
        }
    }

    #[test]
    fn guids_and_variable_names() {
        assert!(
            is_guid(A) && !is_guid("1111-2222") && !is_guid("g1111111-2222-3333-4444-555555555555")
        );
        assert!(is_env_name("TENANT_A_SECRET") && is_env_name("_x1"));
        assert!(!is_env_name("1A") && !is_env_name("") && !is_env_name("A-B"));
    }
}
