//! Renders what a layer's IAM would be for given inputs, from its HCL alone: the variables
//! (defaults overridden by the inputs), the locals, every `aws_iam_policy_document` (as the
//! IAM JSON the provider would produce) and every IAM role with its trust policy, inline
//! policies and managed policy attachments. No provider is needed, so it runs where terraform
//! cannot download one. Values only known after apply (resource attributes other than an IAM
//! role's name and ARN) are not modelled: a document needing one is left out, and a role whose
//! trust or policies need one fails the test.

use std::collections::BTreeMap;
use std::path::Path;

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl::{Block, Body, Expression, Map, Value};
use serde_json::json;

/// One IAM role a layer creates, with everything that grants or limits its rights.
#[derive(Debug, Clone)]
pub struct Role {
    /// `aws_iam_role.<address>` (with `["key"]` for `for_each`).
    pub address: String,
    pub name: String,
    pub trust: serde_json::Value,
    /// Inline policies (`aws_iam_role_policy`), rendered.
    pub inline: Vec<serde_json::Value>,
    /// Managed policy ARNs attached (`aws_iam_role_policy_attachment`).
    pub managed: Vec<String>,
}

#[derive(Debug)]
pub struct Rendered {
    /// `data.aws_iam_policy_document.<name>` (or `<name>["key"]`) -> IAM JSON.
    pub documents: BTreeMap<String, serde_json::Value>,
    pub roles: Vec<Role>,
}

impl Rendered {
    pub fn document(&self, address: &str) -> &serde_json::Value {
        self.documents.get(address).unwrap_or_else(|| {
            panic!(
                "no policy document {address}; have {:?}",
                self.documents.keys()
            )
        })
    }

    pub fn role(&self, name: &str) -> &Role {
        self.roles
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| {
                panic!(
                    "the layer creates no role named {name}; it creates {:?}",
                    self.roles.iter().map(|r| &r.name).collect::<Vec<_>>()
                )
            })
    }
}

/// Renders `dir` with `inputs` (variable values) and `data` (the data sources the layer
/// reads, as `{"aws_partition": {"current": {"partition": "aws"}}, ...}`). `account_id` is
/// the account the roles are created in (for their ARNs).
pub fn render(
    dir: &Path,
    inputs: &serde_json::Value,
    data: serde_json::Value,
    account_id: &str,
) -> Rendered {
    let bodies = read(dir);
    let blocks: Vec<&Block> = bodies.iter().flat_map(|b| b.blocks()).collect();

    let mut vars = Map::new();
    for block in blocks.iter().filter(|b| b.identifier() == "variable") {
        let name = label(block, 0);
        let value = match inputs.get(&name) {
            Some(v) => hcl::to_value(v).unwrap(),
            None => match attribute(block, "default") {
                Some(expr) => expr
                    .evaluate(&base_context())
                    .unwrap_or_else(|e| panic!("default of {name}: {e}")),
                None => panic!("variable {name} has no default and the test gives no value"),
            },
        };
        vars.insert(name, value);
    }

    let locals: Vec<(String, &Expression)> = blocks
        .iter()
        .filter(|b| b.identifier() == "locals")
        .flat_map(|b| {
            b.body()
                .attributes()
                .map(|a| (a.key().to_string(), a.expr()))
        })
        .collect();
    let documents: Vec<&Block> = blocks
        .iter()
        .copied()
        .filter(|b| b.identifier() == "data" && label(b, 0) == "aws_iam_policy_document")
        .collect();
    let roles: Vec<&Block> = resources(&blocks, "aws_iam_role");

    let data = hcl::to_value(&data).unwrap();
    let mut state = State {
        vars: Value::Object(vars),
        data,
        locals: Map::new(),
        documents: BTreeMap::new(),
        document_values: Map::new(),
        roles: Map::new(),
    };

    // Locals, documents and role names depend on each other in any order: resolve what can be
    // resolved until nothing more can.
    let mut rendered_roles: BTreeMap<String, (String, Option<serde_json::Value>)> = BTreeMap::new();
    loop {
        let mut progress = false;
        for (name, expr) in &locals {
            if state.locals.contains_key(name) {
                continue;
            }
            if let Ok(value) = expr.evaluate(&state.context(None)) {
                state.locals.insert(name.clone(), value);
                progress = true;
            }
        }
        for block in &documents {
            let name = label(block, 1);
            if state.document_values.contains_key(&name) {
                continue;
            }
            if let Some(rendered) = state.try_document(block) {
                progress = true;
                match rendered {
                    Instances::Single(doc) => {
                        state
                            .documents
                            .insert(format!("data.aws_iam_policy_document.{name}"), doc.clone());
                        state.document_values.insert(name, json_attr(&doc));
                    }
                    Instances::Each(map) => {
                        let mut values = Map::new();
                        for (key, doc) in map {
                            state.documents.insert(
                                format!("data.aws_iam_policy_document.{name}[\"{key}\"]"),
                                doc.clone(),
                            );
                            values.insert(key, json_attr(&doc));
                        }
                        state.document_values.insert(name, Value::Object(values));
                    }
                }
            }
        }
        for block in &roles {
            let name = label(block, 1);
            if state.roles.contains_key(&name) {
                continue;
            }
            if let Some(instances) = state.instances(block) {
                let mut all = Vec::new();
                for (key, ctx_each) in instances {
                    let ctx = state.context(ctx_each.as_ref());
                    let Ok(Value::String(role_name)) =
                        attribute(block, "name").unwrap().evaluate(&ctx)
                    else {
                        all.clear();
                        break;
                    };
                    all.push((key, role_name));
                }
                if all.is_empty() {
                    continue;
                }
                let arn = |n: &str| Value::String(format!("arn:aws:iam::{account_id}:role/{n}"));
                let attrs = |n: &str| {
                    Value::Object(Map::from_iter([
                        ("name".to_string(), Value::String(n.to_string())),
                        ("id".to_string(), Value::String(n.to_string())),
                        ("arn".to_string(), arn(n)),
                    ]))
                };
                let value = if attribute(block, "for_each").is_some() {
                    Value::Object(
                        all.iter()
                            .map(|(k, n)| (k.clone().unwrap(), attrs(n)))
                            .collect(),
                    )
                } else {
                    attrs(&all[0].1)
                };
                for (key, role_name) in all {
                    let address = match key {
                        Some(k) => format!("aws_iam_role.{name}[\"{k}\"]"),
                        None => format!("aws_iam_role.{name}"),
                    };
                    rendered_roles.insert(address, (role_name, None));
                }
                state.roles.insert(name, value);
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }

    // Trust policies and the policies attached to each role, now that everything resolved.
    let mut out_roles = Vec::new();
    for block in &roles {
        let name = label(block, 1);
        for (key, each) in state.instances(block).expect("role instances") {
            let ctx = state.context(each.as_ref());
            let address = match &key {
                Some(k) => format!("aws_iam_role.{name}[\"{k}\"]"),
                None => format!("aws_iam_role.{name}"),
            };
            let role_name = rendered_roles[&address].0.clone();
            let trust = attribute(block, "assume_role_policy")
                .unwrap()
                .evaluate(&ctx)
                .unwrap_or_else(|e| panic!("{address}.assume_role_policy: {e}"));
            let Value::String(trust) = trust else {
                panic!("{address}.assume_role_policy is not a string")
            };
            out_roles.push(Role {
                address,
                name: role_name,
                trust: serde_json::from_str(&trust).unwrap(),
                inline: Vec::new(),
                managed: Vec::new(),
            });
        }
    }
    for (kind, target) in [
        ("aws_iam_role_policy", "policy"),
        ("aws_iam_role_policy_attachment", "policy_arn"),
    ] {
        for block in resources(&blocks, kind) {
            let address = format!("{kind}.{}", label(block, 1));
            for (_, each) in state
                .instances(block)
                .unwrap_or_else(|| panic!("{address}: for_each does not resolve"))
            {
                let ctx = state.context(each.as_ref());
                let role = attribute(block, "role")
                    .unwrap()
                    .evaluate(&ctx)
                    .unwrap_or_else(|e| panic!("{address}.role: {e}"));
                let Value::String(role) = role else {
                    panic!("{address}.role is not a string")
                };
                let value = attribute(block, target)
                    .unwrap()
                    .evaluate(&ctx)
                    .unwrap_or_else(|e| panic!("{address}.{target}: {e}"));
                let Value::String(value) = value else {
                    panic!("{address}.{target} is not a string")
                };
                let role = out_roles
                    .iter_mut()
                    .find(|r| r.name == role)
                    .unwrap_or_else(|| {
                        panic!("{address} names role {role}, which the layer does not create")
                    });
                if kind == "aws_iam_role_policy" {
                    role.inline.push(serde_json::from_str(&value).unwrap());
                } else {
                    role.managed.push(value);
                }
            }
        }
    }
    Rendered {
        documents: state.documents,
        roles: out_roles,
    }
}

enum Instances {
    Single(serde_json::Value),
    Each(Vec<(String, serde_json::Value)>),
}

struct State {
    vars: Value,
    data: Value,
    locals: Map<String, Value>,
    documents: BTreeMap<String, serde_json::Value>,
    /// `aws_iam_policy_document` name -> `{json = ...}` or key -> `{json = ...}`.
    document_values: Map<String, Value>,
    /// `aws_iam_role` name -> `{name, id, arn}` or key -> `{name, id, arn}`.
    roles: Map<String, Value>,
}

impl State {
    fn context(&self, each: Option<&Value>) -> Context<'static> {
        let mut ctx = base_context();
        ctx.declare_var("var", self.vars.clone());
        ctx.declare_var("local", Value::Object(self.locals.clone()));
        let mut data = match &self.data {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        data.insert(
            "aws_iam_policy_document".into(),
            Value::Object(self.document_values.clone()),
        );
        ctx.declare_var("data", Value::Object(data));
        ctx.declare_var("aws_iam_role", Value::Object(self.roles.clone()));
        if let Some(each) = each {
            ctx.declare_var("each", each.clone());
        }
        ctx
    }

    /// Each instance of a block: `(None, None)` without `for_each`, else `(key, each)` per
    /// element. `None` while `for_each` does not resolve yet.
    fn instances(&self, block: &Block) -> Option<Vec<(Option<String>, Option<Value>)>> {
        let Some(for_each) = attribute(block, "for_each") else {
            return Some(vec![(None, None)]);
        };
        let value = for_each.evaluate(&self.context(None)).ok()?;
        let pairs: Vec<(String, Value)> = match value {
            Value::Object(map) => map.into_iter().collect(),
            Value::Array(items) => items
                .into_iter()
                .map(|v| match &v {
                    Value::String(s) => (s.clone(), v.clone()),
                    other => panic!("for_each over a non-string set element {other:?}"),
                })
                .collect(),
            other => panic!("for_each is neither a map nor a set: {other:?}"),
        };
        Some(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let each = Value::Object(Map::from_iter([
                        ("key".to_string(), Value::String(k.clone())),
                        ("value".to_string(), v),
                    ]));
                    (Some(k), Some(each))
                })
                .collect(),
        )
    }

    fn try_document(&self, block: &Block) -> Option<Instances> {
        let instances = self.instances(block)?;
        let mut rendered = Vec::new();
        for (key, each) in instances {
            let ctx = self.context(each.as_ref());
            rendered.push((key, document(block, &ctx)?));
        }
        if attribute(block, "for_each").is_some() {
            Some(Instances::Each(
                rendered.into_iter().map(|(k, d)| (k.unwrap(), d)).collect(),
            ))
        } else {
            Some(Instances::Single(rendered.pop().unwrap().1))
        }
    }
}

/// The IAM JSON of one `aws_iam_policy_document`, or `None` while something does not resolve.
fn document(block: &Block, ctx: &Context<'_>) -> Option<serde_json::Value> {
    let mut statements = Vec::new();
    for statement in block.body().blocks() {
        assert_eq!(
            statement.identifier(),
            "statement",
            "aws_iam_policy_document.{}: `{}` blocks are not rendered by this test; write statements out",
            label(block, 1),
            statement.identifier()
        );
        let mut out = serde_json::Map::new();
        let get = |key: &str| -> Option<Option<Value>> {
            match attribute(statement, key) {
                None => Some(None),
                Some(expr) => expr.evaluate(ctx).ok().map(Some),
            }
        };
        if let Some(Value::String(sid)) = get("sid")? {
            out.insert("Sid".into(), json!(sid));
        }
        let effect = match get("effect")? {
            Some(Value::String(e)) => e,
            _ => "Allow".into(),
        };
        out.insert("Effect".into(), json!(effect));
        for (key, field) in [
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(value) = get(key)? {
                out.insert(field.into(), serde_json::to_value(&value).unwrap());
            }
        }
        for (kind, field) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let mut principals = serde_json::Map::new();
            for p in statement.body().blocks().filter(|b| b.identifier() == kind) {
                let Value::String(kind) = attribute(p, "type")?.evaluate(ctx).ok()? else {
                    return None;
                };
                let ids = attribute(p, "identifiers")?.evaluate(ctx).ok()?;
                let ids = serde_json::to_value(&ids).unwrap();
                let entry = principals.entry(kind).or_insert_with(|| json!([]));
                entry
                    .as_array_mut()
                    .unwrap()
                    .extend(ids.as_array().unwrap().iter().cloned());
            }
            if principals.len() == 1 && principals.get("*").is_some() {
                out.insert(field.into(), json!("*"));
            } else if !principals.is_empty() {
                out.insert(field.into(), serde_json::Value::Object(principals));
            }
        }
        let mut conditions = serde_json::Map::new();
        for c in statement
            .body()
            .blocks()
            .filter(|b| b.identifier() == "condition")
        {
            let Value::String(test) = attribute(c, "test")?.evaluate(ctx).ok()? else {
                return None;
            };
            let Value::String(variable) = attribute(c, "variable")?.evaluate(ctx).ok()? else {
                return None;
            };
            let values = serde_json::to_value(attribute(c, "values")?.evaluate(ctx).ok()?).unwrap();
            let test = conditions.entry(test).or_insert_with(|| json!({}));
            test.as_object_mut().unwrap().insert(variable, values);
        }
        if !conditions.is_empty() {
            out.insert("Condition".into(), serde_json::Value::Object(conditions));
        }
        statements.push(serde_json::Value::Object(out));
    }
    Some(json!({ "Version": "2012-10-17", "Statement": statements }))
}

fn json_attr(doc: &serde_json::Value) -> Value {
    Value::Object(Map::from_iter([(
        "json".to_string(),
        Value::String(doc.to_string()),
    )]))
}

fn read(dir: &Path) -> Vec<Body> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            hcl::from_str(&std::fs::read_to_string(f).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
        })
        .collect()
}

fn resources<'a>(blocks: &[&'a Block], kind: &str) -> Vec<&'a Block> {
    blocks
        .iter()
        .copied()
        .filter(|b| b.identifier() == "resource" && label(b, 0) == kind)
        .collect()
}

fn label(block: &Block, index: usize) -> String {
    block
        .labels()
        .get(index)
        .map(|l| l.as_str().to_string())
        .unwrap_or_default()
}

fn attribute<'a>(block: &'a Block, key: &str) -> Option<&'a Expression> {
    block
        .body()
        .attributes()
        .find(|a| a.key() == key)
        .map(|a| a.expr())
}

/// The Terraform functions the layers' IAM uses.
fn base_context() -> Context<'static> {
    let mut ctx = Context::new();
    fn as_list(v: &Value) -> Vec<Value> {
        match v {
            Value::Array(a) => a.clone(),
            Value::Object(m) => m.values().cloned().collect(),
            Value::Null => Vec::new(),
            other => vec![other.clone()],
        }
    }
    ctx.declare_func(
        "concat",
        FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(|args: FuncArgs| Ok(Value::Array(args.iter().flat_map(as_list).collect()))),
    );
    ctx.declare_func(
        "contains",
        FuncDef::builder()
            .params([ParamType::Any, ParamType::Any])
            .build(|args: FuncArgs| Ok(Value::Bool(as_list(&args[0]).contains(&args[1])))),
    );
    ctx.declare_func(
        "coalesce",
        FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(|args: FuncArgs| {
                args.iter()
                    .find(|v| !matches!(v, Value::Null) && *v != &Value::String(String::new()))
                    .cloned()
                    .ok_or_else(|| "no non-null argument".to_string())
            }),
    );
    ctx.declare_func(
        "length",
        FuncDef::builder()
            .param(ParamType::Any)
            .build(|args: FuncArgs| {
                Ok(Value::from(match &args[0] {
                    Value::String(s) => s.chars().count(),
                    Value::Object(m) => m.len(),
                    other => as_list(other).len(),
                } as u64))
            }),
    );
    ctx.declare_func(
        "split",
        FuncDef::builder()
            .params([ParamType::String, ParamType::String])
            .build(|args: FuncArgs| {
                let (Value::String(sep), Value::String(s)) = (&args[0], &args[1]) else {
                    unreachable!()
                };
                Ok(Value::Array(
                    s.split(sep.as_str())
                        .map(|p| Value::String(p.into()))
                        .collect(),
                ))
            }),
    );
    ctx.declare_func(
        "toset",
        FuncDef::builder()
            .param(ParamType::Any)
            .build(|args: FuncArgs| {
                let mut items = as_list(&args[0]);
                items.dedup();
                Ok(Value::Array(items))
            }),
    );
    ctx
}
