//! The cursor the hand-written parsers (JSONPath, its filters and regular expressions,
//! intrinsic function calls) move over their text: a parser keeps the characters and a
//! position, and gets the moves from here.

/// A position in a slice of characters. Reading past the end gives `None`, never a panic.
pub(crate) trait CharCursor {
    fn chars(&self) -> &[char];
    fn pos(&self) -> usize;
    fn set_pos(&mut self, pos: usize);

    fn peek(&self) -> Option<char> {
        self.chars().get(self.pos()).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars().get(self.pos().checked_add(ahead)?).copied()
    }

    /// Moves the cursor past the current character.
    fn advance(&mut self) {
        self.advance_by(1);
    }

    fn advance_by(&mut self, count: usize) {
        self.set_pos(self.pos().saturating_add(count));
    }

    /// The characters from `start` up to the cursor.
    fn text_from(&self, start: usize) -> String {
        self.chars()
            .get(start..self.pos())
            .unwrap_or_default()
            .iter()
            .collect()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.advance();
        }
    }
}

/// Implements [`CharCursor`] for a parser with `chars: Vec<char>` and `pos: usize` fields.
macro_rules! impl_char_cursor {
    ($parser:ty) => {
        impl $crate::char_cursor::CharCursor for $parser {
            fn chars(&self) -> &[char] {
                &self.chars
            }
            fn pos(&self) -> usize {
                self.pos
            }
            fn set_pos(&mut self, pos: usize) {
                self.pos = pos;
            }
        }
    };
}
pub(crate) use impl_char_cursor;
