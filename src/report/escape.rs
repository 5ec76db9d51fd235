//! Neutralising attacker-controlled text (user names, app names, details) before it lands in
//! Markdown tables or in a CSV opened by a spreadsheet.

/// Escapes a Markdown table cell: pipes, backticks, emphasis and link brackets, HTML
/// specials and line breaks cannot change the table or inject markup.
pub fn markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' | '\n' => out.push(' '),
            '|' | '`' | '\\' | '*' | '_' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Prefixes a CSV cell that a spreadsheet would read as a formula (starting with
/// `= + - @`, tab or CR) with an apostrophe.
pub fn csv_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_csv_neutralisation() {
        assert_eq!(
            markdown_cell("a|b`c<d>&\ne_[x]"),
            "a\\|b\\`c&lt;d&gt;&amp; e\\_\\[x\\]"
        );
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("alice@x.com"), "alice@x.com");
    }
}
