//! RFC 9535 JSONPath, for overlay targets: parse once, then list the JSON Pointers of the nodes
//! a query selects, in nodelist order.
//!
//! The whole RFC: child and descendant segments; name, wildcard, index, slice and filter
//! selectors; comparisons, `&&`, `||`, `!`, existence tests; the five functions of §2.4
//! (`length`, `count`, `match`, `search`, `value`) with their well-typedness rules, `match` and
//! `search` taking I-Regexp (RFC 9485). Ours rather than a library's: serde_json_path, the one
//! maintained crate, brought seven crates (its core, two macro crates, `inventory`, `nom`,
//! `minimal-lexical`) into every SDK build, on the path to the build script; it stays as the
//! reference the tests compare with on the vendored spec.
//!
//! Never panics: nesting is bounded ([`MAX_DEPTH`]), integers are checked against the RFC's
//! range, and a regular expression that is not I-Regexp makes `match`/`search` false, as §2.4.6
//! says.

use serde_json::Value;

/// How deeply filters, parentheses and function calls may nest.
pub const MAX_DEPTH: usize = 64;

/// The RFC's integer range (I-JSON: exactly representable in a double).
const MAX_INT: i64 = (1 << 53) - 1;

/// A parsed query.
#[derive(Debug, Clone)]
pub struct JsonPath {
    segments: Vec<Segment>,
}

/// Why a text is not an RFC 9535 query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where (in characters from the start).
    pub at: usize,
    /// What is wrong there.
    pub reason: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at character {}: {}", self.at, self.reason)
    }
}

impl std::error::Error for ParseError {}

impl JsonPath {
    /// Parses a query (`$` and its segments; no blanks before or after).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut p = Parser {
            chars: text.chars().collect(),
            pos: 0,
            depth: 0,
        };
        if !p.eat('$') {
            return Err(p.error("a query starts with `$`"));
        }
        let segments = p.segments()?;
        if p.pos < p.chars.len() {
            return Err(p.error("unexpected text after the query"));
        }
        Ok(Self { segments })
    }

    /// The JSON Pointer of each node the query selects in `document`, in nodelist order (a
    /// node may be listed more than once, as the RFC's nodelists may).
    pub fn locate(&self, document: &Value) -> Vec<String> {
        let start = vec![(Vec::new(), document)];
        select(&self.segments, start, document)
            .into_iter()
            .map(|(path, _)| pointer(&path))
            .collect()
    }

    /// The nodes the query selects in `document`, in nodelist order.
    pub fn query<'a>(&self, document: &'a Value) -> Vec<&'a Value> {
        select(&self.segments, vec![((), document)], document)
            .into_iter()
            .map(|(_, v)| v)
            .collect()
    }
}

// ---- the syntax tree ----

#[derive(Debug, Clone)]
struct Segment {
    descendant: bool,
    selectors: Vec<Selector>,
    /// One name or index selector in brackets without blanks, or a shorthand name: what a
    /// singular query may be made of (§2.3.5.1).
    singular: bool,
}

#[derive(Debug, Clone)]
enum Selector {
    Name(String),
    Wildcard,
    Index(i64),
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
    },
    Filter(Box<Logical>),
}

#[derive(Debug, Clone)]
struct Query {
    /// `@` (the current node) rather than `$`.
    relative: bool,
    segments: Vec<Segment>,
}

impl Query {
    fn is_singular(&self) -> bool {
        self.segments.iter().all(|s| s.singular)
    }
}

#[derive(Debug, Clone)]
enum Logical {
    Or(Vec<Logical>),
    And(Vec<Logical>),
    Not(Box<Logical>),
    /// Both sides checked at parse time: a literal, a singular query, a value-type function.
    Compare(Operand, Op, Operand),
    Exists(Query),
    /// A function of logical type (`match`, `search`).
    Test(Function),
}

/// A comparison's side or a function's argument (which of them fits where is checked when
/// parsed).
#[derive(Debug, Clone)]
enum Operand {
    Literal(Value),
    Query(Query),
    Function(Function),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Length,
    Count,
    Match,
    Search,
    Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Value,
    Logical,
    Nodes,
}

impl Name {
    fn of(name: &str) -> Option<Self> {
        Some(match name {
            "length" => Self::Length,
            "count" => Self::Count,
            "match" => Self::Match,
            "search" => Self::Search,
            "value" => Self::Value,
            _ => return None,
        })
    }

    fn result(self) -> Type {
        match self {
            Self::Length | Self::Count | Self::Value => Type::Value,
            Self::Match | Self::Search => Type::Logical,
        }
    }

    fn parameters(self) -> &'static [Type] {
        match self {
            Self::Length => &[Type::Value],
            Self::Count | Self::Value => &[Type::Nodes],
            Self::Match | Self::Search => &[Type::Value, Type::Value],
        }
    }
}

#[derive(Debug, Clone)]
struct Function {
    name: Name,
    args: Vec<Operand>,
    /// `match`/`search` with a literal pattern: compiled once (`None`: not I-Regexp).
    pattern: Option<Option<regex::Regex>>,
}

// ---- the parser ----

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn error(&self, reason: &str) -> ParseError {
        ParseError {
            at: self.pos,
            reason: reason.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        if self.chars.len() >= self.pos + n
            && s.chars()
                .eq(self.chars[self.pos..self.pos + n].iter().copied())
        {
            self.pos += n;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// Skips ASCII digits; says how many.
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `S`: blanks (space, tab, LF, CR). Says whether there were any.
    fn blanks(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn nest(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(&format!("nested more than {MAX_DEPTH} deep")));
        }
        Ok(())
    }

    /// `*(S segment)`: stops (before any blanks) where no segment follows.
    fn segments(&mut self) -> Result<Vec<Segment>, ParseError> {
        let mut out = Vec::new();
        loop {
            let before = self.pos;
            self.blanks();
            match self.peek() {
                Some('[') => out.push(self.bracketed(false)?),
                Some('.') => {
                    let descendant = self.peek_at(1) == Some('.');
                    self.pos += if descendant { 2 } else { 1 };
                    out.push(self.dotted(descendant)?);
                }
                _ => {
                    self.pos = before;
                    return Ok(out);
                }
            }
        }
    }

    /// What follows `.` (`*` or a member name) or `..` (those, or a bracketed selection).
    fn dotted(&mut self, descendant: bool) -> Result<Segment, ParseError> {
        let selector = match self.peek() {
            Some('[') if descendant => return self.bracketed(true),
            Some('*') => {
                self.pos += 1;
                Selector::Wildcard
            }
            Some(c) if name_first(c) => Selector::Name(self.shorthand()),
            _ if descendant => {
                return Err(self.error("`..` is followed by `[`, `*` or a member name"));
            }
            _ => return Err(self.error("`.` is followed by `*` or a member name")),
        };
        Ok(Segment {
            descendant,
            // `.name` alone may be part of a singular query.
            singular: !descendant && matches!(selector, Selector::Name(_)),
            selectors: vec![selector],
        })
    }

    fn shorthand(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| name_first(c) || c.is_ascii_digit())
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// `[` S selector *(S "," S selector) S `]`.
    fn bracketed(&mut self, descendant: bool) -> Result<Segment, ParseError> {
        self.expect('[', "`[` expected")?;
        let mut spaced = self.blanks();
        let mut selectors = vec![self.selector()?];
        loop {
            spaced |= self.blanks();
            if self.eat(']') {
                break;
            }
            self.expect(',', "`,` or `]` expected")?;
            self.blanks();
            selectors.push(self.selector()?);
        }
        let singular = !descendant
            && !spaced
            && selectors.len() == 1
            && matches!(selectors[0], Selector::Name(_) | Selector::Index(_));
        Ok(Segment {
            descendant,
            selectors,
            singular,
        })
    }

    fn selector(&mut self) -> Result<Selector, ParseError> {
        match self.peek() {
            Some('\'' | '"') => Ok(Selector::Name(self.string()?)),
            Some('*') => {
                self.pos += 1;
                Ok(Selector::Wildcard)
            }
            Some('?') => {
                self.pos += 1;
                self.blanks();
                self.nest()?;
                let filter = self.logical()?;
                self.depth -= 1;
                Ok(Selector::Filter(Box::new(filter)))
            }
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => self.index_or_slice(),
            _ => {
                Err(self.error("a selector: a quoted name, `*`, an index, a slice or a `?` filter"))
            }
        }
    }

    fn index_or_slice(&mut self) -> Result<Selector, ParseError> {
        let start = if self.peek() == Some(':') {
            None
        } else {
            Some(self.int()?)
        };
        let before = self.pos;
        self.blanks();
        if !self.eat(':') {
            self.pos = before;
            return match start {
                Some(i) => Ok(Selector::Index(i)),
                None => Err(self.error("an index expected")),
            };
        }
        self.blanks();
        let end = match self.peek() {
            Some(c) if c == '-' || c.is_ascii_digit() => Some(self.int()?),
            _ => None,
        };
        self.blanks();
        let step = if self.eat(':') {
            self.blanks();
            match self.peek() {
                Some(c) if c == '-' || c.is_ascii_digit() => Some(self.int()?),
                _ => None,
            }
        } else {
            None
        };
        Ok(Selector::Slice { start, end, step })
    }

    /// `int`: `0`, or an optional `-` and digits without a leading zero, within ±(2^53 − 1).
    fn int(&mut self) -> Result<i64, ParseError> {
        let start = self.pos;
        let negative = self.eat('-');
        let digits = self.pos;
        self.digits();
        let text: String = self.chars[digits..self.pos].iter().collect();
        if text.is_empty() {
            return Err(self.error("digits expected"));
        }
        if text.len() > 1 && text.starts_with('0') || negative && text == "0" {
            self.pos = start;
            return Err(self.error("an integer has no leading zero (and no `-0`)"));
        }
        match text.parse::<i64>() {
            Ok(n) if n <= MAX_INT => Ok(if negative { -n } else { n }),
            _ => {
                self.pos = start;
                Err(self.error("an integer beyond ±(2^53 − 1)"))
            }
        }
    }

    /// A string literal in `'…'` or `"…"`, with the RFC's escapes.
    fn string(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        let quote = self.peek().ok_or_else(|| self.error("a string expected"))?;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                self.pos = open;
                return Err(self.error("the string is not closed"));
            };
            self.pos += 1;
            match c {
                c if c == quote => return Ok(out),
                '\\' => {
                    let Some(e) = self.peek() else {
                        self.pos = open;
                        return Err(self.error("the string is not closed"));
                    };
                    self.pos += 1;
                    out.push(match e {
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        '/' => '/',
                        '\\' => '\\',
                        e if e == quote => e,
                        'u' => self.unicode_escape()?,
                        _ => {
                            self.pos -= 2;
                            return Err(self.error("not an escape of this string's quoting"));
                        }
                    });
                }
                c if (c as u32) < 0x20 => {
                    self.pos -= 1;
                    return Err(self.error("a control character in a string must be escaped"));
                }
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut n = 0;
        for _ in 0..4 {
            let d = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.error("four hexadecimal digits expected after `\\u`"))?;
            n = n * 16 + d;
            self.pos += 1;
        }
        Ok(n)
    }

    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                if !self.eat_str("\\u") {
                    return Err(self.error("a high surrogate is followed by `\\u` and a low one"));
                }
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error("a high surrogate is followed by a low one"));
                }
                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("a low surrogate alone")),
            n => n,
        };
        char::from_u32(code).ok_or_else(|| self.error("not a Unicode scalar value"))
    }

    // ---- filters ----

    fn logical(&mut self) -> Result<Logical, ParseError> {
        self.joined("||", Self::conjunction, Logical::Or)
    }

    fn conjunction(&mut self) -> Result<Logical, ParseError> {
        self.joined("&&", Self::basic, Logical::And)
    }

    /// `operand *(S op S operand)`; a single operand stands for itself.
    fn joined(
        &mut self,
        op: &str,
        operand: fn(&mut Self) -> Result<Logical, ParseError>,
        join: fn(Vec<Logical>) -> Logical,
    ) -> Result<Logical, ParseError> {
        let mut items = vec![operand(self)?];
        loop {
            let before = self.pos;
            self.blanks();
            if !self.eat_str(op) {
                self.pos = before;
                break;
            }
            self.blanks();
            items.push(operand(self)?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            join(items)
        })
    }

    fn basic(&mut self) -> Result<Logical, ParseError> {
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.pos += 1;
            self.blanks();
            let negated = if self.peek() == Some('(') {
                self.parenthesised()?
            } else {
                let at = self.pos;
                match self.operand()? {
                    Operand::Query(q) => Logical::Exists(q),
                    Operand::Function(f) if f.name.result() == Type::Logical => Logical::Test(f),
                    _ => {
                        self.pos = at;
                        return Err(
                            self.error("`!` applies to a query, a logical function or `(…)`")
                        );
                    }
                }
            };
            return Ok(Logical::Not(Box::new(negated)));
        }
        if self.peek() == Some('(') {
            return self.parenthesised();
        }
        let at = self.pos;
        let left = self.operand()?;
        let before = self.pos;
        self.blanks();
        if let Some(op) = self.comparison_op() {
            self.blanks();
            let right_at = self.pos;
            let right = self.operand()?;
            let left = self.comparable(left, at)?;
            let right = self.comparable(right, right_at)?;
            return Ok(Logical::Compare(left, op, right));
        }
        self.pos = before;
        match left {
            Operand::Query(q) => Ok(Logical::Exists(q)),
            Operand::Function(f) if f.name.result() == Type::Logical => Ok(Logical::Test(f)),
            Operand::Function(_) => {
                self.pos = at;
                Err(self.error("a function of value type is compared, not tested"))
            }
            Operand::Literal(_) => {
                self.pos = at;
                Err(self.error("a literal is compared with something"))
            }
        }
    }

    fn parenthesised(&mut self) -> Result<Logical, ParseError> {
        self.expect('(', "`(` expected")?;
        self.nest()?;
        self.blanks();
        let inner = self.logical()?;
        self.blanks();
        self.expect(')', "`)` expected")?;
        self.depth -= 1;
        Ok(inner)
    }

    fn comparison_op(&mut self) -> Option<Op> {
        for (text, op) in [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if self.eat_str(text) {
                return Some(op);
            }
        }
        None
    }

    fn comparable(&mut self, operand: Operand, at: usize) -> Result<Operand, ParseError> {
        match operand {
            Operand::Literal(_) => Ok(operand),
            Operand::Query(ref q) if q.is_singular() => Ok(operand),
            Operand::Function(ref f) if f.name.result() == Type::Value => Ok(operand),
            Operand::Query(_) => {
                self.pos = at;
                Err(self.error(
                    "only a singular query (names and indices, no blanks in brackets) is compared",
                ))
            }
            Operand::Function(_) => {
                self.pos = at;
                Err(self.error("a function of logical type is tested, not compared"))
            }
        }
    }

    /// A literal, a query or a function call.
    fn operand(&mut self) -> Result<Operand, ParseError> {
        match self.peek() {
            Some('@' | '$') => {
                let relative = self.peek() == Some('@');
                self.pos += 1;
                let segments = self.segments()?;
                Ok(Operand::Query(Query { relative, segments }))
            }
            Some('\'' | '"') => Ok(Operand::Literal(Value::String(self.string()?))),
            Some(c) if c == '-' || c.is_ascii_digit() => Ok(Operand::Literal(self.number()?)),
            Some(c) if c.is_ascii_lowercase() => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                if self.peek() == Some('(') {
                    self.pos = start;
                    return Ok(Operand::Function(self.function()?));
                }
                match word.as_str() {
                    "true" => Ok(Operand::Literal(Value::Bool(true))),
                    "false" => Ok(Operand::Literal(Value::Bool(false))),
                    "null" => Ok(Operand::Literal(Value::Null)),
                    _ => {
                        self.pos = start;
                        Err(self.error("a literal, a query (`@`, `$`) or a function call expected"))
                    }
                }
            }
            _ => Err(self.error("a literal, a query (`@`, `$`) or a function call expected")),
        }
    }

    /// `number`: an integer or `-0`, an optional fraction and exponent.
    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        self.eat('-');
        let digits = self.pos;
        let int_len = self.digits();
        if int_len == 0 || int_len > 1 && self.chars[digits] == '0' {
            self.pos = start;
            return Err(self.error("a number has digits and no leading zero"));
        }
        let mut plain = true;
        if self.peek() == Some('.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("digits expected after `.`"));
            }
            plain = false;
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            if !self.eat('-') {
                self.eat('+');
            }
            if self.digits() == 0 {
                return Err(self.error("digits expected in the exponent"));
            }
            plain = false;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if plain {
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Value::from(n));
            }
        }
        match text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            Some(n) => Ok(Value::Number(n)),
            None => {
                self.pos = start;
                Err(self.error("a number out of range"))
            }
        }
    }

    /// `name(arg, …)`, checked against the function's signature (§2.4.3).
    fn function(&mut self) -> Result<Function, ParseError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c != '(') {
            self.pos += 1;
        }
        let word: String = self.chars[start..self.pos].iter().collect();
        let Some(name) = Name::of(&word) else {
            self.pos = start;
            return Err(self.error(&format!(
                "no function `{word}` (there are length, count, match, search and value)"
            )));
        };
        self.pos += 1;
        self.nest()?;
        self.blanks();
        let mut args = Vec::new();
        if !self.eat(')') {
            loop {
                let at = self.pos;
                let operand = self.operand()?;
                let Some(&wanted) = name.parameters().get(args.len()) else {
                    self.pos = at;
                    return Err(self.error(&format!(
                        "`{word}` takes {} argument(s)",
                        name.parameters().len()
                    )));
                };
                args.push(self.argument(operand, wanted, at)?);
                self.blanks();
                if self.eat(')') {
                    break;
                }
                self.expect(',', "`,` or `)` expected")?;
                self.blanks();
            }
        }
        self.depth -= 1;
        if args.len() != name.parameters().len() {
            self.pos = start;
            return Err(self.error(&format!(
                "`{word}` takes {} argument(s)",
                name.parameters().len()
            )));
        }
        let pattern = match (name, args.get(1)) {
            (Name::Match | Name::Search, Some(Operand::Literal(Value::String(p)))) => {
                Some(regex_for(name, p))
            }
            _ => None,
        };
        Ok(Function {
            name,
            args,
            pattern,
        })
    }

    fn argument(
        &mut self,
        operand: Operand,
        wanted: Type,
        at: usize,
    ) -> Result<Operand, ParseError> {
        // No function of §2.4 takes a logical argument, and none returns nodes.
        let fits = match (&operand, wanted) {
            (Operand::Literal(_), Type::Value) => true,
            (Operand::Query(q), Type::Value) => q.is_singular(),
            (Operand::Query(_), Type::Nodes) => true,
            (Operand::Function(f), Type::Value) => f.name.result() == Type::Value,
            _ => false,
        };
        if !fits {
            self.pos = at;
            return Err(self.error(match wanted {
                Type::Value => {
                    "the argument must be a value: a literal, a singular query or a value function"
                }
                Type::Nodes | Type::Logical => "the argument must be a query",
            }));
        }
        Ok(operand)
    }
}

/// `name-first`: ALPHA, `_`, or any non-ASCII scalar value.
fn name_first(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

// ---- evaluation ----

/// How a selected node's place is kept: a path for the top-level query, nothing for the
/// queries inside filters (only their values matter).
trait Place: Clone {
    fn member(&self, name: &str) -> Self;
    fn element(&self, index: usize) -> Self;
}

impl Place for () {
    fn member(&self, _: &str) -> Self {}
    fn element(&self, _: usize) -> Self {}
}

#[derive(Clone)]
enum Step {
    Member(String),
    Element(usize),
}

impl Place for Vec<Step> {
    fn member(&self, name: &str) -> Self {
        let mut p = self.clone();
        p.push(Step::Member(name.into()));
        p
    }

    fn element(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.push(Step::Element(index));
        p
    }
}

fn pointer(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        out.push('/');
        match step {
            Step::Member(m) => out.push_str(&crate::refs::escape(m)),
            Step::Element(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn select<'a, P: Place>(
    segments: &[Segment],
    mut nodes: Vec<(P, &'a Value)>,
    root: &'a Value,
) -> Vec<(P, &'a Value)> {
    for segment in segments {
        let mut next = Vec::new();
        for (place, value) in nodes {
            if segment.descendant {
                descend(&segment.selectors, place, value, root, &mut next);
            } else {
                apply(&segment.selectors, &place, value, root, &mut next);
            }
        }
        nodes = next;
    }
    nodes
}

/// The node, then its descendants in document order, each given the selectors.
fn descend<'a, P: Place>(
    selectors: &[Selector],
    place: P,
    value: &'a Value,
    root: &'a Value,
    out: &mut Vec<(P, &'a Value)>,
) {
    apply(selectors, &place, value, root, out);
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                descend(selectors, place.element(i), item, root, out);
            }
        }
        Value::Object(members) => {
            for (name, member) in members {
                descend(selectors, place.member(name), member, root, out);
            }
        }
        _ => {}
    }
}

fn apply<'a, P: Place>(
    selectors: &[Selector],
    place: &P,
    value: &'a Value,
    root: &'a Value,
    out: &mut Vec<(P, &'a Value)>,
) {
    for selector in selectors {
        match (selector, value) {
            (Selector::Name(name), Value::Object(members)) => {
                if let Some(v) = members.get(name) {
                    out.push((place.member(name), v));
                }
            }
            (Selector::Wildcard, Value::Array(items)) => {
                out.extend(items.iter().enumerate().map(|(i, v)| (place.element(i), v)));
            }
            (Selector::Wildcard, Value::Object(members)) => {
                out.extend(members.iter().map(|(k, v)| (place.member(k), v)));
            }
            (Selector::Index(i), Value::Array(items)) => {
                let len = items.len() as i64;
                let at = if *i < 0 { len + i } else { *i };
                if (0..len).contains(&at) {
                    out.push((place.element(at as usize), &items[at as usize]));
                }
            }
            (Selector::Slice { start, end, step }, Value::Array(items)) => {
                for i in slice(items.len() as i64, *start, *end, step.unwrap_or(1)) {
                    out.push((place.element(i), &items[i]));
                }
            }
            (Selector::Filter(filter), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if test(filter, item, root) {
                        out.push((place.element(i), item));
                    }
                }
            }
            (Selector::Filter(filter), Value::Object(members)) => {
                for (k, member) in members {
                    if test(filter, member, root) {
                        out.push((place.member(k), member));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The indices a slice selects (§2.3.4.2.2).
fn slice(len: i64, start: Option<i64>, end: Option<i64>, step: i64) -> Vec<usize> {
    let normalize = |i: i64| if i >= 0 { i } else { len + i };
    let mut out = Vec::new();
    if step > 0 {
        let lower = normalize(start.unwrap_or(0)).clamp(0, len);
        let upper = normalize(end.unwrap_or(len)).clamp(0, len);
        let mut i = lower;
        while i < upper {
            out.push(i as usize);
            i += step;
        }
    } else if step < 0 {
        let upper = normalize(start.unwrap_or(len - 1)).clamp(-1, len - 1);
        let lower = normalize(end.unwrap_or(-len - 1)).clamp(-1, len - 1);
        let mut i = upper;
        while lower < i {
            out.push(i as usize);
            i += step;
        }
    }
    out
}

fn test(filter: &Logical, current: &Value, root: &Value) -> bool {
    match filter {
        Logical::Or(any) => any.iter().any(|f| test(f, current, root)),
        Logical::And(all) => all.iter().all(|f| test(f, current, root)),
        Logical::Not(f) => !test(f, current, root),
        Logical::Exists(q) => !nodes(q, current, root).is_empty(),
        Logical::Test(f) => logical_function(f, current, root),
        Logical::Compare(left, op, right) => {
            let (a, b) = (
                value_of(left, current, root),
                value_of(right, current, root),
            );
            match op {
                Op::Eq => equal(&a, &b),
                Op::Ne => !equal(&a, &b),
                Op::Lt => less(&a, &b),
                Op::Le => less(&a, &b) || equal(&a, &b),
                Op::Gt => less(&b, &a),
                Op::Ge => less(&b, &a) || equal(&a, &b),
            }
        }
    }
}

fn nodes<'a>(query: &Query, current: &'a Value, root: &'a Value) -> Vec<&'a Value> {
    let start = if query.relative { current } else { root };
    select(&query.segments, vec![((), start)], root)
        .into_iter()
        .map(|(_, v)| v)
        .collect()
}

/// A value, or the RFC's `Nothing` (`None`).
type Maybe<'a> = Option<std::borrow::Cow<'a, Value>>;

/// The value of a comparison's side or a value-type argument.
fn value_of<'a>(operand: &'a Operand, current: &'a Value, root: &'a Value) -> Maybe<'a> {
    match operand {
        Operand::Literal(v) => Some(std::borrow::Cow::Borrowed(v)),
        Operand::Query(q) => single(nodes(q, current, root)),
        Operand::Function(f) => value_function(f, current, root),
    }
}

fn single(nodes: Vec<&Value>) -> Maybe<'_> {
    match nodes.as_slice() {
        [one] => Some(std::borrow::Cow::Borrowed(*one)),
        _ => None,
    }
}

fn value_function<'a>(f: &'a Function, current: &'a Value, root: &'a Value) -> Maybe<'a> {
    let nodes_of = |arg: &'a Operand| match arg {
        Operand::Query(q) => nodes(q, current, root),
        _ => Vec::new(),
    };
    match f.name {
        Name::Length => {
            let v = value_of(&f.args[0], current, root)?;
            let n = match v.as_ref() {
                Value::String(s) => s.chars().count(),
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                _ => return None,
            };
            Some(std::borrow::Cow::Owned(Value::from(n)))
        }
        Name::Count => Some(std::borrow::Cow::Owned(Value::from(
            nodes_of(&f.args[0]).len(),
        ))),
        Name::Value => single(nodes_of(&f.args[0])),
        Name::Match | Name::Search => None,
    }
}

fn logical_function(f: &Function, current: &Value, root: &Value) -> bool {
    let (Some(subject), Some(pattern)) = (
        value_of(&f.args[0], current, root),
        value_of(&f.args[1], current, root),
    ) else {
        return false;
    };
    let (Value::String(subject), Value::String(pattern)) = (subject.as_ref(), pattern.as_ref())
    else {
        return false;
    };
    match &f.pattern {
        Some(compiled) => compiled.as_ref().is_some_and(|re| re.is_match(subject)),
        None => regex_for(f.name, pattern).is_some_and(|re| re.is_match(subject)),
    }
}

/// `==` on values: numbers by value (`1 == 1.0`), the rest structurally; `Nothing` equals only
/// `Nothing`.
fn equal(a: &Maybe<'_>, b: &Maybe<'_>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same(a, b),
        _ => false,
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// `<`: numbers by value, strings by scalar values; anything else is not ordered.
fn less(a: &Maybe<'_>, b: &Maybe<'_>) -> bool {
    match (a.as_deref(), b.as_deref()) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x < y,
            _ => x.as_f64() < y.as_f64(),
        },
        (Some(Value::String(x)), Some(Value::String(y))) => x < y,
        _ => false,
    }
}

// ---- I-Regexp (RFC 9485) ----

/// `match` (the whole string) or `search` (a substring) as a compiled regex; `None` when the
/// pattern is not I-Regexp.
fn regex_for(name: Name, pattern: &str) -> Option<regex::Regex> {
    let body = iregexp::translate(pattern)?;
    let anchored = match name {
        Name::Match => format!(r"\A(?:{body})\z"),
        _ => body,
    };
    regex::Regex::new(&anchored).ok()
}

mod iregexp {
    //! RFC 9485's grammar, checked, and each construct written out in the `regex` crate's
    //! syntax: literal characters as `\x{…}` (nothing left to be read as a metacharacter),
    //! `.` as "anything but CR and LF", groups as non-capturing.

    use std::fmt::Write;

    pub fn translate(pattern: &str) -> Option<String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut t = Translator {
            chars,
            pos: 0,
            out: String::new(),
            depth: 0,
        };
        t.alternation()?;
        (t.pos == t.chars.len()).then_some(t.out)
    }

    struct Translator {
        chars: Vec<char>,
        pos: usize,
        out: String,
        depth: usize,
    }

    impl Translator {
        fn peek(&self) -> Option<char> {
            self.chars.get(self.pos).copied()
        }

        fn literal(&mut self, c: char) {
            let _ = write!(self.out, "\\x{{{:x}}}", c as u32);
        }

        fn alternation(&mut self) -> Option<()> {
            self.branch()?;
            while self.peek() == Some('|') {
                self.pos += 1;
                self.out.push('|');
                self.branch()?;
            }
            Some(())
        }

        fn branch(&mut self) -> Option<()> {
            while let Some(c) = self.peek() {
                if c == '|' || c == ')' {
                    break;
                }
                self.atom()?;
                self.quantifier()?;
            }
            Some(())
        }

        fn quantifier(&mut self) -> Option<()> {
            match self.peek() {
                Some(c @ ('*' | '+' | '?')) => {
                    self.pos += 1;
                    self.out.push(c);
                }
                Some('{') => {
                    self.pos += 1;
                    let min = self.digits()?;
                    let max = if self.peek() == Some(',') {
                        self.pos += 1;
                        if self.peek() == Some('}') {
                            Some(None)
                        } else {
                            Some(Some(self.digits()?))
                        }
                    } else {
                        None
                    };
                    if self.peek() != Some('}') {
                        return None;
                    }
                    self.pos += 1;
                    match max {
                        None => write!(self.out, "{{{min}}}").ok()?,
                        Some(None) => write!(self.out, "{{{min},}}").ok()?,
                        Some(Some(max)) => write!(self.out, "{{{min},{max}}}").ok()?,
                    }
                }
                _ => {}
            }
            Some(())
        }

        fn digits(&mut self) -> Option<u32> {
            let start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            let text: String = self.chars[start..self.pos].iter().collect();
            text.parse().ok()
        }

        fn atom(&mut self) -> Option<()> {
            let c = self.peek()?;
            match c {
                '(' => {
                    self.pos += 1;
                    self.depth += 1;
                    if self.depth > super::MAX_DEPTH {
                        return None;
                    }
                    self.out.push_str("(?:");
                    self.alternation()?;
                    if self.peek() != Some(')') {
                        return None;
                    }
                    self.pos += 1;
                    self.depth -= 1;
                    self.out.push(')');
                }
                '.' => {
                    self.pos += 1;
                    self.out.push_str(r"[^\n\r]");
                }
                '[' => self.class()?,
                '\\' => {
                    if let Some(escape) = self.category()? {
                        self.out.push_str(&escape);
                    } else {
                        let c = self.single_escape()?;
                        self.literal(c);
                    }
                }
                ')' | '*' | '+' | '?' | ']' | '{' | '|' | '}' => return None,
                c => {
                    self.pos += 1;
                    self.literal(c);
                }
            }
            Some(())
        }

        /// `\p{…}` / `\P{…}`: `Some(Some(regex))`; another escape: `Some(None)`, not consumed.
        fn category(&mut self) -> Option<Option<String>> {
            let kind = self.chars.get(self.pos + 1).copied();
            if !matches!(kind, Some('p' | 'P')) {
                return Some(None);
            }
            if self.chars.get(self.pos + 2) != Some(&'{') {
                return None;
            }
            let start = self.pos + 3;
            let end = start + self.chars[start..].iter().position(|&c| c == '}')?;
            let name: String = self.chars[start..end].iter().collect();
            let valid = match name.as_bytes() {
                [b'L'] | [b'M'] | [b'N'] | [b'P'] | [b'Z'] | [b'S'] | [b'C'] => true,
                [b'L', s] => b"lmotu".contains(s),
                [b'M', s] => b"cen".contains(s),
                [b'N', s] => b"dlo".contains(s),
                [b'P', s] => b"cdefios".contains(s),
                [b'Z', s] => b"lps".contains(s),
                [b'S', s] => b"ckmo".contains(s),
                [b'C', s] => b"cfno".contains(s),
                _ => false,
            };
            if !valid {
                return None;
            }
            self.pos = end + 1;
            Some(Some(format!("\\{}{{{name}}}", kind?)))
        }

        /// `SingleCharEsc`: the character it stands for.
        fn single_escape(&mut self) -> Option<char> {
            let c = *self.chars.get(self.pos + 1)?;
            let meant = match c {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                '(' | ')' | '*' | '+' | '-' | '.' | '?' | '[' | '\\' | ']' | '^' | '{' | '|'
                | '}' => c,
                _ => return None,
            };
            self.pos += 2;
            Some(meant)
        }

        /// `[` `^`? items `]`, where a `-` is literal first or last.
        fn class(&mut self) -> Option<()> {
            self.pos += 1;
            self.out.push('[');
            if self.peek() == Some('^') {
                self.pos += 1;
                self.out.push('^');
            }
            let mut first = true;
            loop {
                match self.peek()? {
                    ']' if !first => {
                        self.pos += 1;
                        self.out.push(']');
                        return Some(());
                    }
                    '-' if first || self.chars.get(self.pos + 1) == Some(&']') => {
                        self.pos += 1;
                        self.literal('-');
                    }
                    '\\' if matches!(self.chars.get(self.pos + 1), Some('p' | 'P')) => {
                        let escape = self.category()??;
                        self.out.push_str(&escape);
                    }
                    _ => {
                        let low = self.class_char()?;
                        if self.peek() == Some('-') && self.chars.get(self.pos + 1) != Some(&']') {
                            self.pos += 1;
                            let high = self.class_char()?;
                            if high < low {
                                return None;
                            }
                            self.literal(low);
                            self.out.push('-');
                            self.literal(high);
                        } else {
                            self.literal(low);
                        }
                    }
                }
                first = false;
            }
        }

        /// `CCchar`: any character but `-`, `[`, `\`, `]`, or a `SingleCharEsc`.
        fn class_char(&mut self) -> Option<char> {
            match self.peek()? {
                '\\' => self.single_escape(),
                '-' | '[' | ']' => None,
                c => {
                    self.pos += 1;
                    Some(c)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 9535 §1.5's example document.
    fn store() -> Value {
        json!({ "store": {
            "book": [
                { "category": "reference", "author": "Nigel Rees",
                  "title": "Sayings of the Century", "price": 8.95 },
                { "category": "fiction", "author": "Evelyn Waugh",
                  "title": "Sword of Honour", "price": 12.99 },
                { "category": "fiction", "author": "Herman Melville",
                  "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99 },
                { "category": "fiction", "author": "J. R. R. Tolkien",
                  "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99 }
            ],
            "bicycle": { "color": "red", "price": 399 }
        } })
    }

    fn locate(query: &str, doc: &Value) -> Vec<String> {
        JsonPath::parse(query)
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .locate(doc)
    }

    fn values(query: &str, doc: &Value) -> Vec<Value> {
        let path = JsonPath::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
        path.query(doc).into_iter().cloned().collect()
    }

    /// The reference implementation's answer, as pointers.
    fn reference(query: &str, doc: &Value) -> Result<Vec<String>, String> {
        let path = serde_json_path::JsonPath::parse(query).map_err(|e| e.to_string())?;
        Ok(path
            .query_located(doc)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect())
    }

    #[test]
    fn the_rfc_examples_select_what_the_rfc_says() {
        let doc = store();
        // Object members come in the map's order: these two are compared as sets.
        let unordered = ["$.store.*", "$.store..price"];
        for (query, mut expected) in [
            (
                "$.store.book[*].author",
                vec![
                    "/store/book/0/author",
                    "/store/book/1/author",
                    "/store/book/2/author",
                    "/store/book/3/author",
                ],
            ),
            ("$.store.*", vec!["/store/book", "/store/bicycle"]),
            (
                "$.store..price",
                vec![
                    "/store/book/0/price",
                    "/store/book/1/price",
                    "/store/book/2/price",
                    "/store/book/3/price",
                    "/store/bicycle/price",
                ],
            ),
            ("$..book[2]", vec!["/store/book/2"]),
            ("$..book[-1]", vec!["/store/book/3"]),
            ("$..book[0,1]", vec!["/store/book/0", "/store/book/1"]),
            ("$..book[:2]", vec!["/store/book/0", "/store/book/1"]),
            ("$..book[?@.isbn]", vec!["/store/book/2", "/store/book/3"]),
            (
                "$..book[?@.price<10]",
                vec!["/store/book/0", "/store/book/2"],
            ),
            ("$..book[::-2]", vec!["/store/book/3", "/store/book/1"]),
            (
                "$.store.book[?@.price < 10 && @.category == 'fiction'].title",
                vec!["/store/book/2/title"],
            ),
            (
                "$.store.book[?!(@.price > 10) || @.isbn == \"0-395-19395-8\"]",
                vec!["/store/book/0", "/store/book/2", "/store/book/3"],
            ),
            ("$.store.book[?length(@.title) == 9]", vec!["/store/book/2"]),
            (
                "$.store.book[?count(@.*) == 5].title",
                vec!["/store/book/2/title", "/store/book/3/title"],
            ),
            (
                "$.store.book[?match(@.author, 'J.*')]",
                vec!["/store/book/3"],
            ),
            (
                "$.store.book[?search(@.title, 'of')]",
                vec!["/store/book/0", "/store/book/1", "/store/book/3"],
            ),
            (
                "$.store.book[?value(@..isbn) == '0-553-21311-3']",
                vec!["/store/book/2"],
            ),
            (
                "$.store.book[?@.price == $.store.book[0].price]",
                vec!["/store/book/0"],
            ),
            ("$.store.bicycle[?@ == 399]", vec!["/store/bicycle/price"]),
            ("$.store.bicycle[?@ == 399.0]", vec!["/store/bicycle/price"]),
            (
                "$['store']['bicycle']['color']",
                vec!["/store/bicycle/color"],
            ),
            ("$.nothing", vec![]),
        ] {
            let mut got = locate(query, &doc);
            if unordered.contains(&query) {
                got.sort();
                expected.sort();
            }
            assert_eq!(got, expected, "{query}");
        }
        // The whole document, and every node under it (the root first).
        assert_eq!(locate("$", &doc), [""]);
        assert_eq!(locate("$..*", &doc).len(), 27);
    }

    #[test]
    fn slices_follow_the_rfc_normalization() {
        let doc = json!(["a", "b", "c", "d", "e", "f", "g"]);
        let values = |q: &str| values(q, &doc);
        assert_eq!(values("$[1:3]"), [json!("b"), json!("c")]);
        assert_eq!(values("$[5:]"), [json!("f"), json!("g")]);
        assert_eq!(values("$[1:5:2]"), [json!("b"), json!("d")]);
        assert_eq!(values("$[5:1:-2]"), [json!("f"), json!("d")]);
        assert_eq!(values("$[::-1]").len(), 7);
        assert_eq!(values("$[::0]"), Vec::<Value>::new());
        assert_eq!(values("$[-100:100]").len(), 7);
        assert_eq!(values("$[ 1 : 3 : 1 ]"), [json!("b"), json!("c")]);
        assert_eq!(values("$[7]"), Vec::<Value>::new());
        assert_eq!(values("$[-8]"), Vec::<Value>::new());
        assert_eq!(values("$[-7]"), [json!("a")]);
    }

    #[test]
    fn comparisons_follow_the_rfc_table() {
        // §2.3.5.3: absent values, deep equality, ordering only of numbers and strings.
        let doc = json!({ "obj": { "x": "y" }, "arr": [2, 3], "n": 1, "list": [0] });
        let holds = |filter: &str| !locate(&format!("$.list[?{filter}]"), &doc).is_empty();
        for (filter, expected) in [
            ("$.absent1 == $.absent2", true),
            ("$.absent1 <= $.absent2", true),
            ("$.absent == 'g'", false),
            ("$.absent1 != $.absent2", false),
            ("$.absent != 'g'", true),
            ("1 <= 2", true),
            ("1 > 2", false),
            ("13 == '13'", false),
            ("'a' <= 'b'", true),
            ("'a' > 'b'", false),
            ("$.obj == $.arr", false),
            ("$.obj != $.arr", true),
            ("$.obj == $.obj", true),
            ("$.obj != $.obj", false),
            ("$.arr == $.arr", true),
            ("$.arr != $.arr", false),
            ("$.obj == 17", false),
            ("$.obj != 17", true),
            ("$.obj <= $.arr", false),
            ("$.obj < $.arr", false),
            ("$.obj <= $.obj", true),
            ("$.arr <= $.arr", true),
            ("1 <= $.arr", false),
            ("1 >= $.arr", false),
            ("1 > $.arr", false),
            ("1 < $.arr", false),
            ("true <= true", true),
            ("true > true", false),
            ("$.n == 1.0", true),
            ("$.n == 1e0", true),
            ("-0 == 0", true),
        ] {
            assert_eq!(holds(filter), expected, "{filter}");
        }
    }

    #[test]
    fn regular_expressions_are_i_regexp() {
        let doc = json!(["ab", "a\nb", "xaby", "AB", "a.b", "2", "ǅ"]);
        let values = |q: &str| values(q, &doc);
        assert_eq!(
            values("$[?match(@, 'ab')]"),
            [json!("ab")],
            "match is anchored"
        );
        assert_eq!(values("$[?search(@, 'ab')]"), [json!("ab"), json!("xaby")]);
        assert_eq!(
            values("$[?match(@, 'a.b')]"),
            [json!("a.b")],
            "`.` is not a line end"
        );
        assert_eq!(values("$[?match(@, 'a\\\\.b')]"), [json!("a.b")]);
        assert_eq!(values("$[?match(@, '[A-Z]+')]"), [json!("AB")]);
        assert_eq!(
            values("$[?match(@, '[^a-z]+')]"),
            [json!("AB"), json!("2"), json!("ǅ")]
        );
        assert_eq!(values("$[?match(@, '\\\\p{Lt}')]"), [json!("ǅ")]);
        assert_eq!(values("$[?match(@, '\\\\P{L}')]"), [json!("2")]);
        assert_eq!(
            values("$[?match(@, '(a|x)b?.*')]"),
            [json!("ab"), json!("xaby"), json!("a.b")]
        );
        assert_eq!(values("$[?match(@, 'a{1,2}b')]"), [json!("ab")]);
        // `^` and `$` are ordinary characters in I-Regexp; `\d` is not I-Regexp: false, not an
        // error (§2.4.6).
        assert_eq!(values("$[?search(@, '^a')]"), Vec::<Value>::new());
        assert_eq!(values("$[?match(@, '\\\\d')]"), Vec::<Value>::new());
        assert_eq!(values("$[?match(@, '(')]"), Vec::<Value>::new());
        assert_eq!(values("$[?match(@, '[]')]"), Vec::<Value>::new());
        assert_eq!(values("$[?match(@, '[b-a]')]"), Vec::<Value>::new());
        // A pattern read from the document is checked the same way.
        let doc = json!([{ "s": "ab", "p": "a." }, { "s": "ab", "p": "\\d" }]);
        assert_eq!(locate("$[?match(@.s, @.p)]", &doc), ["/0"]);
    }

    #[test]
    fn what_is_not_rfc_9535_is_refused_where_it_is() {
        for (query, at) in [
            ("", 0),
            (" $", 0),
            ("$ ", 1),
            ("$.", 2),
            ("$..", 3),
            ("$.1a", 2),
            ("$[", 2),
            ("$[]", 2),
            ("$['a'", 5),
            ("$['a\"]", 2),
            ("$[\"a\\'\"]", 4),
            ("$['\\u00']", 7),
            ("$['\\uD800']", 9),
            ("$['\u{1}']", 3),
            ("$[01]", 2),
            ("$[-0]", 2),
            ("$[9007199254740992]", 2),
            ("$[1:2:3:4]", 7),
            ("$[?]", 3),
            ("$[?@.a ==]", 9),
            ("$[?1]", 3),
            ("$[?@.a === 1]", 9),
            ("$[?@.* == 1]", 3),
            ("$[?@['a', 'b'] == 1]", 3),
            ("$[?@[ 'a' ] == 1]", 3),
            ("$[?@..a == 1]", 3),
            ("$[?length(@.*) == 1]", 10),
            ("$[?length(@.a)]", 3),
            ("$[?count(1) == 1]", 9),
            ("$[?match(@.a, 'x') == true]", 3),
            ("$[?nope(@)]", 3),
            ("$[?length(@.a, @.b) == 1]", 15),
            ("$[?value() == 1]", 3),
            ("$[?@.a == tru]", 10),
            ("$[?(@.a]", 7),
        ] {
            let e = JsonPath::parse(query).expect_err(query);
            assert_eq!(e.at, at, "{query}: {e}");
            assert!(!e.reason.is_empty());
        }
    }

    #[test]
    fn nesting_is_bounded_not_a_stack_overflow() {
        let deep = format!("$[?{}@.a{}]", "(".repeat(500), ")".repeat(500));
        assert!(
            JsonPath::parse(&deep)
                .unwrap_err()
                .reason
                .contains("nested")
        );
        let deep = format!("$.a{}", "[?@".repeat(500));
        assert!(
            JsonPath::parse(&deep)
                .unwrap_err()
                .reason
                .contains("nested")
        );
        let ok = format!("$[?{}@.a{}]", "(".repeat(60), ")".repeat(60));
        assert!(JsonPath::parse(&ok).is_ok());
        let doc = json!(["x"]);
        let deep_group = format!("$[?match(@, '{}x{}')]", "(".repeat(500), ")".repeat(500));
        assert!(JsonPath::parse(&deep_group).unwrap().query(&doc).is_empty());
    }

    /// Queries over the vendored spec, each compared with serde_json_path's answer: every
    /// selector kind under every segment kind, and filters of each form.
    #[test]
    fn the_same_nodes_as_the_reference_on_the_vendored_spec() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../openapi/aitoearn.openapi.json"
        ))
        .expect("the vendored spec");
        let spec: Value = serde_json::from_str(&text).unwrap();
        let prefixes = [
            "$",
            "$.paths",
            "$.paths.*",
            "$.components.schemas",
            "$..properties",
            "$.paths[*][*]",
        ];
        let selectors = [
            ".*",
            "[*]",
            "..*",
            ".get",
            "['post', 'get']",
            "..description",
            "..['type','format']",
            "[0]",
            "[-1]",
            "[1:3]",
            "[::-1]",
            "[-2:]",
            "..[0]",
            "[?@.type == 'object']",
            "[?@.type != 'string' && @.description]",
            "[?@.required || @.nullable == true]",
            "[?!@.type]",
            "[?@.in == 'query' || @.in == 'path']",
            "[?length(@.description) > 20]",
            "[?count(@.*) >= 3]",
            "[?count(@..['$ref']) == 1]",
            "[?value(@.type) == 'array']",
            "[?@.maxLength < 100]",
            "[?@.minimum <= 0]",
            "[?match(@.type, 'str.*')]",
            "[?search(@.description, '视频')]",
            "[?search(@['$ref'], 'Vo')]",
            "[?@.schema.type == $.openapi]",
            "[?@.operationId]",
            "..[?@.enum]",
            "..parameters[?@.required == true].name",
            "..responses['200'].content",
            "[?@.items['$ref']]",
        ];
        let mut compared = 0;
        for prefix in prefixes {
            for selector in selectors {
                for query in [
                    format!("{prefix}{selector}"),
                    format!("{prefix}{selector}.type"),
                ] {
                    let Ok(expected) = reference(&query, &spec) else {
                        continue;
                    };
                    assert_eq!(locate(&query, &spec), expected, "{query}");
                    compared += 1;
                }
            }
        }
        assert!(compared > 350, "{compared} queries compared");
    }
}
