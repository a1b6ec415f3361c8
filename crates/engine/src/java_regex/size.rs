//! An upper bound of what a pattern compiles to, found from its syntax tree before compiling
//! it: compiling is what costs (time and memory grow with counted repetitions and Unicode
//! classes, far beyond the pattern's text), so a pattern too large is refused for the price of
//! reading it.

use regex_syntax::hir::{Class, Hir, HirKind};
use regex_syntax::utf8::Utf8Sequences;

/// Bytes of automaton a byte of literal text, a byte range or an operator may take at most.
const BYTES_PER_STATE: usize = 48;

/// What any compiled pattern takes besides its states (the engines' tables, literals).
const FIXED_BYTES: usize = 16 << 10;

/// An upper bound of the compiled size of `hir`, in bytes (saturating).
pub(super) fn compiled_bound(hir: &Hir) -> usize {
    states(hir)
        .saturating_mul(BYTES_PER_STATE)
        .saturating_add(FIXED_BYTES)
}

fn states(hir: &Hir) -> usize {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(literal) => literal.0.len().saturating_mul(2),
        // Each range as the byte ranges of its UTF-8 sequences, in the forward and the reverse
        // automaton.
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .flat_map(|range| Utf8Sequences::new(range.start(), range.end()))
            .fold(1usize, |total, sequence| {
                total.saturating_add(sequence.len().saturating_mul(2))
            }),
        HirKind::Class(Class::Bytes(class)) => {
            class.ranges().len().saturating_mul(2).saturating_add(1)
        }
        HirKind::Repetition(repetition) => {
            // `x{n,m}` is `m` copies of `x`, `x{n,}` is `n` copies and a loop around one more.
            let copies = match repetition.max {
                Some(max) => max,
                None => repetition.min.saturating_add(1),
            };
            let copies = usize::try_from(copies).unwrap_or(usize::MAX);
            states(&repetition.sub)
                .saturating_add(1)
                .saturating_mul(copies)
                .saturating_add(1)
        }
        HirKind::Capture(capture) => states(&capture.sub).saturating_add(2),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().fold(1usize, |total, sub| {
                total.saturating_add(states(sub)).saturating_add(1)
            })
        }
    }
}
