//! GitHub Actions expressions (`${{ ... }}`), parsed for exactly the forms the workflows use:
//! contexts and property access (`needs.plan-waves.outputs.stage`), the object filter
//! (`.include.*.name`), string, number and boolean literals, `==`, `!=`, `!`, `&&`, `||`,
//! parentheses and the functions `fromJSON`, `join`, `success`, `failure`, `always`,
//! `cancelled`. Anything else is an error, so the rehearsal can never read a workflow
//! differently from GitHub without saying so.

use serde_json::Value;

/// The contexts an expression may name.
pub const CONTEXTS: [&str; 7] = [
    "github", "inputs", "matrix", "needs", "secrets", "steps", "vars",
];

/// The functions an expression may call (GitHub's names are case-insensitive).
const FUNCTIONS: [&str; 8] = [
    "always",
    "cancelled",
    "contains",
    "failure",
    "format",
    "fromjson",
    "join",
    "success",
];

/// The status functions; a condition without one is implicitly `success() && (...)`.
const STATUS_FUNCTIONS: [&str; 4] = ["always", "cancelled", "failure", "success"];

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Value),
    Context(String),
    Property(Box<Expr>, String),
    /// `base.*`: every element of an array (or value of an object).
    Filter(Box<Expr>),
    Call(String, Vec<Expr>),
    Not(Box<Expr>),
    Equal(Box<Expr>, Box<Expr>),
    NotEqual(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// `matrix.accounts` as (`matrix`, [`accounts`]): a plain path from a context, which the
    /// scope resolves strictly (a misspelt job or step name is an error, not an empty string).
    pub fn context_path(&self) -> Option<(&str, Vec<&str>)> {
        match self {
            Expr::Context(name) => Some((name, Vec::new())),
            Expr::Property(base, key) => {
                let (root, mut path) = base.context_path()?;
                path.push(key);
                Some((root, path))
            }
            _ => None,
        }
    }

    pub fn calls_status_function(&self) -> bool {
        match self {
            Expr::Call(name, args) => {
                STATUS_FUNCTIONS.contains(&name.as_str())
                    || args.iter().any(Expr::calls_status_function)
            }
            Expr::Literal(_) | Expr::Context(_) => false,
            Expr::Property(e, _) | Expr::Filter(e) | Expr::Not(e) => e.calls_status_function(),
            Expr::Equal(a, b) | Expr::NotEqual(a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
                a.calls_status_function() || b.calls_status_function()
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Text(String),
    Number(f64),
    Dot,
    Star,
    Open,
    Close,
    Comma,
    Not,
    Equal,
    NotEqual,
    And,
    Or,
}

pub fn parse(source: &str) -> Result<Expr, String> {
    let tokens = tokenize(source)?;
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
    };
    let expr = parser.or()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(format!("unexpected {token:?} in `{source}`")),
    }
}

fn tokenize(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let unsupported = |what: &str| Err(format!("unsupported {what} in `{source}`"));
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '\'' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match (chars.get(i), chars.get(i + 1)) {
                        (Some('\''), Some('\'')) => {
                            text.push('\'');
                            i += 2;
                        }
                        (Some('\''), _) => {
                            i += 1;
                            break;
                        }
                        (Some(&c), _) => {
                            text.push(c);
                            i += 1;
                        }
                        (None, _) => return Err(format!("unterminated string in `{source}`")),
                    }
                }
                tokens.push(Token::Text(text));
            }
            '0'..='9' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let digits: String = chars[start..i].iter().collect();
                let number = digits
                    .parse()
                    .map_err(|_| format!("bad number `{digits}` in `{source}`"))?;
                tokens.push(Token::Number(number));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-')
                {
                    i += 1;
                }
                tokens.push(Token::Name(chars[start..i].iter().collect()));
            }
            '.' => {
                tokens.push(Token::Dot);
                i += 1;
            }
            '*' => {
                tokens.push(Token::Star);
                i += 1;
            }
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '!' if next == Some('=') => {
                tokens.push(Token::NotEqual);
                i += 2;
            }
            '!' => {
                tokens.push(Token::Not);
                i += 1;
            }
            '=' if next == Some('=') => {
                tokens.push(Token::Equal);
                i += 2;
            }
            '&' if next == Some('&') => {
                tokens.push(Token::And);
                i += 2;
            }
            '|' if next == Some('|') => {
                tokens.push(Token::Or);
                i += 2;
            }
            other => return unsupported(&format!("`{other}`")),
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn expect(&mut self, token: &Token) -> Result<(), String> {
        match self.next() {
            Some(ref t) if t == token => Ok(()),
            other => Err(format!("expected {token:?}, found {other:?}")),
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.comparison()?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.comparison()?));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            match self.peek() {
                Some(Token::Equal) => {
                    self.at += 1;
                    left = Expr::Equal(Box::new(left), Box::new(self.unary()?));
                }
                Some(Token::NotEqual) => {
                    self.at += 1;
                    left = Expr::NotEqual(Box::new(left), Box::new(self.unary()?));
                }
                _ => return Ok(left),
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek() == Some(&Token::Not) {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        let mut expr = self.primary()?;
        while self.peek() == Some(&Token::Dot) {
            self.at += 1;
            expr = match self.next() {
                Some(Token::Name(key)) => Expr::Property(Box::new(expr), key),
                Some(Token::Star) => Expr::Filter(Box::new(expr)),
                other => {
                    return Err(format!(
                        "expected a property name after `.`, found {other:?}"
                    ))
                }
            };
        }
        Ok(expr)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Text(text)) => Ok(Expr::Literal(Value::String(text))),
            Some(Token::Number(n)) => Ok(Expr::Literal(serde_json::json!(n))),
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(&Token::Close)?;
                Ok(inner)
            }
            Some(Token::Name(name)) if self.peek() == Some(&Token::Open) => {
                self.at += 1;
                let function = name.to_ascii_lowercase();
                if !FUNCTIONS.contains(&function.as_str()) {
                    return Err(format!(
                        "the function `{name}` is not rehearsed (known: {})",
                        FUNCTIONS.join(", ")
                    ));
                }
                let mut args = Vec::new();
                if self.peek() == Some(&Token::Close) {
                    self.at += 1;
                } else {
                    loop {
                        args.push(self.or()?);
                        match self.next() {
                            Some(Token::Comma) => {}
                            Some(Token::Close) => break,
                            other => return Err(format!("expected `,` or `)`, found {other:?}")),
                        }
                    }
                }
                Ok(Expr::Call(function, args))
            }
            Some(Token::Name(name)) => match name.as_str() {
                "true" => Ok(Expr::Literal(Value::Bool(true))),
                "false" => Ok(Expr::Literal(Value::Bool(false))),
                "null" => Ok(Expr::Literal(Value::Null)),
                context if CONTEXTS.contains(&context) => Ok(Expr::Context(name)),
                _ => Err(format!(
                    "the context `{name}` is not rehearsed (known: {})",
                    CONTEXTS.join(", ")
                )),
            },
            other => Err(format!("expected a value, found {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_of_the_deploy_workflow() {
        for source in [
            "needs.plan-waves.outputs.stage_empty == 'false'",
            "fromJSON(vars.MAX_PARALLEL || '20')",
            "!cancelled() && needs.plan-waves.result == 'success'",
            "join(fromJSON(needs.plan-waves.outputs.stage).include.*.name, ' ')",
            "always() && needs.build.result == 'success'",
            "secrets.SLACK_WEBHOOK_URL",
        ] {
            parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
        }
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        for source in [
            "startsWith(github.ref, 'main')",
            "runner.temp",
            "matrix.a < 2",
            "matrix['a']",
            "'open",
        ] {
            assert!(parse(source).is_err(), "{source} should be refused");
        }
    }
}
