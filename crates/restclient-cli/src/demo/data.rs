//! Realistic, deterministic records for the demo API (no randomness between runs).

use serde_json::{Value, json};

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Ken",
    "Radia",
    "Linus",
    "Frances",
    "John",
    "Hedy",
    "Dennis",
    "Katherine",
    "Tim",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Perlman",
    "Torvalds",
    "Allen",
    "Backus",
    "Lamarr",
    "Ritchie",
    "Johnson",
    "Berners-Lee",
];
const COUNTRIES: &[(&str, &str)] = &[
    ("DE", "Germany"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
    ("PL", "Poland"),
    ("JP", "Japan"),
    ("BR", "Brazil"),
    ("IN", "India"),
    ("NG", "Nigeria"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("ES", "Spain"),
];
const PLANS: &[&str] = &["free", "starter", "pro", "enterprise"];
const PRODUCTS: &[(&str, &str, f64)] = &[
    ("Mechanical keyboard", "hardware", 129.0),
    ("Noise-cancelling headphones", "audio", 249.5),
    ("USB-C dock", "hardware", 89.99),
    ("Standing desk", "furniture", 499.0),
    ("Ergonomic chair", "furniture", 389.0),
    ("4K monitor", "hardware", 329.9),
    ("Webcam", "video", 74.5),
    ("Portable SSD 1TB", "storage", 109.0),
];
const EVENTS: &[&str] = &[
    "page_view",
    "signup",
    "login",
    "add_to_cart",
    "checkout",
    "logout",
];
const PATHS: &[&str] = &[
    "/",
    "/pricing",
    "/docs",
    "/blog/rust-vs-python",
    "/signup",
    "/cart",
];
const ORDER_STATUS: &[&str] = &["pending", "paid", "shipped", "delivered", "refunded"];
const CURRENCIES: &[&str] = &["EUR", "USD", "GBP"];

/// A small deterministic mixer, so records vary without a random number generator.
fn mix(i: usize, salt: u64) -> usize {
    let mut x = (i as u64).wrapping_add(salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x % (1 << 31)) as usize
}

fn pick<T: Copy>(items: &[T], i: usize, salt: u64) -> T {
    items[mix(i, salt) % items.len()]
}

/// An ISO 8601 UTC timestamp `seconds` after 2024-01-01T00:00:00Z.
fn timestamp(seconds: u64) -> String {
    // Days since 1970-01-01 of 2024-01-01.
    const EPOCH_2024: u64 = 19_723;
    let days = EPOCH_2024 + seconds / 86_400;
    let rem = seconds % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Customer `i` (1-based ids).
pub(crate) fn customer(i: usize) -> Value {
    let first = pick(FIRST, i, 1);
    let last = pick(LAST, i, 2);
    let (code, _) = pick(COUNTRIES, i, 3);
    json!({
        "id": i + 1,
        "name": format!("{first} {last}"),
        "email": format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), i + 1),
        "country": code,
        "plan": pick(PLANS, i, 4),
        "active": !mix(i, 5).is_multiple_of(7),
        "created_at": timestamp((i as u64) * 37_913),
    })
}

/// Order `i`.
pub(crate) fn order(i: usize) -> Value {
    let lines = 1 + mix(i, 11) % 3;
    let items: Vec<Value> = (0..lines)
        .map(|l| {
            let (name, _, price) = pick(PRODUCTS, i * 3 + l, 12);
            json!({"sku": format!("SKU-{:04}", mix(i * 3 + l, 13) % 10_000), "name": name, "qty": 1 + mix(i + l, 14) % 4, "unit_price": price})
        })
        .collect();
    let total: f64 = items
        .iter()
        .map(|item| item["qty"].as_f64().unwrap_or(0.0) * item["unit_price"].as_f64().unwrap_or(0.0))
        .sum();
    json!({
        "id": format!("ord_{:06}", i + 1),
        "customer_id": 1 + mix(i, 15) % 500,
        "status": pick(ORDER_STATUS, i, 16),
        "currency": pick(CURRENCIES, i, 17),
        "total": (total * 100.0).round() / 100.0,
        "items": items,
        "ordered_at": timestamp((i as u64) * 5_417),
    })
}

/// Analytics event `i`.
pub(crate) fn event(i: usize) -> Value {
    json!({
        "id": format!("evt_{:08x}", mix(i, 21)),
        "type": pick(EVENTS, i, 22),
        "user_id": 1 + mix(i, 23) % 500,
        "properties": {"path": pick(PATHS, i, 24), "referrer": if mix(i, 25).is_multiple_of(3) { Value::Null } else { json!("https://search.example") }},
        "ts": timestamp((i as u64) * 613),
    })
}

/// Catalogue product `i`.
pub(crate) fn product(i: usize) -> Value {
    let (name, category, price) = pick(PRODUCTS, i, 31);
    json!({
        "id": i + 1,
        "name": format!("{name} v{}", 1 + i % 5),
        "category": category,
        "price": price,
        "in_stock": !mix(i, 32).is_multiple_of(5),
        "tags": [category, if price > 200.0 { "premium" } else { "everyday" }],
    })
}

/// Team member `i`.
pub(crate) fn user(i: usize) -> Value {
    let first = pick(FIRST, i, 41);
    let last = pick(LAST, i, 42);
    json!({
        "id": i + 1,
        "login": format!("{}{}", &first[..1].to_lowercase(), last.to_lowercase()),
        "display_name": format!("{first} {last}"),
        "role": if i.is_multiple_of(9) { "admin" } else { "member" },
        "last_seen": timestamp((i as u64) * 91_111),
    })
}

/// Invoice `i`.
pub(crate) fn invoice(i: usize) -> Value {
    json!({
        "number": format!("INV-2024-{:05}", i + 1),
        "customer_id": 1 + mix(i, 51) % 500,
        "amount_cents": 1_000 + mix(i, 52) % 250_000,
        "currency": pick(CURRENCIES, i, 53),
        "paid": !mix(i, 54).is_multiple_of(4),
        "issued_at": timestamp((i as u64) * 29_000),
    })
}

/// Country `i` (all of them fit on one page).
pub(crate) fn country(i: usize) -> Value {
    let (code, name) = COUNTRIES[i % COUNTRIES.len()];
    json!({"code": code, "name": name})
}

/// The number of countries.
pub(crate) const COUNTRY_COUNT: usize = COUNTRIES.len();

/// Monthly revenue report `i`, behind OAuth2.
pub(crate) fn report(i: usize) -> Value {
    let year = 2022 + i / 12;
    let month = 1 + i % 12;
    json!({
        "period": format!("{year}-{month:02}"),
        "revenue": 100_000 + mix(i, 61) % 900_000,
        "new_customers": 20 + mix(i, 62) % 300,
        "churned_customers": mix(i, 63) % 40,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_valid_dates() {
        assert_eq!(timestamp(0), "2024-01-01T00:00:00Z");
        assert_eq!(timestamp(59 * 86_400 + 3_661), "2024-02-29T01:01:01Z");
        assert_eq!(timestamp(366 * 86_400), "2025-01-01T00:00:00Z");
    }

    #[test]
    fn records_are_deterministic_and_varied() {
        assert_eq!(customer(7), customer(7));
        assert_ne!(customer(7)["email"], customer(8)["email"]);
        assert!(order(3)["total"].as_f64().unwrap() > 0.0);
        assert_eq!(country(0)["code"], "DE");
    }
}
