//! Tests of the JSON splitter: layouts, strings that look like structure, truncation, and
//! that tiny read buffers give the same pieces as large ones.

use std::io::BufReader;

use super::*;

/// (bytes, no, element, complete, unterminated)
type Got = (String, u64, bool, bool, bool);

fn split_with(input: &[u8], capacity: usize) -> (Vec<Got>, bool) {
    let mut s = JsonSplitter::new(BufReader::with_capacity(capacity, input));
    let mut out = Vec::new();
    while let Some(p) = s.next_piece().unwrap() {
        let text = String::from_utf8(p.bytes.to_vec()).unwrap();
        out.push((text, p.no, p.element, p.complete(), p.unterminated));
    }
    (out, s.left_unclosed())
}

/// Splits with a large buffer and checks every small buffer size agrees.
fn split(input: &[u8]) -> (Vec<Got>, bool) {
    let big = split_with(input, 1 << 16);
    for cap in [3, 4, 5, 7, 13] {
        assert_eq!(split_with(input, cap), big, "read buffer of {cap} bytes");
    }
    big
}

fn elem(text: &str, no: u64) -> Got {
    (text.to_string(), no, true, true, false)
}

#[test]
fn top_level_array_with_tricky_strings() {
    let input = br#"[ {"a":"x]y}z","b":"q\"}]"}, {"n":[[1,2],[3]],"s":"\\"} ,{"e":[]} ]"#;
    let (got, unclosed) = split(input);
    assert_eq!(
        got,
        vec![
            elem(r#"{"a":"x]y}z","b":"q\"}]"}"#, 1),
            elem(r#"{"n":[[1,2],[3]],"s":"\\"}"#, 2),
            elem(r#"{"e":[]}"#, 3),
        ]
    );
    assert!(!unclosed);
}

#[test]
fn graph_page_with_next_link_first_and_value_last() {
    let input = br#"{"@odata.context":"https://graph/$metadata#x","@odata.nextLink":"https://graph/?$skiptoken=a\"value\":[","value":[{"id":"1"},{"id":"2","k":{"value":[9]}}]}"#;
    let (got, unclosed) = split(input);
    assert_eq!(
        got,
        vec![
            elem(r#"{"id":"1"}"#, 1),
            elem(r#"{"id":"2","k":{"value":[9]}}"#, 2)
        ]
    );
    assert!(!unclosed);
}

#[test]
fn pretty_printed_records_batch_spans_lines() {
    let input = b"\xEF\xBB\xBF\n{\r\n  \"records\": [\r\n    {\"a\": 1,\r\n     \"b\": \"two\"},\r\n    {\"a\": 2}\r\n  ]\r\n}\r\n";
    let (got, unclosed) = split(input);
    assert_eq!(
        got,
        vec![
            elem("{\"a\": 1,\r\n     \"b\": \"two\"}", 1),
            elem("{\"a\": 2}", 2)
        ]
    );
    assert!(!unclosed);
}

#[test]
fn empty_arrays_give_no_pieces() {
    for input in [
        &b"[]"[..],
        b"  [ ]\n",
        br#"{"value":[]}"#,
        b"{\n \"records\" : [ ]\n}\n",
    ] {
        assert_eq!(
            split(input),
            (vec![], false),
            "{}",
            String::from_utf8_lossy(input)
        );
    }
    assert_eq!(split(b""), (vec![], false));
}

#[test]
fn json_lines_are_numbered_by_line_and_a_broken_line_stays_alone() {
    let input = b"{\"a\":1}\n\n{\"b\":{\"c\":2}\n{\"d\":\"}\"}  \r\n{\"e\":4} junk\n";
    let (got, unclosed) = split(input);
    assert_eq!(
        got,
        vec![
            ("{\"a\":1}".into(), 1, false, true, false),
            ("{\"b\":{\"c\":2}".into(), 3, false, false, false),
            ("{\"d\":\"}\"}  \r".into(), 4, false, true, false),
            ("{\"e\":4} junk".into(), 5, false, true, false),
        ]
    );
    assert!(!unclosed);
}

#[test]
fn last_line_without_newline() {
    let (got, _) = split(b"{\"a\":1}\n{\"b\":2}");
    assert_eq!(got[1], ("{\"b\":2}".into(), 2, false, true, true));
    let (got, _) = split(b"{\"a\":1}\n{\"b\":\"cut mid");
    assert_eq!(got[1], ("{\"b\":\"cut mid".into(), 2, false, false, true));
}

#[test]
fn truncated_array_element_is_incomplete() {
    let (got, unclosed) = split(b"[{\"a\":1},\n {\"b\":[1,");
    assert_eq!(got[0], elem("{\"a\":1}", 1));
    assert_eq!(got[1], ("{\"b\":[1,".into(), 2, true, false, true));
    assert!(unclosed);
    // Cut between elements: nothing partial to hand out, but the array is open.
    let (got, unclosed) = split(b"[{\"a\":1},\n");
    assert_eq!(got, vec![elem("{\"a\":1}", 1)]);
    assert!(unclosed);
}

#[test]
fn page_lines_in_json_lines_and_plain_lines_mix() {
    let input = b"{\"value\":[{\"id\":\"1\"},{\"id\":\"2\"}]}\n{\"id\":\"3\"}\n{\"value\":[{\"id\":\"4\"},{\"id\":\n{\"id\":\"5\"}\n";
    let (got, unclosed) = split(input);
    assert_eq!(
        got,
        vec![
            elem("{\"id\":\"1\"}", 1),
            elem("{\"id\":\"2\"}", 2),
            ("{\"id\":\"3\"}".into(), 2, false, true, false),
            elem("{\"id\":\"4\"}", 3),
            ("{\"id\":".into(), 4, true, false, false),
            ("{\"id\":\"5\"}".into(), 4, false, true, false),
        ]
    );
    assert!(unclosed, "the cut page line leaves its array open");
}

#[test]
fn scalars_and_non_array_value_keys() {
    let (got, _) = split(b"[1, \"a]\" ,true,null]");
    let texts: Vec<_> = got.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(texts, ["1", "\"a]\"", "true", "null"]);
    let (got, _) = split(b"{\"value\": 5, \"x\": {\"value\": [1]}}\n");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "{\"value\": 5, \"x\": {\"value\": [1]}}");
    let (got, _) = split(b"not json\n{\"a\":1}\n");
    assert_eq!(got[0], ("not json".into(), 1, false, true, false));
    assert_eq!(got[1].1, 2);
}

#[test]
fn peek_start_skips_bom_and_blank_lines() {
    let mut s = JsonSplitter::new(&b"\xEF\xBB\xBF \n\n [{\"a\":1}]"[..]);
    assert_eq!(s.peek_start().unwrap(), Some(b'['));
    assert_eq!(s.next_piece().unwrap().unwrap().bytes, b"{\"a\":1}");
    let mut s = JsonSplitter::new(&b" \n\t"[..]);
    assert_eq!(s.peek_start().unwrap(), None);
    // Line numbers still count the blank lines peek_start consumed.
    let mut s = JsonSplitter::new(&b"\n\n{\"a\":1}\n"[..]);
    s.peek_start().unwrap();
    assert_eq!(s.next_piece().unwrap().unwrap().no, 3);
}

#[test]
fn a_line_may_be_a_page_exactly_when_a_value_or_records_key_opens_an_array() {
    let pages: [&[u8]; 5] = [
        b"{\"value\":[]}",
        b"{\"@odata.context\":\"x\", \"value\" : \t[ {\"id\":1} ]}",
        b"{\"records\":[{}]}",
        // Nested or inside a string: still an alarm, which the exact scanner then settles.
        b"{\"a\":{\"value\":[1]}}",
        b"{\"s\":\"x \\\"records\": [\"}",
    ];
    for line in pages {
        assert!(may_be_page(line), "{}", String::from_utf8_lossy(line));
    }
    let records: [&[u8]; 6] = [
        b"{\"id\":\"1\",\"authenticationProcessingDetails\":[{\"key\":\"k\",\"value\":\"v\"}]}",
        b"{\"value\":5,\"list\":[1]}",
        b"{\"values\":[1]}",
        b"{\"xvalue\" [1]}",
        b"[\"value\"]",
        b"{\"value\": \"[\"}",
    ];
    for line in records {
        assert!(!may_be_page(line), "{}", String::from_utf8_lossy(line));
    }
}
