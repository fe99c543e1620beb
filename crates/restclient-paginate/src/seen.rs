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
use std::hash::{DefaultHasher, Hash, Hasher};

use restclient_core::Request;

/// The fingerprints of the requests sent in a run, each with the page it fetched.
#[derive(Debug, Default)]
pub(crate) struct SentRequests {
    pages: HashMap<u64, usize>,
    order: VecDeque<u64>,
}

impl SentRequests {
    /// How many fingerprints a run keeps.
    pub(crate) const CAPACITY: usize = 65_536;

    /// The page an identical request fetched earlier in the run, if any.
    pub(crate) fn page_of(&self, request: &Request) -> Option<usize> {
        self.pages.get(&fingerprint(request)).copied()
    }

    /// Remembers that `request` fetches page `index`, forgetting the oldest beyond the capacity.
    pub(crate) fn insert(&mut self, request: &Request, index: usize) {
        let key = fingerprint(request);
        if self.pages.insert(key, index).is_none() {
            self.order.push_back(key);
        }
        if self.order.len() > Self::CAPACITY
            && let Some(oldest) = self.order.pop_front()
        {
            self.pages.remove(&oldest);
        }
    }
}

/// Method, URL (with query) and body; headers are left out, as they carry credentials that may
/// change between attempts, not the page asked for.
fn fingerprint(request: &Request) -> u64 {
    let mut hasher = DefaultHasher::new();
    request.method().as_str().hash(&mut hasher);
    request.uri().hash(&mut hasher);
    request.body().as_ref().hash(&mut hasher);
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
        seen.insert(&get("http://h/a"), 0);
        seen.insert(&get("http://h/b"), 1);
        assert_eq!(seen.page_of(&get("http://h/a")), Some(0));
        assert_eq!(seen.page_of(&get("http://h/b")), Some(1));
        assert_eq!(seen.page_of(&get("http://h/c")), None);
        let post = http::Request::post("http://h/a")
            .body(Bytes::from("{}"))
            .unwrap_or_default();
        assert_eq!(seen.page_of(&post), None, "the method and body count");
        for i in 0..SentRequests::CAPACITY {
            seen.insert(&get(&format!("http://h/p?i={i}")), i + 2);
        }
        assert_eq!(seen.page_of(&get("http://h/a")), None, "the oldest is forgotten");
        assert_eq!(seen.page_of(&get("http://h/b")), None);
        assert_eq!(seen.order.len(), SentRequests::CAPACITY);
        assert_eq!(seen.pages.len(), SentRequests::CAPACITY);
    }
}
