//! Per-thread caches of parsed paths, intrinsic calls and JSONata expressions, keyed by their
//! text. A definition keeps its paths as text and a loop evaluates the same few thousands of
//! times, so parsing once per thread is most of the cost of evaluating a path.

use std::cell::RefCell;
use std::rc::Rc;
use std::thread::LocalKey;

use rustc_hash::FxHashMap;

/// How many parsed texts each cache keeps; past that it starts over, so a long session of
/// edits cannot grow it without bound.
pub const CAPACITY: usize = 1024;

/// Keyed by the text, hashed with Fx: a lookup per evaluation must cost little.
pub type Cache<T> = RefCell<FxHashMap<Box<str>, Rc<T>>>;

/// An empty cache, for a `thread_local!`.
pub const fn empty<T>() -> Cache<T> {
    RefCell::new(FxHashMap::with_hasher(rustc_hash::FxBuildHasher))
}

/// The parsed form of `text`, from `cache` when it was parsed before on this thread.
/// Failures are not cached: they end the evaluation anyway.
pub fn get_or_parse<T, E>(
    cache: &'static LocalKey<Cache<T>>,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Rc<T>, E> {
    if let Some(hit) = cache.with(|c| c.borrow().get(text).cloned()) {
        return Ok(hit);
    }
    let parsed = Rc::new(parse(text)?);
    cache.with(|c| {
        let mut map = c.borrow_mut();
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(text.into(), Rc::clone(&parsed));
    });
    Ok(parsed)
}
