//! The method statement (`docs/method.md`): what the report proves, from which evidence
//! and how. It is written once, in the repository, and embedded at build time; this module
//! reads the small part of Markdown it is written in — a `#` title, `##` headings,
//! paragraphs, `- ` list items (continued by indented lines) and `code` spans — into
//! blocks that `report.md` and `report.html` render (the HTML escapes every word; nothing
//! is passed through as markup).

/// The statement's file in the repository, as the report cites it.
pub const FILE: &str = "docs/method.md";
/// The statement, embedded at build time.
pub const TEXT: &str = include_str!("../../docs/method.md");

/// A piece of text: plain, or a `code` span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub code: bool,
    pub text: String,
}

/// A block of the statement: a heading, a paragraph, or a list (one entry per item; a
/// heading and a paragraph have one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub heading: bool,
    pub list: bool,
    pub items: Vec<Vec<Span>>,
}

/// The blocks of `TEXT`, its `#` title left out (the report has its own).
pub fn blocks() -> Vec<Block> {
    parse(TEXT)
}

/// Reads the Markdown subset; other Markdown is kept as plain text.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    // The text of the block being read, and whether it is a list (its items so far).
    let mut open: Option<(bool, Vec<String>)> = None;
    let flush = |open: &mut Option<(bool, Vec<String>)>, blocks: &mut Vec<Block>| {
        if let Some((list, items)) = open.take() {
            blocks.push(Block {
                heading: false,
                list,
                items: items.iter().map(|i| spans(i)).collect(),
            });
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("# ") {
            flush(&mut open, &mut blocks);
        } else if let Some(h) = trimmed.strip_prefix("## ") {
            flush(&mut open, &mut blocks);
            blocks.push(Block {
                heading: true,
                list: false,
                items: vec![spans(h.trim())],
            });
        } else if let Some(item) = line.strip_prefix("- ") {
            if !matches!(open, Some((true, _))) {
                flush(&mut open, &mut blocks);
            }
            open.get_or_insert((true, Vec::new()))
                .1
                .push(item.trim().to_owned());
        } else {
            let (_, items) = open.get_or_insert((false, Vec::new()));
            match items.last_mut() {
                Some(last) => {
                    last.push(' ');
                    last.push_str(trimmed);
                }
                None => items.push(trimmed.to_owned()),
            }
        }
    }
    flush(&mut open, &mut blocks);
    blocks
}

/// The spans of one line of text: between backticks is code (an unpaired backtick is text).
fn spans(text: &str) -> Vec<Span> {
    let parts: Vec<&str> = text.split('`').collect();
    let paired = parts.len() % 2 == 1;
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let code = paired && i % 2 == 1;
        if part.is_empty() && !code {
            continue;
        }
        let text = if !paired && i > 0 {
            format!("`{part}")
        } else {
            (*part).to_owned()
        };
        out.push(Span { code, text });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(b: &Block) -> Vec<String> {
        b.items
            .iter()
            .map(|i| i.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn the_subset_reads_into_blocks() {
        let text = "# Title\n\n## What\n\nOne `a.sql`\nparagraph.\n\n- first\n  item\n- second\n\nAfter `b";
        let blocks = parse(text);
        assert_eq!(blocks.len(), 4);
        assert!(blocks[0].heading);
        assert_eq!(plain(&blocks[0]), ["What"]);
        assert_eq!(plain(&blocks[1]), ["One a.sql paragraph."]);
        assert!(blocks[1].items[0][1].code);
        assert!(blocks[2].list);
        assert_eq!(plain(&blocks[2]), ["first item", "second"]);
        assert_eq!(plain(&blocks[3]), ["After `b"]);
        assert!(blocks[3].items[0].iter().all(|s| !s.code));
    }

    /// The statement uses only the subset: its headings are the five parts, and every
    /// backtick is paired.
    #[test]
    fn the_statement_is_in_the_subset() {
        let blocks = blocks();
        let headings: Vec<Vec<String>> = blocks.iter().filter(|b| b.heading).map(plain).collect();
        assert_eq!(
            headings.concat(),
            [
                "What this report proves",
                "From which evidence",
                "How",
                "What it does not prove",
                "How to check it"
            ]
        );
        for line in TEXT.lines() {
            assert_eq!(line.matches('`').count() % 2, 0, "{line}");
            assert!(!line.starts_with("###") && !line.starts_with('|'), "{line}");
        }
    }
}
