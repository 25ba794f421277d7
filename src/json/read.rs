//! Text to a [`Json`] tree: strict JSON (RFC 8259), with serde_json's
//! wording for errors (`EOF while parsing an object at line 1 column 1`).

use super::{Json, Number, Object};

/// Deepest nesting of arrays and objects accepted (serde_json's limit):
/// the reader recurses, and a shared file must not overflow the stack.
const MAX_DEPTH: usize = 128;

/// Parses one JSON value; only whitespace may follow it.
pub fn parse(text: &str) -> Result<Json, String> {
    let mut reader = Reader { text: text.as_bytes(), pos: 0, depth: 0 };
    let value = reader.value()?;
    reader.skip_whitespace();
    if reader.pos < reader.text.len() {
        return Err(reader.error("trailing characters"));
    }
    Ok(value)
}

struct Reader<'t> {
    text: &'t [u8],
    pos: usize,
    depth: usize,
}

impl Reader<'_> {
    /// `what` at the current position. Like serde_json, the column is that
    /// of the offending byte, or of the last byte when the text ran out.
    fn error(&self, what: &str) -> String {
        let before = &self.text[..self.pos.min(self.text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let at_end = self.pos >= self.text.len();
        let column = before.len() - line_start + usize::from(!at_end);
        format!("{what} at line {line} column {column}")
    }

    fn eof(&self, inside: &str) -> String {
        self.error(&format!("EOF while parsing {inside}"))
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The next byte after whitespace, not consumed; EOF is an error.
    fn next_token(&mut self, inside: &str) -> Result<u8, String> {
        self.skip_whitespace();
        self.peek().ok_or_else(|| self.eof(inside))
    }

    fn value(&mut self) -> Result<Json, String> {
        match self.next_token("a value")? {
            b'{' => self.nested(Reader::object),
            b'[' => self.nested(Reader::array),
            b'"' => self.string().map(Json::String),
            b'-' | b'0'..=b'9' => self.number().map(Json::Number),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            _ => Err(self.error("expected value")),
        }
    }

    fn nested(&mut self, read: fn(&mut Self) -> Result<Json, String>) -> Result<Json, String> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.depth += 1;
        self.pos += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        for &expected in word.as_bytes() {
            match self.peek() {
                Some(b) if b == expected => self.pos += 1,
                Some(_) => return Err(self.error("expected ident")),
                None => return Err(self.eof("a value")),
            }
        }
        Ok(value)
    }

    /// After `[`.
    fn array(&mut self) -> Result<Json, String> {
        let mut items = Vec::new();
        if self.next_token("a list")? == b']' {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.closes(b']', "a list", "a value")? {
                return Ok(Json::Array(items));
            }
        }
    }

    /// After an item of a list or an object: true past its closing `close`,
    /// false past a comma with another item to come. `inside` and `next`
    /// name what an end of input interrupts, before and after the comma.
    fn closes(&mut self, close: u8, inside: &str, next: &str) -> Result<bool, String> {
        match self.next_token(inside)? {
            b',' => {
                self.pos += 1;
                if self.next_token(next)? == close {
                    return Err(self.error("trailing comma"));
                }
                Ok(false)
            }
            b if b == close => {
                self.pos += 1;
                Ok(true)
            }
            _ if close == b']' => Err(self.error("expected `,` or `]`")),
            _ => Err(self.error("expected `,` or `}`")),
        }
    }

    /// After `{`.
    fn object(&mut self) -> Result<Json, String> {
        let mut members = Vec::new();
        if self.next_token("an object")? == b'}' {
            self.pos += 1;
            return Ok(Json::Object(Object::default()));
        }
        loop {
            if self.next_token("an object")? != b'"' {
                return Err(self.error("key must be a string"));
            }
            let key = self.string()?;
            if self.next_token("an object")? != b':' {
                return Err(self.error("expected `:`"));
            }
            self.pos += 1;
            members.push((key, self.value()?));
            if self.closes(b'}', "an object", "an object")? {
                return Ok(Json::Object(Object(members)));
            }
        }
    }

    /// At `"`.
    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else { return Err(self.eof("a string")) };
            match b {
                b'"' => {
                    self.pos += 1;
                    // Only whole UTF-8 sequences of the (valid) input were
                    // copied, and escapes were encoded as UTF-8.
                    return String::from_utf8(out).map_err(|_| self.error("invalid unicode"));
                }
                b'\\' => {
                    self.pos += 1;
                    let c = self.escape()?;
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..=0x1f => {
                    return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string"))
                }
                _ => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
    }

    /// After `\`.
    fn escape(&mut self) -> Result<char, String> {
        let Some(b) = self.peek() else { return Err(self.eof("a string")) };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => return Err(self.error("invalid escape")),
        })
    }

    /// After `\u`: one code point, or a surrogate pair written as two.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.text.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(self.error("unexpected end of hex escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone leading surrogate in hex escape")),
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut code = 0;
        for _ in 0..4 {
            let Some(b) = self.peek() else { return Err(self.eof("a string")) };
            let digit = (b as char).to_digit(16).ok_or_else(|| self.error("invalid escape"))?;
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    /// At `-` or a digit: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Number, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            Some(_) => return Err(self.error("invalid number")),
            None => return Err(self.eof("a value")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.required_digits()?;
        }
        // Only ASCII was consumed.
        let literal = String::from_utf8_lossy(&self.text[start..self.pos]).into_owned();
        Ok(Number(literal))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), String> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            Some(_) => Err(self.error("invalid number")),
            None => Err(self.eof("a value")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text).unwrap_err()
    }

    #[test]
    fn values_read_as_written() {
        let v =
            parse(r#" {"b": [1, -2.5e3, true, null], "a": "x\u00e9\n\ud83d\ude00", "b": "last"} "#).unwrap();
        let Json::Object(map) = v else { panic!("an object") };
        assert_eq!(map.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["b", "a", "b"]);
        assert_eq!(map.get("a"), Some(&Json::String("xé\n😀".into())));
        assert_eq!(map.get("b"), Some(&Json::String("last".into())));
        let n = parse("-2.5e3").unwrap();
        assert_eq!(n, Json::Number(Number("-2.5e3".into())));
    }

    #[test]
    fn numbers_stay_exact_or_are_refused() {
        let num = |t: &str| match parse(t).unwrap() {
            Json::Number(n) => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(num("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(num("18446744073709551616").as_u64(), None);
        assert_eq!(num("3.0").as_u64(), None);
        for text in
            ["0.05", "0.1", "1.0", "-0.1", "0", "0.333333333333333", "2.5e-3", "12E2", "1e+2", "7e-320"]
        {
            assert_eq!(num(text).as_f64(), Some(text.parse::<f64>().unwrap()), "{text}");
        }
        assert_eq!(num("1e400").as_f64(), None);
        let long = num("0.1234567890123456789012345").as_f64().unwrap();
        assert!((long - 0.123_456_789_012_345_68).abs() < 1e-16, "{long}");
    }

    /// Randomized against core's exact parser over the promised domain (up
    /// to 15 significant digits, decimal exponent within ±22); replay a
    /// failure with `FLOAT_SEED=<seed>`.
    #[test]
    fn floats_match_the_exact_parser_within_fifteen_digits() {
        let seed = std::env::var("FLOAT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_f10a7);
        let mut rng = crate::core::rng::Rng::new(seed);
        for case in 0..20_000 {
            let digits = rng.range_inclusive(1, 15) as usize;
            let mantissa: String =
                (0..digits).map(|_| char::from(b'0' + rng.range_inclusive(0, 9) as u8)).collect();
            let point = rng.range_inclusive(0, digits as u64) as usize;
            let (whole, fraction) = mantissa.split_at(point);
            // JSON allows no leading zeros.
            let whole = whole.trim_start_matches('0');
            let whole = if whole.is_empty() { "0" } else { whole };
            let exponent = rng.range_inclusive(0, 14) as i64 - 7;
            let text = match (fraction.is_empty(), exponent) {
                (true, 0) => whole.to_string(),
                (true, e) => format!("{whole}e{e}"),
                (false, 0) => format!("{whole}.{fraction}"),
                (false, e) => format!("{whole}.{fraction}E{e}"),
            };
            let Json::Number(n) = parse(&text).unwrap() else { panic!("{text} is a number") };
            assert_eq!(
                n.as_f64(),
                Some(text.parse::<f64>().unwrap()),
                "{text} (case {case}; replay with FLOAT_SEED={seed})"
            );
        }
    }

    #[test]
    fn errors_read_as_serde_json_words_them() {
        assert_eq!(err("{"), "EOF while parsing an object at line 1 column 1");
        assert_eq!(err("[1,]"), "trailing comma at line 1 column 4");
        assert_eq!(err("{\"a\": 1,}"), "trailing comma at line 1 column 9");
        assert_eq!(err("\n  x"), "expected value at line 2 column 3");
        assert_eq!(err("1 2"), "trailing characters at line 1 column 3");
        assert_eq!(err("\"\\uDEAD\""), "lone leading surrogate in hex escape at line 1 column 8");
        assert_eq!(err("01"), "trailing characters at line 1 column 2");
        assert_eq!(err("-"), "EOF while parsing a value at line 1 column 1");
        assert!(err(&"[".repeat(200)).starts_with("recursion limit exceeded"));
        assert!(err("\"a\u{1}\"").starts_with("control character"));
        assert!(err("").starts_with("EOF while parsing a value"));
    }
}
