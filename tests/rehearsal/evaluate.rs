//! Evaluates parsed expressions the way GitHub does: loose `==` (strings compared without
//! case, mixed types as numbers), `&&`/`||` returning an operand, truthiness, `${{ }}`
//! interpolation into strings, and `if:` conditions with their implicit `success() &&`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::expression::{parse, Expr};

/// One context (`needs`, `matrix`, ...) and how many levels of it must exist: `needs` is
/// strict to `needs.<job>.outputs.<name>`, so a misspelt job or output is an error instead
/// of GitHub's silent empty string; `vars` and `secrets` are not strict (unset is empty).
#[derive(Debug, Clone)]
pub struct Context {
    pub value: Value,
    pub strict_depth: usize,
}

/// What the status functions answer where they are allowed (`if:`), else `None`.
#[derive(Debug, Clone, Copy)]
pub struct Status {
    pub success: bool,
    pub failure: bool,
    /// A step of this leg was cancelled (tests/rehearsal/cancel.rs); a whole run is never.
    pub cancelled: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Scope {
    contexts: BTreeMap<String, Context>,
    status: Option<Status>,
}

impl Scope {
    pub fn with(mut self, name: &str, value: Value, strict_depth: usize) -> Self {
        self.contexts.insert(
            name.to_string(),
            Context {
                value,
                strict_depth,
            },
        );
        self
    }

    pub fn with_status(mut self, status: Status) -> Self {
        self.status = Some(status);
        self
    }

    fn lookup(&self, root: &str, path: &[&str]) -> Result<Value, String> {
        let Some(context) = self.contexts.get(root) else {
            return Err(format!("the context `{root}` is not available here"));
        };
        let mut current = &context.value;
        for (depth, key) in path.iter().enumerate() {
            match current.get(key) {
                Some(value) => current = value,
                None if depth < context.strict_depth => {
                    let known: Vec<&str> = current
                        .as_object()
                        .map(|o| o.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    return Err(format!(
                        "`{root}.{}` does not exist here (known: {})",
                        path[..=depth].join("."),
                        known.join(", ")
                    ));
                }
                None => return Ok(Value::Null),
            }
        }
        Ok(current.clone())
    }
}

/// A value, or the elements an object filter (`.*`) selected: a property of those is taken
/// from each element.
enum Evaluated {
    One(Value),
    Many(Vec<Value>),
}

impl Evaluated {
    fn value(self) -> Value {
        match self {
            Evaluated::One(v) => v,
            Evaluated::Many(items) => Value::Array(items),
        }
    }
}

pub fn evaluate(expr: &Expr, scope: &Scope) -> Result<Value, String> {
    eval(expr, scope).map(Evaluated::value)
}

fn eval(expr: &Expr, scope: &Scope) -> Result<Evaluated, String> {
    if let Some((root, path)) = expr.context_path() {
        return scope.lookup(root, &path).map(Evaluated::One);
    }
    let one = |e: &Expr| evaluate(e, scope);
    Ok(match expr {
        Expr::Literal(v) => Evaluated::One(v.clone()),
        Expr::Context(_) => unreachable!("a context is a path"),
        Expr::Property(base, key) => match eval(base, scope)? {
            Evaluated::One(v) => Evaluated::One(v.get(key).cloned().unwrap_or(Value::Null)),
            Evaluated::Many(items) => {
                Evaluated::Many(items.iter().filter_map(|v| v.get(key).cloned()).collect())
            }
        },
        Expr::Filter(base) => {
            let children = |v: &Value| -> Vec<Value> {
                match v {
                    Value::Array(items) => items.clone(),
                    Value::Object(map) => map.values().cloned().collect(),
                    _ => Vec::new(),
                }
            };
            match eval(base, scope)? {
                Evaluated::One(v) => Evaluated::Many(children(&v)),
                Evaluated::Many(items) => {
                    Evaluated::Many(items.iter().flat_map(children).collect())
                }
            }
        }
        Expr::Not(e) => Evaluated::One(Value::Bool(!truthy(&one(e)?))),
        Expr::Equal(a, b) => Evaluated::One(Value::Bool(loose_equal(&one(a)?, &one(b)?))),
        Expr::NotEqual(a, b) => Evaluated::One(Value::Bool(!loose_equal(&one(a)?, &one(b)?))),
        Expr::And(a, b) => {
            let left = one(a)?;
            Evaluated::One(if truthy(&left) { one(b)? } else { left })
        }
        Expr::Or(a, b) => {
            let left = one(a)?;
            Evaluated::One(if truthy(&left) { left } else { one(b)? })
        }
        Expr::Call(name, args) => Evaluated::One(call(name, args, scope)?),
    })
}

fn call(name: &str, args: &[Expr], scope: &Scope) -> Result<Value, String> {
    let values = args
        .iter()
        .map(|a| evaluate(a, scope))
        .collect::<Result<Vec<_>, _>>()?;
    let status = || {
        scope
            .status
            .ok_or_else(|| format!("`{name}()` is only allowed in an `if:`"))
    };
    let arity = |n: usize| {
        if values.len() == n {
            Ok(())
        } else {
            Err(format!(
                "`{name}` takes {n} argument(s), got {}",
                values.len()
            ))
        }
    };
    match name {
        "always" => arity(0).map(|()| Value::Bool(true)),
        "cancelled" => arity(0).and(status()).map(|s| Value::Bool(s.cancelled)),
        "success" => arity(0).and(status()).map(|s| Value::Bool(s.success)),
        "failure" => arity(0).and(status()).map(|s| Value::Bool(s.failure)),
        "fromjson" => {
            arity(1)?;
            let Value::String(text) = &values[0] else {
                return Err(format!("fromJSON of a non-string: {}", values[0]));
            };
            serde_json::from_str(text).map_err(|e| format!("fromJSON({text:?}): {e}"))
        }
        // An array holds an equal item; a string holds the text (both case-insensitive).
        "contains" => {
            arity(2)?;
            match &values[0] {
                Value::Array(items) => Ok(Value::Bool(
                    items.iter().any(|item| loose_equal(item, &values[1])),
                )),
                other => {
                    let (haystack, needle) = (to_text(other)?, to_text(&values[1])?);
                    Ok(Value::Bool(
                        haystack.to_lowercase().contains(&needle.to_lowercase()),
                    ))
                }
            }
        }
        "join" => {
            if values.is_empty() || values.len() > 2 {
                return Err("`join` takes 1 or 2 arguments".into());
            }
            let separator = values.get(1).map_or(Ok(",".to_string()), to_text)?;
            match &values[0] {
                Value::Array(items) => Ok(Value::String(
                    items
                        .iter()
                        .map(to_text)
                        .collect::<Result<Vec<_>, _>>()?
                        .join(&separator),
                )),
                other => to_text(other).map(Value::String),
            }
        }
        // `{N}` is argument N+1 as text; `{{` and `}}` are literal braces.
        "format" => {
            let Some((template, args)) = values.split_first() else {
                return Err("`format` takes a format string".into());
            };
            let template = to_text(template)?;
            let mut out = String::new();
            let mut chars = template.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '{' if chars.peek() == Some(&'{') => {
                        chars.next();
                        out.push('{');
                    }
                    '}' if chars.peek() == Some(&'}') => {
                        chars.next();
                        out.push('}');
                    }
                    '{' => {
                        let index: String = chars.by_ref().take_while(|c| *c != '}').collect();
                        let arg = index
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| args.get(i))
                            .ok_or_else(|| format!("format: no argument `{{{index}}}`"))?;
                        out.push_str(&to_text(arg)?);
                    }
                    '}' => return Err(format!("format: a lone `}}` in {template:?}")),
                    c => out.push(c),
                }
            }
            Ok(Value::String(out))
        }
        other => Err(format!("the function `{other}` is not rehearsed")),
    }
}

pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

fn loose_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
            // GitHub compares arrays and objects by identity: two evaluations never match.
            false
        }
        _ => to_number(a) == to_number(b),
    }
}

fn to_number(value: &Value) -> f64 {
    match value {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) if s.trim().is_empty() => 0.0,
        Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        Value::Array(_) | Value::Object(_) => f64::NAN,
    }
}

/// A value as text in a string (`env:`, `with:`, names): GitHub's formatting of scalars;
/// an object or array there is a workflow mistake.
pub fn to_text(value: &Value) -> Result<String, String> {
    Ok(match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            // A whole number under 1e15 converts exactly.
            #[allow(clippy::cast_possible_truncation)]
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => {
            return Err(format!(
                "an array or object where text is expected: {value}"
            ))
        }
    })
}

/// A YAML value with `${{ }}` in it. A string that is exactly one expression keeps the
/// expression's type (`matrix:`, `max-parallel:`); otherwise the pieces are joined as text.
pub fn interpolate(template: &str, scope: &Scope) -> Result<Value, String> {
    let pieces = split_template(template)?;
    if let [Piece::Expression(source)] = pieces.as_slice() {
        if template.trim().starts_with("${{") && template.trim().ends_with("}}") {
            return evaluate(&parse(source)?, scope);
        }
    }
    let mut text = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => text.push_str(&t),
            Piece::Expression(source) => {
                text.push_str(&to_text(&evaluate(&parse(&source)?, scope)?)?);
            }
        }
    }
    Ok(Value::String(text))
}

pub fn interpolate_text(template: &str, scope: &Scope) -> Result<String, String> {
    to_text(&interpolate(template, scope)?)
}

/// An `if:`: an expression with or without `${{ }}`, implicitly `success() && (...)` when
/// it calls no status function.
pub fn condition(source: Option<&str>, scope: &Scope) -> Result<bool, String> {
    let source = source.unwrap_or("success()").trim();
    let inner = match split_template(source)?.as_slice() {
        [Piece::Expression(inner)] if source.starts_with("${{") && source.ends_with("}}") => {
            inner.clone()
        }
        pieces if pieces.iter().all(|p| matches!(p, Piece::Text(_))) => source.to_string(),
        _ => {
            return Err(format!(
                "`if: {source}` mixes text and `${{{{ }}}}`: GitHub treats that as always true"
            ))
        }
    };
    let mut expr = parse(&inner)?;
    if !expr.calls_status_function() {
        expr = Expr::And(
            Box::new(Expr::Call("success".into(), Vec::new())),
            Box::new(expr),
        );
    }
    Ok(truthy(&evaluate(&expr, scope)?))
}

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Expression(String),
}

fn split_template(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${{") {
        if start > 0 {
            pieces.push(Piece::Text(rest[..start].to_string()));
        }
        let body = &rest[start + 3..];
        // The closing `}}` outside of a quoted string.
        let mut quoted = false;
        let mut end = None;
        let bytes = body.as_bytes();
        for i in 0..bytes.len() {
            match bytes[i] {
                b'\'' => quoted = !quoted,
                b'}' if !quoted && bytes.get(i + 1) == Some(&b'}') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or_else(|| format!("unclosed `${{{{` in `{template}`"))?;
        pieces.push(Piece::Expression(body[..end].trim().to_string()));
        rest = &body[end + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        Scope::default()
            .with(
                "needs",
                json!({"plan-waves": {"result": "success", "outputs": {
                    "stage": r#"{"include":[{"name":"a"},{"name":"b"}]}"#,
                    "stage_empty": "false"
                }}}),
                3,
            )
            .with("vars", json!({}), 0)
            .with("matrix", json!({"name": "a", "accounts": "a"}), 1)
            .with_status(Status {
                success: false,
                failure: true,
                cancelled: false,
            })
    }

    #[test]
    fn evaluates_like_github() {
        let s = scope();
        let eval = |src: &str| evaluate(&parse(src).unwrap(), &s).unwrap();
        assert_eq!(
            eval("fromJSON(vars.MAX_PARALLEL || '20')").as_f64(),
            Some(20.0)
        );
        assert_eq!(
            eval("join(fromJSON(needs.plan-waves.outputs.stage).include.*.name, ' ')"),
            json!("a b")
        );
        assert_eq!(
            eval("needs.plan-waves.outputs.stage_empty == 'FALSE'"),
            json!(true)
        );
        assert_eq!(
            eval("!cancelled() && needs.plan-waves.result == 'success'"),
            json!(true)
        );
        assert_eq!(eval("1 == '1'"), json!(true));
        assert_eq!(
            eval("contains(fromJSON('[\"preview\",\"x\"]'), 'Preview')"),
            json!(true)
        );
        assert_eq!(eval("contains('refs/heads/main', 'MAIN')"), json!(true));
        assert_eq!(
            eval("contains(fromJSON('[\"x\"]'), 'preview')"),
            json!(false)
        );
        assert_eq!(
            interpolate("deploy-${{ matrix.accounts }}", &s).unwrap(),
            json!("deploy-a")
        );
    }

    #[test]
    fn conditions_imply_success_unless_they_ask_for_a_status() {
        let s = scope();
        assert!(!condition(Some("needs.plan-waves.outputs.stage_empty == 'false'"), &s).unwrap());
        assert!(condition(
            Some("${{ always() && needs.plan-waves.result == 'success' }}"),
            &s
        )
        .unwrap());
        assert!(!condition(None, &s).unwrap());
        assert!(condition(Some("failure()"), &s).unwrap());
        assert!(condition(Some("x ${{ always() }}"), &s).is_err());
    }

    #[test]
    fn a_misspelt_job_matrix_key_or_output_is_an_error() {
        let s = scope();
        for src in [
            "needs.plan-wave.outputs.stage",
            "needs.plan-waves.outputs.stages",
            "matrix.account",
            "secrets.X",
        ] {
            assert!(evaluate(&parse(src).unwrap(), &s).is_err(), "{src}");
        }
        assert_eq!(
            evaluate(&parse("vars.UNSET").unwrap(), &s).unwrap(),
            Value::Null
        );
    }
}
