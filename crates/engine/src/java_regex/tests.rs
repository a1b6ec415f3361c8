//! Java's semantics, as data: each case is what `java.util.regex.Pattern.compile(pattern,
//! flags).matcher(text).matches()` answers, or the construct a pattern is refused for.

use super::Regex;

/// (pattern, flags, text, whether Java's `matches()` is true).
const MATCHES: &[(&str, &str, &str, bool)] = &[
    ("abc", "", "abc", true),
    ("abc", "", "abcd", false),
    ("a.c", "", "abc", true),
    (".*Bob.*", "", "I am Bob!", true),
    ("^bob$", "i", "BOB", true),
    ("bob", "", "BOB", false),
    ("[a-c]+\\d{2,3}", "", "abca123", true),
    ("[a-c]+\\d{2,3}", "", "abca1234", false),
    ("[^0-9]*", "", "abc", true),
    ("[^0-9]*", "", "ab1", false),
    ("(foo|bar)baz", "", "barbaz", true),
    ("(?:ab)+", "", "ababab", true),
    ("a.*?b", "", "aXbYb", true),
    ("\\w+@\\w+\\.com", "", "me@site.com", true),
    ("\\s*x\\s*", "", "  x ", true),
    ("a{3}", "", "aaa", true),
    ("a{3}", "", "aa", false),
    ("a{2,}", "", "aaaa", true),
    ("a{0}b", "", "b", true),
    ("colou?r", "", "color", true),
    ("[\\]a]+", "", "]a]", true),
    ("[]a]+", "", "]a]", true),
    ("[a-]+", "", "a-a", true),
    (
        "(a*)*b",
        "",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac",
        false,
    ),
    (
        "(a|aa)*b",
        "",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac",
        false,
    ),
    ("\\.", "", ".", true),
    ("a|", "", "", true),
    ("()", "", "", true),
    // Java's \d \w \s and POSIX classes are ASCII unless the U flag is given.
    ("\\w+", "", "héllo", false),
    ("\\w+", "U", "héllo", true),
    ("\\d", "", "\u{663}", false),
    ("\\d", "U", "\u{663}", true),
    ("\\s", "", "\u{a0}", false),
    ("\\s", "", "\u{b}", true),
    ("\\S\\D\\W", "", "a.-", true),
    ("[\\w-]+", "", "a-b_c", true),
    ("\\p{Alpha}", "", "é", false),
    ("\\p{Lower}+\\p{Upper}", "", "abC", true),
    ("\\p{Punct}+", "", "!@[`~", true),
    ("\\p{L}\\p{Lu}", "", "éA", true),
    ("\\p{IsLatin}+", "", "é", true),
    ("\\pL\\PL", "", "a1", true),
    ("\\h\\v", "", "\u{a0}\n", true),
    // Case-insensitivity folds ASCII letters only, unless u (or U) is given.
    ("[a-z]+", "i", "ABC", true),
    ("[^a]", "i", "A", false),
    ("é", "i", "É", false),
    ("é", "iu", "É", true),
    ("[à-ÿ]", "iu", "À", true),
    // `.` stops at every Java line terminator, unless s (or, for \r and others, d).
    (".", "", "\n", false),
    (".", "", "\r", false),
    (".", "", "\u{2028}", false),
    (".", "s", "\n", true),
    (".", "d", "\r", true),
    (".", "d", "\n", false),
    // Anchors: ^ and $ are the whole text's ends, or lines' with m.
    ("a$\\n^b", "m", "a\nb", true),
    ("a$\\n^b", "", "a\nb", false),
    ("\\Aab\\z", "", "ab", true),
    ("\\bfoo\\b", "", "foo", true),
    ("a\\Bb", "", "ab", true),
    ("\\Gab", "", "ab", true),
    // Inline flags last to the end of their group.
    ("(?i)abc", "", "ABC", true),
    ("a(?i:b)c", "", "aBc", true),
    ("a(?i:b)c", "", "aBC", false),
    ("(?i)a(?-i)b", "", "Ab", true),
    ("(?i)a(?-i)b", "", "AB", false),
    ("(a(?i)b)c", "", "aBc", true),
    ("(a(?i)b)c", "", "aBC", false),
    ("(?s).", "", "\n", true),
    // Comments mode ignores whitespace and # comments, not escaped spaces.
    ("a b c # letters", "x", "abc", true),
    ("a\\ b", "x", "a b", true),
    ("a b", "", "a b", true),
    ("(?x) a + ", "", "aaa", true),
    // Escapes.
    ("\\Qa.b\\E", "", "a.b", true),
    ("\\Qa.b\\E", "", "axb", false),
    ("\\Qa.b", "", "a.b", true),
    ("\\x41\\u0042\\0103\\x{44}", "", "ABCD", true),
    ("\\t\\n\\r\\f\\a\\e", "", "\t\n\r\u{c}\u{7}\u{1b}", true),
    ("\\cJ", "", "\n", true),
    ("[\\x41-\\x43]+", "", "ABC", true),
    // Class intersection and nesting.
    ("[a-z&&[^aeiou]]+", "", "bcd", true),
    ("[a-z&&[^aeiou]]+", "", "bad", false),
    ("[a[0-9]]+", "", "a1", true),
    ("[^a[0-9]]", "", "1", false),
    // Named groups match as groups.
    ("(?<year>\\d{4})-\\d\\d", "", "2024-01", true),
    // Greedy, lazy: a whole-string match has the same answer.
    ("a+?b*?", "", "aabb", true),
];

/// (pattern, flags, a part of the error).
const REFUSED: &[(&str, &str, &str)] = &[
    (
        "(a)\\1",
        "",
        "A backreference \\1 is not supported (it cannot be matched in linear time) at index 3",
    ),
    ("a(b\\2)", "", "A backreference \\2 is not supported"),
    ("(?<n>a)\\k<n>", "", "A backreference \\k"),
    (
        "(?=a)a",
        "",
        "Lookahead (?=...) or (?!...) is not supported",
    ),
    ("a(?!b)", "", "Lookahead"),
    (
        "(?<=a)b",
        "",
        "Lookbehind (?<=...) or (?<!...) is not supported",
    ),
    ("(?<!a)b", "", "Lookbehind"),
    ("(?>a)", "", "An atomic group (?>...) is not supported"),
    ("a*+", "", "A possessive quantifier"),
    ("a{2}+", "", "A possessive quantifier"),
    ("\\R", "", "\\R is not supported"),
    ("\\X", "", "\\X is not supported"),
    (
        "\\y",
        "",
        "Illegal/unsupported escape sequence \\y at index 0",
    ),
    (
        "\\p{InGreek}",
        "",
        "Unknown or unsupported character property InGreek",
    ),
    (
        "\\p{Nope}",
        "",
        "Unknown or unsupported character property Nope",
    ),
    ("(?:a{1000}){1000}", "", "is too large"),
    ("(a", "", "Unclosed group"),
    ("a)", "", "Unmatched ')' at index 1"),
    ("[a", "", "Unclosed character class"),
    ("*a", "", "Dangling meta character '*'"),
    ("a**", "", "Dangling meta character '*'"),
    ("a{2", "", "Unclosed counted closure"),
    ("a{,2}", "", "Illegal repetition"),
    ("a{3,1}", "", "Illegal repetition range"),
    ("[z-a]", "", "Illegal character range"),
    ("a\\", "", "The pattern ends with '\\'"),
    ("(?q)", "", "Unknown inline modifier"),
    ("a", "q", "Unknown regular expression flag 'q'"),
];

#[test]
fn matches_like_java() {
    let mut wrong = Vec::new();
    for (pattern, flags, text, expected) in MATCHES {
        match Regex::new(pattern, flags) {
            Ok(regex) if regex.matches(text) == *expected => {}
            Ok(_) => wrong.push(format!("/{pattern}/{flags} on {text:?}: not {expected}")),
            Err(e) => wrong.push(format!("/{pattern}/{flags}: {e}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn refuses_what_it_cannot_match_in_linear_time() {
    let mut wrong = Vec::new();
    for (pattern, flags, part) in REFUSED {
        match Regex::new(pattern, flags) {
            Ok(_) => wrong.push(format!("/{pattern}/{flags}: accepted")),
            Err(e) if e.contains(part) => {}
            Err(e) => wrong.push(format!("/{pattern}/{flags}: {e}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What the step and depth caps of the backtracking matcher this replaced got wrong.
#[test]
fn long_texts_match_on_a_small_stack() {
    let worker = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let regex = |p: &str| Regex::new(p, "").expect("valid pattern");
            let message = format!("{}error{}", "x".repeat(600), "y".repeat(600));
            (
                regex("(a|b)*c?").matches(&"a".repeat(100_000)),
                regex("(a|b)*c?").matches(&"ab".repeat(200)),
                regex(".*error.*").matches(&message),
                regex("a*").matches(&"a".repeat(999)),
                regex("(a|aa)*b").matches(&"a".repeat(100_000)),
            )
        })
        .expect("spawn");
    assert_eq!(worker.join().ok(), Some((true, true, true, true, false)));
}

/// The size bound that decides whether a pattern is compiled is above what it compiles to.
#[test]
fn size_bound_is_above_the_compiled_size() {
    let patterns = [
        "abc",
        ".",
        ".*error.*",
        "a{1000}",
        "[a-z]{1,255}",
        "\\w{1,100}",
        "\\p{L}",
        "\\p{L}{1,50}",
        "(?i)\\p{L}{1,20}",
        "(?:.{1,30}){1,30}",
        "[^a]{1,100}",
        "(a|b|c)*d+",
        "(?iu)[à-ÿ]+",
        "\\p{IsGreek}{2,9}",
        "\\Qa.b\\E{3}",
        "[a-c]x{2}[0-9]{3}|foo",
        "(?:ab|cd|ef|gh){1,200}",
        "(?:[a-z][0-9]){100}",
        "\\d{1,9}-\\d{1,9}",
    ];
    for pattern in patterns {
        let translated = super::translate::translate(pattern, Default::default()).expect("valid");
        let full = format!(r"\A(?:{translated})\z");
        let hir = regex_automata::util::syntax::parse(&full).expect("valid");
        let bound = super::size::compiled_bound(&hir);
        let actual = regex_automata::meta::Regex::new(&full)
            .expect("valid")
            .memory_usage();
        assert!(bound >= actual, "/{pattern}/: bound {bound} < {actual}");
    }
}
