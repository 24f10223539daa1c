//! The error report: one CSV line per problem (`line,column,reason`), written back
//! next to the upload. It holds at most [`Report::MAX_LINES`] problems and
//! [`Report::MAX_BYTES`] bytes, so its size does not grow with the file (nor with what a
//! file's cells repeat); the rest are counted in its last line.

/// One problem with one row (or with a cell of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub line: u64,
    /// The file's column (`price`, `attr:size`); empty when the row as a whole is refused.
    pub column: String,
    pub reason: String,
}

impl Rejection {
    pub fn new(line: u64, column: &str, reason: &str) -> Rejection {
        Rejection {
            line,
            column: column.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    text: String,
    listed: u64,
    unlisted: u64,
}

/// A CSV cell: quoted when it holds a comma, quote or line break, and never read as a
/// formula by a spreadsheet (a leading `=`, `+`, `-`, `@`, tab or carriage return is
/// prefixed with `'`, as OWASP's CSV-injection advice lists them).
fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

impl Report {
    pub const MAX_LINES: u64 = 10_000;
    /// 4 MiB: 10,000 lines of about 400 bytes.
    pub const MAX_BYTES: usize = 4 * 1024 * 1024;
    pub const HEADER: &'static str = "line,column,reason\r\n";

    pub fn add(&mut self, rejection: &Rejection) {
        let header = if self.text.is_empty() {
            Report::HEADER.len()
        } else {
            0
        };
        // Escaping only lengthens a cell: a rejection whose raw text cannot fit is counted
        // without being escaped (a file repeating a huge cell costs a length check a row).
        let room = Report::MAX_BYTES.saturating_sub(self.text.len() + header);
        if self.listed >= Report::MAX_LINES
            || rejection.column.len() + rejection.reason.len() > room
        {
            self.unlisted += 1;
            return;
        }
        let line = format!(
            "{},{},{}\r\n",
            rejection.line,
            cell(&rejection.column),
            cell(&rejection.reason)
        );
        if line.len() > room {
            self.unlisted += 1;
            return;
        }
        if self.text.is_empty() {
            self.text.push_str(Report::HEADER);
        }
        self.listed += 1;
        self.text.push_str(&line);
    }

    pub fn is_empty(&self) -> bool {
        self.listed == 0
    }

    /// The report's text, or `None` when nothing was rejected.
    pub fn finish(mut self) -> Option<String> {
        if self.unlisted > 0 {
            self.text
                .push_str(&format!(",,{} more problems not listed\r\n", self.unlisted));
        }
        (!self.is_empty()).then_some(self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        let mut report = Report::default();
        report.add(&Rejection::new(
            2,
            "name",
            "must not contain \"quotes\", or commas",
        ));
        report.add(&Rejection::new(3, "attr:size", "=HYPERLINK(\"x\")"));
        let text = report.finish().unwrap();
        assert_eq!(
            text,
            "line,column,reason\r\n2,name,\"must not contain \"\"quotes\"\", or commas\"\r\n\
             3,attr:size,\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
    }

    #[test]
    fn tabs_and_carriage_returns_cannot_start_a_formula() {
        assert_eq!(cell("\t=1+2"), "'\t=1+2");
        assert_eq!(cell("\r=1+2"), "\"'\r=1+2\"");
        assert_eq!(cell("plain"), "plain");
    }

    #[test]
    fn the_report_is_capped_by_bytes_whatever_the_rows_repeat() {
        let mut report = Report::default();
        let long = "n".repeat(64 * 1024);
        for line in 0..10_000 {
            report.add(&Rejection::new(line, &format!("attr:{long}"), "unknown"));
        }
        let text = report.finish().unwrap();
        assert!(
            text.len() <= Report::MAX_BYTES + 100,
            "{} bytes",
            text.len()
        );
        let listed = text.lines().count() as u64 - 2;
        assert!(text.ends_with(&format!(
            ",,{} more problems not listed\r\n",
            10_000 - listed
        )));
    }

    #[test]
    fn the_report_is_capped_and_counts_the_rest() {
        let mut report = Report::default();
        for line in 0..Report::MAX_LINES + 5 {
            report.add(&Rejection::new(line, "price", "bad"));
        }
        let text = report.finish().unwrap();
        assert_eq!(text.lines().count() as u64, 1 + Report::MAX_LINES + 1);
        assert!(text.ends_with(",,5 more problems not listed\r\n"));
        assert!(Report::default().finish().is_none());
    }
}
