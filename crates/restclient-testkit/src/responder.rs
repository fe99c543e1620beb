use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{RecordedRequest, Reply};

/// Anything that answers a route: a [`Reply`] (sent every time), a closure, a [`Sequence`],
/// [`FailTimes`].
pub trait Responder: Send + Sync + 'static {
    /// The reply to this request.
    fn respond(&self, request: &RecordedRequest) -> Reply;
}

impl Responder for Reply {
    fn respond(&self, _: &RecordedRequest) -> Reply {
        self.clone()
    }
}

impl<F> Responder for F
where
    F: Fn(&RecordedRequest) -> Reply + Send + Sync + 'static,
{
    fn respond(&self, request: &RecordedRequest) -> Reply {
        self(request)
    }
}

/// Replies in order, one per request; the last one repeats forever.
///
/// ```
/// use restclient_testkit::{Reply, Sequence};
/// let seq = Sequence::new([Reply::status(503), Reply::status(503), Reply::text("ok")]);
/// # let _ = seq;
/// ```
#[derive(Debug)]
pub struct Sequence {
    replies: Vec<Reply>,
    next: AtomicUsize,
}

impl Sequence {
    /// A sequence of replies.
    ///
    /// # Panics
    /// When `replies` is empty.
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Sequence {
        let replies: Vec<Reply> = replies.into_iter().collect();
        assert!(!replies.is_empty(), "a Sequence needs at least one reply");
        Sequence {
            replies,
            next: AtomicUsize::new(0),
        }
    }
}

impl Responder for Sequence {
    fn respond(&self, _: &RecordedRequest) -> Reply {
        let i = self.next.fetch_add(1, Ordering::SeqCst);
        self.replies[i.min(self.replies.len() - 1)].clone()
    }
}

/// Answers the first `times` requests with `failure`, then hands every later one to `then`.
#[derive(Debug)]
pub struct FailTimes<R> {
    times: usize,
    failure: Reply,
    then: R,
    seen: AtomicUsize,
}

/// Fails `times` times with `failure`, then answers with `then`.
///
/// ```
/// use restclient_testkit::{Reply, fail_times};
/// let flaky = fail_times(2, Reply::close_connection(), Reply::text("ok"));
/// # let _ = flaky;
/// ```
pub fn fail_times<R: Responder>(times: usize, failure: Reply, then: R) -> FailTimes<R> {
    FailTimes {
        times,
        failure,
        then,
        seen: AtomicUsize::new(0),
    }
}

impl<R: Responder> Responder for FailTimes<R> {
    fn respond(&self, request: &RecordedRequest) -> Reply {
        if self.seen.fetch_add(1, Ordering::SeqCst) < self.times {
            self.failure.clone()
        } else {
            self.then.respond(request)
        }
    }
}
