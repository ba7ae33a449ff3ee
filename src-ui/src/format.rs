//! Formatting numbers the way the explorer shows them.

/// A row estimate in a few characters: `950`, `12.3k`, `1.0M`, `4.2B`.
pub fn compact_count(count: i64) -> String {
    let magnitude = count.unsigned_abs() as f64;
    let sign = if count < 0 { "-" } else { "" };
    match magnitude {
        m if m < 1_000.0 => count.to_string(),
        m if m < 1_000_000.0 => format!("{sign}{:.1}k", m / 1_000.0),
        m if m < 1_000_000_000.0 => format!("{sign}{:.1}M", m / 1_000_000.0),
        m => format!("{sign}{:.1}B", m / 1_000_000_000.0),
    }
}

/// A count with thousands separators: `1,000,000`.
pub fn grouped(count: i64) -> String {
    let digits = count.unsigned_abs().to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if count < 0 { format!("-{out}") } else { out }
}

/// A size in bytes with a binary unit: `512 B`, `1.5 MiB`, `12.0 GiB`.
pub fn bytes(count: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = count.max(0) as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{count} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(165 * 1024 * 1024), "165.0 MiB");
    }

    #[test]
    fn compact_counts() {
        assert_eq!(compact_count(0), "0");
        assert_eq!(compact_count(999), "999");
        assert_eq!(compact_count(1_010), "1.0k");
        assert_eq!(compact_count(1_000_000), "1.0M");
        assert_eq!(compact_count(4_200_000_000), "4.2B");
    }

    #[test]
    fn grouped_counts() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(-12_345), "-12,345");
    }
}
