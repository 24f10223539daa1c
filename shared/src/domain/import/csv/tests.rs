use super::*;

/// Every record of `bytes` fed in chunks of `chunk` bytes: (line, fields).
fn records(bytes: &[u8], chunk: usize) -> Vec<(u64, Vec<String>)> {
    let mut parser = CsvRecords::default();
    let mut out = Vec::new();
    let mut sink = |r: Record<'_>| {
        out.push((r.line, r.fields.iter().map(|f| f.to_string()).collect()));
        Ok(())
    };
    for part in bytes.chunks(chunk) {
        parser.feed(part, &mut sink).unwrap();
    }
    parser.feed(&[], &mut sink).unwrap();
    out
}

#[test]
fn quotes_crlf_bom_and_any_chunking_read_the_same() {
    let file = "\u{feff}handle,name\r\na,\"Shoe, \"\"trail\"\"\"\r\nb,\"two\nlines\"\r\n\r\nc,last";
    for chunk in [1, 2, 3, 7, 1000] {
        let got = records(file.as_bytes(), chunk);
        assert_eq!(
            got,
            vec![
                (1, vec!["handle".into(), "name".into()]),
                (2, vec!["a".into(), "Shoe, \"trail\"".into()]),
                (3, vec!["b".into(), "two\nlines".into()]),
                (6, vec!["c".into(), "last".into()]),
            ],
            "chunk {chunk}"
        );
    }
}

#[test]
fn an_endless_quoted_field_fails_the_file_instead_of_growing() {
    let mut parser = CsvRecords::default();
    let mut sink = |_: Record<'_>| Ok(());
    let mut file = b"handle\n\"".to_vec();
    file.extend(std::iter::repeat_n(b'x', MAX_ROW_BYTES * 2));
    let result = parser.feed(&file, &mut sink);
    assert!(
        matches!(result, Err(FileProblem::Unreadable { line: 2, .. })),
        "{result:?}"
    );
}

fn header() -> Columns {
    Columns::parse(&[
        "handle",
        "name",
        "brand",
        "categoryId",
        "sku",
        "price",
        "salePrice",
        "currency",
        "onHand",
        "attr:size",
    ])
    .unwrap()
}

#[test]
fn headers_need_every_required_column_and_nothing_unknown() {
    assert!(
        matches!(Columns::parse(&["handle", "name"]), Err(FileProblem::Header(m)) if m.contains("brand"))
    );
    assert!(
        matches!(Columns::parse(&["handle", "colour"]), Err(FileProblem::Header(m)) if m.contains("colour"))
    );
    let twice = [
        "handle",
        "name",
        "brand",
        "categoryId",
        "sku",
        "price",
        "currency",
        "onHand",
        "sku",
    ];
    assert!(matches!(Columns::parse(&twice), Err(FileProblem::Header(m)) if m.contains("twice")));
}

#[test]
fn long_column_names_are_refused_and_quoted_short() {
    let long_attr = format!("attr:{}", "n".repeat(64 * 1024));
    let Err(FileProblem::Header(m)) = Columns::parse(&["handle", &long_attr]) else {
        panic!("a 64 KiB attribute name is refused");
    };
    assert!(m.contains("at most 32 characters") && m.len() < 200, "{m}");
    let long_unknown = "x".repeat(64 * 1024);
    let Err(FileProblem::Header(m)) = Columns::parse(&["handle", &long_unknown]) else {
        panic!("an unknown column is refused");
    };
    assert!(m.contains("unknown column") && m.len() < 300, "{}", m.len());
    let at_limit = format!("attr:{}", "n".repeat(32));
    assert!(
        !matches!(Columns::parse(&["handle", &at_limit]), Err(FileProblem::Header(m)) if m.contains("32"))
    );
}

#[test]
fn cells_become_typed_rows_and_bad_types_name_their_column() {
    let columns = header();
    let record = Record {
        line: 4,
        fields: vec![
            "h", "Shoe", "Acme", "shoes", "S-1", "4999", "", "USD", "3", "42",
        ],
    };
    let row = columns.row(&record).unwrap();
    assert_eq!((row.price, row.sale_price, row.on_hand), (4999, None, 3));
    assert_eq!(row.attributes.get("size").map(String::as_str), Some("42"));
    let bad = Record {
        line: 5,
        fields: vec![
            "h", "Shoe", "Acme", "shoes", "S-1", "49.99", "x", "USD", "3", "",
        ],
    };
    let rejections = columns.row(&bad).unwrap_err();
    let cols: Vec<_> = rejections
        .iter()
        .map(|r| (r.line, r.column.as_str()))
        .collect();
    assert_eq!(cols, [(5, "price"), (5, "salePrice")]);
    let short = Record {
        line: 6,
        fields: vec!["h"],
    };
    assert_eq!(columns.row(&short).unwrap_err()[0].column, "");
}
