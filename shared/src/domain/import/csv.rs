//! CSV rows as the bytes arrive: a push parser over `csv-core` (RFC 4180: quoted
//! fields may hold commas, quotes and line breaks; CRLF or LF line ends; a UTF-8 BOM
//! is skipped) that keeps one record in memory at a time, and the header's columns.

use std::collections::BTreeMap;

use csv_core::{ReadRecordResult, Reader};

use super::report::Rejection;
use super::row::{status, whole_number, RowInput};
use super::{FileProblem, MAX_ROW_BYTES};
use crate::domain::catalog::input_limits::MAX_ATTRIBUTE_NAME;

/// Complete records of a CSV byte stream, each with the line it starts on.
pub struct CsvRecords {
    reader: Reader,
    output: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// The line the next byte is on.
    line: u64,
    /// The line the record being read started on.
    record_line: Option<u64>,
    bom: super::BomStrip,
}

/// One record: its first line and its fields.
pub struct Record<'a> {
    pub line: u64,
    pub fields: Vec<&'a str>,
}

const MAX_FIELDS: usize = 64;

impl Default for CsvRecords {
    fn default() -> Self {
        CsvRecords {
            reader: Reader::new(),
            output: vec![0; 4096],
            out_len: 0,
            ends: vec![0; 16],
            ends_len: 0,
            line: 1,
            record_line: None,
            bom: super::BomStrip::default(),
        }
    }
}

impl CsvRecords {
    /// Parses `input` (empty: the end of the file), calling `sink` with each complete record.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        sink: &mut dyn FnMut(Record<'_>) -> Result<(), FileProblem>,
    ) -> Result<(), FileProblem> {
        let mut bom = std::mem::take(&mut self.bom);
        let stripped = bom.strip(chunk).into_owned();
        self.bom = bom;
        if stripped.is_empty() && !chunk.is_empty() {
            return Ok(());
        }
        let mut input = &stripped[..];
        loop {
            if self.record_line.is_none() {
                // Line ends between records belong to no record: the next starts after them.
                let skip = input
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count();
                self.line += input[..skip].iter().filter(|b| **b == b'\n').count() as u64;
                input = &input[skip..];
                if !input.is_empty() {
                    self.record_line = Some(self.line);
                }
            }
            let (result, nin, nout, nend) = self.reader.read_record(
                input,
                &mut self.output[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            self.line += input[..nin].iter().filter(|b| **b == b'\n').count() as u64;
            input = &input[nin..];
            self.out_len += nout;
            self.ends_len += nend;
            let line = self.record_line.unwrap_or(self.line);
            match result {
                ReadRecordResult::InputEmpty => return Ok(()),
                ReadRecordResult::OutputFull => {
                    if self.output.len() >= MAX_ROW_BYTES {
                        return Err(FileProblem::Unreadable {
                            line,
                            reason: format!(
                                "a row is longer than {MAX_ROW_BYTES} bytes (an unclosed quote?)"
                            ),
                        });
                    }
                    self.output.resize(self.output.len() * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= MAX_FIELDS {
                        return Err(FileProblem::Unreadable {
                            line,
                            reason: format!("a row has more than {MAX_FIELDS} fields"),
                        });
                    }
                    self.ends.resize(self.ends.len() * 2, 0);
                }
                ReadRecordResult::Record => {
                    let data = &self.output[..self.out_len];
                    let text =
                        std::str::from_utf8(data).map_err(|_| FileProblem::NotUtf8 { line })?;
                    let mut fields = Vec::with_capacity(self.ends_len);
                    let mut start = 0;
                    for &end in &self.ends[..self.ends_len] {
                        fields.push(&text[start..end]);
                        start = end;
                    }
                    self.out_len = 0;
                    self.ends_len = 0;
                    self.record_line = None;
                    // A blank line reads as one empty field: it is no row.
                    if !(fields.len() == 1 && fields[0].is_empty()) {
                        sink(Record { line, fields })?;
                    }
                }
                ReadRecordResult::End => return Ok(()),
            }
        }
    }
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Handle,
    Name,
    Description,
    Brand,
    CategoryId,
    Status,
    Sku,
    Price,
    SalePrice,
    Currency,
    OnHand,
    Attribute(String),
}

const NAMED: [(&str, bool); 11] = [
    ("handle", true),
    ("name", true),
    ("description", false),
    ("brand", true),
    ("categoryId", true),
    ("status", false),
    ("sku", true),
    ("price", true),
    ("salePrice", false),
    ("currency", true),
    ("onHand", true),
];

fn named(name: &str) -> Option<Column> {
    Some(match name {
        "handle" => Column::Handle,
        "name" => Column::Name,
        "description" => Column::Description,
        "brand" => Column::Brand,
        "categoryId" => Column::CategoryId,
        "status" => Column::Status,
        "sku" => Column::Sku,
        "price" => Column::Price,
        "salePrice" => Column::SalePrice,
        "currency" => Column::Currency,
        "onHand" => Column::OnHand,
        _ => return None,
    })
}

/// A column name as a message quotes it: at most 40 characters of it (a header field may
/// be up to a row's 64 KiB).
fn shown(name: &str) -> String {
    const SHOWN: usize = 40;
    match name.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{:?}…", &name[..cut]),
        None => format!("{name:?}"),
    }
}

/// The header: which column each field of a row is.
#[derive(Debug)]
pub struct Columns(Vec<(String, Column)>);

impl Columns {
    pub fn parse(header: &[&str]) -> Result<Columns, FileProblem> {
        let mut columns = Vec::new();
        for raw in header {
            let name = raw.trim();
            let column = match name.strip_prefix("attr:") {
                Some(attr) if attr.trim().chars().count() > MAX_ATTRIBUTE_NAME => {
                    return Err(FileProblem::Header(format!(
                        "column {}: attribute names are at most {MAX_ATTRIBUTE_NAME} characters",
                        shown(name)
                    )))
                }
                Some(attr) if !attr.trim().is_empty() => Column::Attribute(attr.trim().to_owned()),
                _ => named(name).ok_or_else(|| {
                    FileProblem::Header(format!(
                        "unknown column {}; the columns are {}, and attr:<name> for attributes",
                        shown(name),
                        NAMED.map(|(n, _)| n).join(", ")
                    ))
                })?,
            };
            if columns.iter().any(|(n, _)| n == name) {
                return Err(FileProblem::Header(format!(
                    "column {} appears twice",
                    shown(name)
                )));
            }
            columns.push((name.to_owned(), column));
        }
        let missing: Vec<&str> = NAMED
            .iter()
            .filter(|(n, required)| *required && !columns.iter().any(|(c, _)| c == n))
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(FileProblem::Header(format!(
                "missing column(s) {}",
                missing.join(", ")
            )));
        }
        Ok(Columns(columns))
    }

    /// A record's cells as a row; a cell of the wrong type is a rejection.
    pub fn row(&self, record: &Record<'_>) -> Result<RowInput, Vec<Rejection>> {
        let line = record.line;
        if record.fields.len() != self.0.len() {
            return Err(vec![Rejection::new(
                line,
                "",
                &format!(
                    "has {} fields; the header has {}",
                    record.fields.len(),
                    self.0.len()
                ),
            )]);
        }
        let mut row = RowInput::default();
        let mut rejections = Vec::new();
        let number = |name: &str, text: &str, rejections: &mut Vec<Rejection>| {
            whole_number(text, name).unwrap_or_else(|reason| {
                rejections.push(Rejection::new(line, name, reason));
                0
            })
        };
        let mut attributes = BTreeMap::new();
        for ((name, column), text) in self.0.iter().zip(&record.fields) {
            let text = *text;
            match column {
                Column::Handle => row.handle = text.trim().to_owned(),
                Column::Name => row.name = text.to_owned(),
                Column::Description => row.description = text.to_owned(),
                Column::Brand => row.brand = text.to_owned(),
                Column::CategoryId => row.category_id = text.trim().to_owned(),
                Column::Status => match status(text) {
                    Ok(s) => row.status = s,
                    Err(reason) => rejections.push(Rejection::new(line, name, reason)),
                },
                Column::Sku => row.sku = text.trim().to_owned(),
                Column::Price => row.price = number(name, text, &mut rejections),
                Column::SalePrice if text.trim().is_empty() => {}
                Column::SalePrice => row.sale_price = Some(number(name, text, &mut rejections)),
                Column::Currency => row.currency = text.trim().to_owned(),
                Column::OnHand => row.on_hand = number(name, text, &mut rejections),
                Column::Attribute(_) if text.trim().is_empty() => {}
                Column::Attribute(attr) => {
                    attributes.insert(attr.clone(), text.to_owned());
                }
            }
        }
        row.attributes = attributes;
        if rejections.is_empty() {
            Ok(row)
        } else {
            Err(rejections)
        }
    }
}

#[cfg(test)]
mod tests;
