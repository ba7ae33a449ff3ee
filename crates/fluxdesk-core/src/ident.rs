//! SQL identifiers: quoting names for statements and parsing `schema.table`.

use crate::error::{CoreError, CoreResult};
use fluxdesk_types::TableRef;

/// Quotes any identifier for use in SQL, so names with quotes, spaces, dots,
/// upper case or unicode work as written.
pub fn quote_ident(name: &str) -> String {
    postgres_protocol::escape::escape_identifier(name)
}

/// `"schema"."table"`.
pub fn quote_table(table: &TableRef) -> String {
    format!("{}.{}", quote_ident(&table.schema), quote_ident(&table.name))
}

/// `sql` (as Fluxdesk generates it) with each `$n` replaced by `values[n-1]`,
/// SQL text given by the caller (a literal); `$n` inside a quoted name stays.
pub(crate) fn inline_parameters(sql: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    let mut in_identifier = false;
    while let Some(c) = chars.next() {
        if c == '"' {
            in_identifier = !in_identifier;
        }
        if c != '$' || in_identifier {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(d);
            chars.next();
        }
        match digits
            .parse::<usize>()
            .ok()
            .and_then(|n| values.get(n.wrapping_sub(1)))
        {
            Some(value) => out.push_str(value),
            None => {
                out.push('$');
                out.push_str(&digits);
            }
        }
    }
    out
}

/// Parses `schema.table` the way PostgreSQL does: unquoted parts have their
/// ASCII letters folded to lower case, double-quoted parts are taken verbatim (with `""` for a quote),
/// and a missing schema means `public`.
pub fn parse_table_ref(input: &str) -> CoreResult<TableRef> {
    let parts = split_qualified(input.trim())?;
    match parts.as_slice() {
        [name] => Ok(TableRef::new("public", name.clone())),
        [schema, name] => Ok(TableRef::new(schema.clone(), name.clone())),
        _ => Err(CoreError::InvalidInput(format!(
            "\"{input}\" is not a table name. Use schema.table, quoting parts that contain dots, e.g. public.\"my.table\"."
        ))),
    }
}

fn split_qualified(input: &str) -> CoreResult<Vec<String>> {
    let invalid = || {
        CoreError::InvalidInput(format!(
            "\"{input}\" is not a valid name: check the double quotes and dots."
        ))
    };
    let mut parts = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    Some('"') => break,
                    Some(c) => part.push(c),
                    None => return Err(invalid()),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                if c == '"' {
                    return Err(invalid());
                }
                // PostgreSQL folds only ASCII letters in multibyte encodings.
                part.push(c.to_ascii_lowercase());
                chars.next();
            }
        }
        if part.is_empty() {
            return Err(invalid());
        }
        parts.push(part);
        match chars.next() {
            None => return Ok(parts),
            Some('.') => continue,
            Some(_) => return Err(invalid()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_inlined_outside_quoted_names_only() {
        let sql = r#"SELECT src.* FROM "t$1" AS src WHERE src."a""$2" = $1::text::int AND src.b ILIKE $2 OR src.c ILIKE $2 OR $9"#;
        let values = vec!["'7'".to_owned(), "E'%x\\y%'".to_owned()];
        assert_eq!(
            inline_parameters(sql, &values),
            r#"SELECT src.* FROM "t$1" AS src WHERE src."a""$2" = '7'::text::int AND src.b ILIKE E'%x\y%' OR src.c ILIKE E'%x\y%' OR $9"#
        );
    }

    #[test]
    fn quoting_doubles_embedded_quotes() {
        assert_eq!(quote_ident("todos"), "\"todos\"");
        assert_eq!(quote_ident("we\"ird name"), "\"we\"\"ird name\"");
        assert_eq!(
            quote_table(&TableRef::new("my schema", "Ünïcode")),
            "\"my schema\".\"Ünïcode\""
        );
    }

    #[test]
    fn parses_like_psql() {
        let cases = [
            ("todos", ("public", "todos")),
            ("public.Todos", ("public", "todos")),
            ("auth.users", ("auth", "users")),
            ("\"My Schema\".\"a.b\"", ("My Schema", "a.b")),
            ("s.\"say \"\"hi\"\"\"", ("s", "say \"hi\"")),
            ("public.ÜBER", ("public", "Über")),
        ];
        for (input, (schema, name)) in cases {
            assert_eq!(
                parse_table_ref(input).unwrap(),
                TableRef::new(schema, name),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_malformed_names() {
        for input in ["", "a.b.c", "a.", ".b", "\"open", "a\"b", "\"x\"y"] {
            assert!(parse_table_ref(input).is_err(), "{input:?} should be rejected");
        }
    }
}
