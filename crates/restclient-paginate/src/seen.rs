//! Loop detection: the requests a run has sent, remembered as fingerprints.
//!
//! dlt follows a paginator wherever it points, so a next link that points back at itself, an
//! A → B → A cycle of links, or a cursor that comes back after several pages loops forever. A run
//! here remembers a 64-bit fingerprint (method, URL with query, body; not headers) of each
//! request it derives, and a next request whose fingerprint was already sent ends the run with
//! [`PaginateError::Loop`](crate::PaginateError::Loop), naming the repeated URL and the page it
//! first fetched. An immediate repeat (the paginator did not advance) is the shortest such cycle.
//!
//! The memory is bounded: the newest [`SentRequests::CAPACITY`] fingerprints are kept, so a
//! cycle longer than that is not seen (at 16 bytes each, about 1 MiB at most). Two different
//! requests with the same 64-bit hash would be taken for a loop; among 65,536 requests the chance
//! is about 1 in 10^10. The memory is not part of a checkpoint: a resumed run starts remembering
//! again from its first request.

use std::collections::{HashMap, VecDeque};
use std::hash::Hasher;

use fnv::{FnvBuildHasher, FnvHasher};

use restclient_core::Request;

/// The fingerprints of the requests sent in a run, each with the page it fetched.
#[derive(Debug, Default)]
pub(crate) struct SentRequests {
    pages: HashMap<u64, usize, FnvBuildHasher>,
    order: VecDeque<u64>,
}

impl SentRequests {
    /// How many fingerprints a run keeps.
    pub(crate) const CAPACITY: usize = 65_536;

    /// Records that `request` fetches page `index`, unless it was sent before in this run: then
    /// nothing changes and the page it fetched is returned.
    pub(crate) fn insert(&mut self, request: &Request, index: usize) -> Option<usize> {
        let key = fingerprint(request);
        if let Some(&page) = self.pages.get(&key) {
            return Some(page);
        }
        self.pages.insert(key, index);
        self.order.push_back(key);
        if self.order.len() > Self::CAPACITY
            && let Some(oldest) = self.order.pop_front()
        {
            self.pages.remove(&oldest);
        }
        None
    }
}

/// FNV-1a over method, URL and body: a run's requests are short and many, and SipHash (or `Uri`'s
/// own byte-at-a-time `Hash`) cost a few percent of a small page's time. 64 bits over at most
/// [`SentRequests::CAPACITY`] requests make a false repeat about as likely as one in 10^10 runs.
fn fingerprint(request: &Request) -> u64 {
    let mut hasher = FnvHasher::default();
    hasher.write(request.method().as_str().as_bytes());
    hasher.write_u8(0);
    if let Some(scheme) = request.uri().scheme_str() {
        hasher.write(scheme.as_bytes());
    }
    hasher.write_u8(0);
    if let Some(authority) = request.uri().authority() {
        hasher.write(authority.as_str().as_bytes());
    }
    hasher.write_u8(0);
    if let Some(path_and_query) = request.uri().path_and_query() {
        hasher.write(path_and_query.as_str().as_bytes());
    }
    hasher.write_u8(0);
    hasher.write(request.body());
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn get(uri: &str) -> Request {
        http::Request::get(uri).body(Bytes::new()).unwrap()
    }

    #[test]
    fn remembers_pages_and_forgets_the_oldest() {
        let mut seen = SentRequests::default();
        assert_eq!(seen.insert(&get("http://h/a"), 0), None);
        assert_eq!(seen.insert(&get("http://h/b"), 1), None);
        assert_eq!(seen.insert(&get("http://h/a"), 7), Some(0));
        assert_eq!(seen.insert(&get("http://h/b"), 7), Some(1));
        assert_eq!(seen.pages.len(), 2, "a repeat changes nothing");
        let post = http::Request::post("http://h/a")
            .body(Bytes::from("{}"))
            .unwrap_or_default();
        assert_eq!(seen.insert(&post, 2), None, "the method and body count");
        for i in 0..SentRequests::CAPACITY {
            seen.insert(&get(&format!("http://h/p?i={i}")), i + 3);
        }
        assert_eq!(
            seen.insert(&get("http://h/a"), 9),
            None,
            "the oldest is forgotten"
        );
        assert_eq!(seen.order.len(), SentRequests::CAPACITY);
        assert_eq!(seen.pages.len(), SentRequests::CAPACITY);
    }
}
