//! Records per second on a realistic 100-record page (~390-byte records):
//! (a) `Document::parse` + plain selector, (b) auto-detection, (c) `serde_json::Value` + jsonpath_lib,
//! and the per-page cost of writing records as JSON lines (`as_bytes` + newline).

use std::fmt::Write as _;
use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use restclient_select::{Document, Query, Selector};

const RECORDS: usize = 100;

/// A page like a typical REST API's: `{"data": [...], "meta": {...}, "links": {...}}`.
fn page() -> Bytes {
    let mut s = String::from("{\"data\":[");
    for i in 0..RECORDS {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            concat!(
                "{{\"id\":{i},\"name\":\"Customer number {i:05}\",\"email\":\"customer{i:05}@example.com\",",
                "\"created_at\":\"2024-03-{d:02}T10:{m:02}:00Z\",\"updated_at\":\"2024-04-{d:02}T11:{m:02}:30Z\",",
                "\"active\":{active},\"score\":{score}.25,",
                "\"address\":{{\"street\":\"{i} Main Street\",\"city\":\"Springfield\",\"zip\":\"{zip:05}\",\"country\":\"US\"}},",
                "\"tags\":[\"alpha\",\"beta\",\"gamma\",\"tier-{t}\"],",
                "\"note\":\"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\"}}"
            ),
            i = i,
            d = i % 28 + 1,
            m = i % 60,
            active = i % 2 == 0,
            score = i * 7 % 100,
            zip = 10000 + i,
            t = i % 3,
        );
    }
    s.push_str("],\"meta\":{\"total\":100000,\"page\":3,\"per_page\":100},");
    s.push_str("\"links\":{\"next\":\"https://api.example.com/customers?page=4\"}}");
    Bytes::from(s)
}

fn bench(c: &mut Criterion) {
    let body = page();
    let records = Selector::parse("data").unwrap_or_else(|e| panic!("{e}"));
    let total = Selector::parse("meta.total").unwrap_or_else(|e| panic!("{e}"));
    let next = Selector::parse("links.next").unwrap_or_else(|e| panic!("{e}"));
    let query = Query::new([&records, &total, &next]);
    let jsonpath = jsonpath_lib::Compiled::compile("$.data").unwrap_or_else(|e| panic!("{e}"));

    let n = Document::parse(body.clone(), &query)
        .and_then(|d| d.records(&records))
        .map(|r| r.len())
        .unwrap_or_default();
    assert_eq!(n, RECORDS);

    let mut g = c.benchmark_group("page_100_records");
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function(
        format!("a_document_plain_selector ({} B/page)", body.len()),
        |b| {
            b.iter(|| {
                let doc = Document::parse(black_box(body.clone()), &query).ok()?;
                let recs = doc.records(&records).ok()?;
                let total = doc.first(&total).ok()??;
                let next = doc.first(&next).ok()??;
                Some((recs.len(), total.is_truthy(), next.as_bytes().len()))
            })
        },
    );
    let empty = Query::new([]);
    g.bench_function("b_auto_detection", |b| {
        b.iter(|| {
            let doc = Document::parse(black_box(body.clone()), &empty).ok()?;
            let (_, recs) = doc.detect_records().ok()?;
            Some(recs.len())
        })
    });
    g.bench_function("c_value_and_jsonpath_lib", |b| {
        b.iter(|| {
            let value: serde_json::Value = serde_json::from_slice(black_box(&body)).ok()?;
            let found = jsonpath.select(&value).ok()?;
            let recs: Vec<serde_json::Value> = match found.first() {
                Some(serde_json::Value::Array(items)) => items.clone(),
                _ => Vec::new(),
            };
            Some(recs.len())
        })
    });
    g.finish();

    // issue 7: writing a page's records as JSON lines
    let doc = Document::parse(body.clone(), &query).unwrap_or_else(|e| panic!("{e}"));
    let recs = doc.records(&records).unwrap_or_else(|e| panic!("{e}"));
    let mut g = c.benchmark_group("jsonl_write_100_records");
    g.throughput(Throughput::Elements(RECORDS as u64));
    let mut out: Vec<u8> = Vec::with_capacity(body.len() + RECORDS);
    g.bench_function("as_bytes_plus_newline", |b| {
        b.iter(|| {
            out.clear();
            for r in black_box(&recs) {
                let bytes = r.as_bytes();
                if bytes.contains(&b'\n') {
                    // pretty-printed record: compact it (rare)
                    if let Ok(v) = r.to_value()
                        && let Ok(compact) = serde_json::to_vec(&v)
                    {
                        out.extend_from_slice(&compact);
                    }
                } else {
                    out.extend_from_slice(bytes);
                }
                out.push(b'\n');
            }
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
