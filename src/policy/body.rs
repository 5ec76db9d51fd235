//! Policy and named-location files as Graph writes them or people save them: one object,
//! a JSON array, a `{"value":[…]}` page, or one object a line.

use super::json::{self, Node, Obj};
use super::{NamedLocation, Policy};

/// Every policy of a file's text; the first that does not parse fails the whole file,
/// with its position (`item 2`, `line 3`) and reason.
pub fn policies_from_body(text: &str) -> Result<Vec<Policy>, String> {
    read_all(text, "policy", |o, _| Policy::from_node(o))
}

/// Every policy of a planned set's file, as [`policies_from_body`], except that a policy
/// without an id (a Graph create body, not yet created) takes `name` as its id, with
/// `#2`, `#3`… after it for the later objects of a file that holds several.
pub fn planned_policies(text: &str, name: &str) -> Result<Vec<Policy>, String> {
    read_all(text, "policy", |o, i| {
        if o.string("id", "id")?.is_some_and(|id| !id.is_empty()) {
            return Policy::from_node(o);
        }
        let id = if i == 0 {
            name.to_owned()
        } else {
            format!("{name}#{}", i + 1)
        };
        Policy::from_node(&o.with("id", Node::Str(id)))
    })
}

/// Every named location of a file's text (as [`policies_from_body`]).
pub fn locations_from_body(text: &str) -> Result<Vec<NamedLocation>, String> {
    read_all(text, "named location", |o, _| NamedLocation::from_node(o))
}

/// A value and where it was in the file (`None`: the file is this one object).
struct Item {
    position: Option<String>,
    node: Node,
}

/// Reads every object of `text` with `read` (given the object and its index).
fn read_all<T>(
    text: &str,
    what: &str,
    read: impl Fn(&Obj, usize) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    items(text, what)?
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let at = |e: String| match &item.position {
                Some(position) => format!("{position}: {e}"),
                None => e,
            };
            read(item.node.object(what).map_err(at)?, i).map_err(at)
        })
        .collect()
}

/// The objects of a file, with their positions.
fn items(text: &str, what: &str) -> Result<Vec<Item>, String> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(format!("empty: no {what}"));
    }
    let listed = |nodes: Vec<Node>| {
        nodes
            .into_iter()
            .enumerate()
            .map(|(i, node)| Item {
                position: Some(format!("item {}", i + 1)),
                node,
            })
            .collect()
    };
    match json::parse(text) {
        Ok(Node::List(nodes)) => Ok(listed(nodes)),
        Ok(Node::Object(o)) => match o.get("value") {
            Some(Node::List(nodes)) => Ok(listed(nodes.clone())),
            Some(other) => Err(format!("value: expected a list, found {}", other.kind())),
            None => Ok(vec![Item {
                position: None,
                node: Node::Object(o),
            }]),
        },
        Ok(other) => Err(format!(
            "expected a {what} object, a list of them or a {{\"value\":[…]}} page, found {}",
            other.kind()
        )),
        Err(whole) => lines(text).ok_or(whole)?,
    }
}

/// One object a line, when the text's first line is a JSON object on its own (else the
/// text is one broken value, and its own error says where). `None` when it is not.
fn lines(text: &str) -> Option<Result<Vec<Item>, String>> {
    let mut numbered = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, first) = numbered.clone().next()?;
    if !matches!(json::parse(first), Ok(Node::Object(_))) {
        return None;
    }
    Some(
        numbered
            .by_ref()
            .map(|(i, line)| {
                let position = format!("line {}", i + 1);
                match json::parse(line) {
                    Ok(node) => Ok(Item {
                        position: Some(position),
                        node,
                    }),
                    Err(e) => Err(format!("{position}: {e}")),
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = r#"{"id":"p1","state":"enabled","grantControls":{"builtInControls":["mfa"]}}"#;

    fn ids(text: &str) -> Result<Vec<String>, String> {
        policies_from_body(text).map(|ps| ps.into_iter().map(|p| p.id).collect())
    }

    #[test]
    fn every_shape_of_file() {
        let two = P.replace("p1", "p2");
        assert_eq!(ids(P).unwrap(), ["p1"]);
        assert_eq!(ids(&format!("[{P},{two}]")).unwrap(), ["p1", "p2"]);
        let page = format!(r#"{{"@odata.context":"x","Value":[{P},{two}]}}"#);
        assert_eq!(ids(&page).unwrap(), ["p1", "p2"]);
        assert_eq!(
            ids(&format!("\u{feff}{P}\n\n{two}\n")).unwrap(),
            ["p1", "p2"]
        );
        assert_eq!(ids(r#"{"value":[]}"#).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn errors_say_where() {
        let bad = P.replace(r#""state":"enabled","#, "");
        assert_eq!(ids(&bad).unwrap_err(), "policy p1: no state");
        assert_eq!(
            ids(&format!("[{P},{bad}]")).unwrap_err(),
            "item 2: policy p1: no state"
        );
        assert_eq!(
            ids(&format!("{P}\n{P}\n{{\"id\":"))
                .unwrap_err()
                .split(':')
                .next(),
            Some("line 3")
        );
        assert_eq!(
            ids("[1]").unwrap_err(),
            "item 1: policy: expected an object, found a number"
        );
        assert_eq!(ids("  \n").unwrap_err(), "empty: no policy");
        assert_eq!(
            ids(r#"{"value":3}"#).unwrap_err(),
            "value: expected a list, found a number"
        );
        let broken = "{\n  \"id\": \"p1\",\n  \"state\": \n}";
        assert_eq!(
            ids(broken).unwrap_err(),
            "not JSON: expected value at line 4 column 1"
        );
        assert_eq!(
            ids("\"x\"").unwrap_err(),
            "expected a policy object, a list of them or a {\"value\":[…]} page, found a string"
        );
    }

    #[test]
    fn a_planned_policy_without_an_id_is_named_after_its_file() {
        let create = P.replace(r#""id":"p1","#, "");
        let ids = |text: &str| -> Vec<String> {
            planned_policies(text, "mfa.json")
                .unwrap()
                .into_iter()
                .map(|p| p.id)
                .collect()
        };
        assert_eq!(ids(&create), ["mfa.json"]);
        assert_eq!(
            ids(&format!("[{create},{P},{create}]")),
            ["mfa.json", "p1", "mfa.json#3"]
        );
        assert_eq!(ids(&P.replace("p1", " ")), ["mfa.json"]);
    }

    #[test]
    fn named_locations_read_the_same_way() {
        let body = r##"{"value":[{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"a","ipRanges":[]},{"id":"b","countriesAndRegions":["DE"]}]}"##;
        let ls = locations_from_body(body).unwrap();
        assert_eq!(
            ls.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
    }
}
