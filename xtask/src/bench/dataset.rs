//! The synthetic dataset: realistic records of about 350 bytes, rendered once into one buffer.
//!
//! Records are rendered at start-up, separated by commas, into a single `Bytes`; a page of records
//! `a..b` is then one zero-copy slice of it (two when it wraps around the end of the pool), so the
//! server does no JSON work per request. Runs that ask for more records than the pool holds wrap
//! around: ids repeat, nothing checks them.

use std::fmt::Write as _;

use bytes::Bytes;

const FIRST: [&str; 16] = [
    "Ada",
    "Grace",
    "Alan",
    "Barbara",
    "Edsger",
    "Frances",
    "Donald",
    "Margaret",
    "Ken",
    "Radia",
    "Linus",
    "Sophie",
    "Tim",
    "Katherine",
    "Dennis",
    "Hedy",
];
const LAST: [&str; 16] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Liskov",
    "Dijkstra",
    "Allen",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Perlman",
    "Torvalds",
    "Wilson",
    "Berners-Lee",
    "Johnson",
    "Ritchie",
    "Lamarr",
];
const CITIES: [(&str, &str, f64, f64); 8] = [
    ("Berlin", "DE", 52.52, 13.405),
    ("Lisbon", "PT", 38.7223, -9.1393),
    ("Toronto", "CA", 43.6532, -79.3832),
    ("Osaka", "JP", 34.6937, 135.5023),
    ("Austin", "US", 30.2672, -97.7431),
    ("Nairobi", "KE", -1.2921, 36.8219),
    ("Lyon", "FR", 45.764, 4.8357),
    ("Krakow", "PL", 50.0647, 19.945),
];
const TAGS: [&str; 10] = [
    "alpha",
    "beta",
    "customer",
    "trial",
    "vip",
    "churn-risk",
    "newsletter",
    "partner",
    "eu",
    "mobile",
];
const PLANS: [&str; 4] = ["free", "starter", "team", "enterprise"];

/// A pool of pre-rendered records.
#[derive(Debug)]
pub(crate) struct Dataset {
    /// `record0,record1,...,recordN-1`
    buf: Bytes,
    /// Byte offset where each record starts, plus one past the end (as if a comma followed the last).
    starts: Vec<usize>,
}

impl Dataset {
    /// Renders `pool` records (at least one).
    pub(crate) fn new(pool: usize) -> Dataset {
        let pool = pool.max(1);
        let mut buf = String::with_capacity(pool * 380);
        let mut starts = Vec::with_capacity(pool + 1);
        for i in 0..pool {
            if i > 0 {
                buf.push(',');
            }
            starts.push(buf.len());
            render(&mut buf, i as u64);
        }
        starts.push(buf.len() + 1);
        Dataset {
            buf: Bytes::from(buf),
            starts,
        }
    }

    /// Number of distinct records.
    pub(crate) fn pool(&self) -> usize {
        self.starts.len() - 1
    }

    /// Mean record size in bytes.
    pub(crate) fn mean_record_bytes(&self) -> usize {
        self.buf.len() / self.pool()
    }

    /// The comma-separated records `offset..offset+count` (wrapping around the pool), as chunks to
    /// write one after the other.
    pub(crate) fn records(&self, offset: u64, count: usize, out: &mut Vec<Bytes>) {
        let pool = self.pool();
        let mut start = (offset % pool as u64) as usize;
        let mut left = count;
        let mut first = true;
        while left > 0 {
            let end = (start + left).min(pool);
            if !first {
                out.push(Bytes::from_static(b","));
            }
            out.push(self.buf.slice(self.starts[start]..self.starts[end] - 1));
            left -= end - start;
            start = 0;
            first = false;
        }
    }
}

fn render(out: &mut String, i: u64) {
    // A cheap deterministic mix so neighbouring records differ.
    let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 17;
    let first = FIRST[(h % 16) as usize];
    let last = LAST[((h >> 4) % 16) as usize];
    let (city, country, lat, lon) = CITIES[((h >> 8) % 8) as usize];
    let plan = PLANS[((h >> 11) % 4) as usize];
    let day = 1 + (h >> 13) % 28;
    let month = 1 + (h >> 18) % 12;
    let secs = (h >> 22) % 86_400;
    let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
    let score = (h % 10_000) as f64 / 100.0;
    let t = (h >> 30) as usize;
    let tags = [TAGS[t % 10], TAGS[(t / 10) % 10], TAGS[(t / 100) % 10]];
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        concat!(
            r#"{{"id":{i},"name":"{first} {last}","email":"{lfirst}.{llast}{i}@example.com","#,
            r#""created_at":"2023-{month:02}-{day:02}T{hh:02}:{mm:02}:{ss:02}Z","#,
            r#""updated_at":"2024-{month:02}-{day:02}T{hh:02}:{mm:02}:{ss:02}.{ms:03}Z","#,
            r#""active":{active},"plan":"{plan}","score":{score},"#,
            r#""address":{{"street":"{num} Main Street","city":"{city}","postal_code":"{zip:05}","#,
            r#""country":"{country}","geo":{{"lat":{lat},"lon":{lon}}}}},"#,
            r#""tags":["{t0}","{t1}","{t2}"]}}"#
        ),
        i = i,
        first = first,
        last = last,
        lfirst = first.to_ascii_lowercase(),
        llast = last.to_ascii_lowercase(),
        month = month,
        day = day,
        hh = hh,
        mm = mm,
        ss = ss,
        ms = h % 1000,
        active = !h.is_multiple_of(3),
        plan = plan,
        score = score,
        num = 1 + h % 999,
        city = city,
        zip = h % 100_000,
        country = country,
        lat = lat,
        lon = lon,
        t0 = tags[0],
        t1 = tags[1],
        t2 = tags[2],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_valid_json_of_about_350_bytes() {
        let ds = Dataset::new(1000);
        let mean = ds.mean_record_bytes();
        assert!((320..=400).contains(&mean), "mean record size {mean}");
        let mut chunks = Vec::new();
        ds.records(990, 25, &mut chunks);
        let mut body = b"[".to_vec();
        for c in &chunks {
            body.extend_from_slice(c);
        }
        body.push(b']');
        let v: Vec<serde_json::Value> = serde_json::from_slice(&body).expect("valid JSON");
        assert_eq!(v.len(), 25);
        assert_eq!(v[0]["id"], 990);
        assert_eq!(v[10]["id"], 0);
        assert!(v[3]["address"]["geo"]["lat"].is_number());
        assert_eq!(v[3]["tags"].as_array().map(Vec::len), Some(3));
    }
}
