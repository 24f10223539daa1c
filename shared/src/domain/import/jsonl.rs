//! JSON Lines rows as the bytes arrive: one JSON object per line (LF or CRLF), blank
//! lines skipped, one line in memory at a time. Each key is a column of the CSV format
//! (`attributes` is an object of strings instead of `attr:<name>` columns).

use serde_json::{Map, Value};
use std::collections::BTreeMap;

use super::report::Rejection;
use super::row::RowInput;
use super::{FileProblem, MAX_ROW_BYTES};

/// Why a line of a text file could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineProblem {
    /// Longer than [`MAX_ROW_BYTES`]; its bytes were dropped up to its end.
    TooLong,
    NotUtf8,
}

/// Complete lines of a byte stream, each with its number (LF or CRLF, a leading BOM
/// dropped, blank lines skipped), one line in memory at a time. A bad line is answered
/// as its [`LineProblem`] and the lines after it are read as usual: the caller decides
/// whether one bad line fails the file ([`JsonLines`]) or only itself (the carrier's
/// event files).
#[derive(Default)]
pub struct Lines {
    partial: Vec<u8>,
    line: u64,
    too_long: bool,
    bom: super::BomStrip,
}

/// What [`Lines`] hands its sink: a line's number and its text, or why it has none.
pub type LineSink<'a, E> = dyn FnMut(u64, Result<&str, LineProblem>) -> Result<(), E> + 'a;

impl Lines {
    /// Splits `chunk` (empty: the end of the file) into lines, calling `sink` with each;
    /// the first error of `sink` stops the split and is answered.
    pub fn feed<E>(&mut self, chunk: &[u8], sink: &mut LineSink<'_, E>) -> Result<(), E> {
        let at_end = chunk.is_empty();
        let mut bom = std::mem::take(&mut self.bom);
        let stripped = bom.strip(chunk).into_owned();
        self.bom = bom;
        let mut input = &stripped[..];
        while let Some(pos) = input.iter().position(|b| *b == b'\n') {
            self.append(&input[..pos]);
            self.emit(sink)?;
            input = &input[pos + 1..];
        }
        self.append(input);
        if at_end {
            return self.emit(sink);
        }
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) {
        if self.too_long || self.partial.len() + bytes.len() > MAX_ROW_BYTES {
            self.too_long = true;
            self.partial.clear();
        } else {
            self.partial.extend_from_slice(bytes);
        }
    }

    fn emit<E>(&mut self, sink: &mut LineSink<'_, E>) -> Result<(), E> {
        self.line += 1;
        let bytes = std::mem::take(&mut self.partial);
        if std::mem::take(&mut self.too_long) {
            return sink(self.line, Err(LineProblem::TooLong));
        }
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(&bytes);
        match std::str::from_utf8(bytes) {
            Err(_) => sink(self.line, Err(LineProblem::NotUtf8)),
            Ok(text) if text.trim().is_empty() => Ok(()),
            Ok(text) => sink(self.line, Ok(text)),
        }
    }
}

/// The lines of an import file: the first line that cannot be read fails the file.
#[derive(Default)]
pub struct JsonLines {
    lines: Lines,
}

impl JsonLines {
    /// Splits `input` (empty: the end of the file) into lines, calling `sink` with each.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        sink: &mut dyn FnMut(u64, &str) -> Result<(), FileProblem>,
    ) -> Result<(), FileProblem> {
        self.lines.feed(chunk, &mut |line, text| match text {
            Ok(text) => sink(line, text),
            Err(LineProblem::TooLong) => Err(FileProblem::Unreadable {
                line,
                reason: format!("a line is longer than {MAX_ROW_BYTES} bytes"),
            }),
            Err(LineProblem::NotUtf8) => Err(FileProblem::NotUtf8 { line }),
        })
    }
}

const TEXT_KEYS: [&str; 7] = [
    "handle",
    "name",
    "description",
    "brand",
    "categoryId",
    "sku",
    "currency",
];

/// A line's object as a row; a key of the wrong type, or unknown, is a rejection.
pub fn row(line: u64, text: &str) -> Result<RowInput, Vec<Rejection>> {
    let object: Map<String, Value> = serde_json::from_str(text).map_err(|e| {
        vec![Rejection::new(
            line,
            "",
            &format!("is not a JSON object: {e}"),
        )]
    })?;
    let mut row = RowInput::default();
    let mut rejections = Vec::new();
    let mut reject = |key: &str, reason: &str| rejections.push(Rejection::new(line, key, reason));
    for (key, value) in &object {
        let key = key.as_str();
        match (key, value) {
            (k, Value::String(s)) if TEXT_KEYS.contains(&k) => {
                let target = match k {
                    "handle" => &mut row.handle,
                    "name" => &mut row.name,
                    "description" => &mut row.description,
                    "brand" => &mut row.brand,
                    "categoryId" => &mut row.category_id,
                    "sku" => &mut row.sku,
                    _ => &mut row.currency,
                };
                *target = s.clone();
            }
            (k, _) if TEXT_KEYS.contains(&k) => reject(k, "must be a string"),
            ("price" | "salePrice" | "onHand", Value::Null) if key == "salePrice" => {}
            ("price" | "salePrice" | "onHand", v) => match v.as_i64() {
                Some(n) if key == "price" => row.price = n,
                Some(n) if key == "salePrice" => row.sale_price = Some(n),
                Some(n) => row.on_hand = n,
                None => reject(key, super::row::whole_number_rule(key)),
            },
            ("status", Value::Null) => {}
            ("status", Value::String(s)) => match super::row::status(s) {
                Ok(status) => row.status = status,
                Err(reason) => reject(key, reason),
            },
            ("status", _) => reject(key, "must be active or inactive"),
            ("attributes", Value::Object(attrs)) => {
                let mut out = BTreeMap::new();
                for (name, v) in attrs {
                    match v.as_str() {
                        Some(s) => {
                            out.insert(name.clone(), s.to_owned());
                        }
                        None => reject(&format!("attr:{name}"), "must be a string"),
                    }
                }
                row.attributes = out;
            }
            ("attributes", _) => reject(key, "must be an object of strings"),
            _ => reject(key, "is not a known column"),
        }
    }
    for required in [
        "handle",
        "name",
        "brand",
        "categoryId",
        "sku",
        "price",
        "currency",
        "onHand",
    ] {
        if !object.contains_key(required) {
            rejections.push(Rejection::new(line, required, "is required"));
        }
    }
    if rejections.is_empty() {
        Ok(row)
    } else {
        Err(rejections)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8], chunk: usize) -> Vec<(u64, String)> {
        let mut splitter = JsonLines::default();
        let mut out = Vec::new();
        let mut sink = |n: u64, t: &str| {
            out.push((n, t.to_owned()));
            Ok(())
        };
        for part in bytes.chunks(chunk) {
            splitter.feed(part, &mut sink).unwrap();
        }
        splitter.feed(&[], &mut sink).unwrap();
        out
    }

    #[test]
    fn lines_survive_any_chunking_crlf_bom_and_blank_lines() {
        let file = "\u{feff}{\"a\":1}\r\n\n{\"b\":\"é\"}";
        for chunk in [1, 2, 5, 100] {
            assert_eq!(
                lines(file.as_bytes(), chunk),
                [(1, "{\"a\":1}".to_owned()), (3, "{\"b\":\"é\"}".to_owned())],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn a_bad_line_is_named_and_the_lines_after_it_are_read() {
        let mut file = b"{\"a\":1}\n".to_vec();
        file.extend(vec![b'x'; MAX_ROW_BYTES + 1]);
        file.extend(b"\n\xff\xfe\r\n{\"b\":2}\n");
        for chunk in [7, 4096, file.len()] {
            let mut splitter = Lines::default();
            let mut out = Vec::new();
            let mut sink = |n: u64, t: Result<&str, LineProblem>| {
                out.push((n, t.map(str::to_owned)));
                Ok::<(), ()>(())
            };
            for part in file.chunks(chunk) {
                splitter.feed(part, &mut sink).unwrap();
            }
            splitter.feed(&[], &mut sink).unwrap();
            assert_eq!(
                out,
                [
                    (1, Ok("{\"a\":1}".to_owned())),
                    (2, Err(LineProblem::TooLong)),
                    (3, Err(LineProblem::NotUtf8)),
                    (4, Ok("{\"b\":2}".to_owned())),
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn objects_become_rows_and_wrong_types_name_their_key() {
        let good = r#"{"handle":"h","name":"Shoe","brand":"Acme","categoryId":"shoes","sku":"S-1","price":4999,"salePrice":null,"currency":"USD","onHand":2,"attributes":{"size":"42"}}"#;
        let row = row(2, good).unwrap();
        assert_eq!((row.price, row.on_hand, row.sale_price), (4999, 2, None));
        let bad = r#"{"handle":"h","name":"Shoe","brand":"Acme","categoryId":"shoes","sku":"S-1","price":"4999","currency":"USD","onHand":1.5,"colour":"red"}"#;
        let mut columns: Vec<_> = super::row(3, bad)
            .unwrap_err()
            .into_iter()
            .map(|r| r.column)
            .collect();
        columns.sort();
        assert_eq!(columns, ["colour", "onHand", "price"]);
        assert_eq!(super::row(4, "[1,2]").unwrap_err()[0].column, "");
        let missing = super::row(5, "{}").unwrap_err();
        assert_eq!(missing.len(), 8);
    }
}
