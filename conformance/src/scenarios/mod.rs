//! Positive cases: one or more scenarios per operation that set up what the operation
//! needs through the API, call it, and check both the shape of every answer and what
//! the service did.
//!
//! To add a scenario, write a `fn(&Ctx) -> Result<(), String>` in the module of its
//! family and list it in that module's `SCENARIOS` with the operation it covers and a
//! short name; the case id is `<Operation>/positive/<name>`. Every call goes through
//! [`Ctx::call`] (a 200 whose body fits the output shape strictly) or [`Ctx::call_err`]
//! (a modeled error of that operation), so a scenario only states behaviour.

mod account;
mod branding;
mod cimd;
mod client_secrets;
mod client_tokens;
mod clients;
mod derived_tokens;
mod devices;
mod domains;
mod groups;
mod identity_providers;
mod import_jobs;
mod limits;
mod list_users;
mod mfa;
mod passkeys;
mod pool_settings;
mod recovery;
mod replicas;
mod resource_servers;
mod self_service;
mod sessions;
mod sign_in;
mod tags;
mod terms;
mod tokens;
mod user_pools;
mod users;

use std::cell::RefCell;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

use super::client::{expect_error, expect_output, Client, Request, Response, Status};
use super::schema::Schema;

/// Pages [`Ctx::collect_pages`] reads before it gives up.
const MAX_PAGES: usize = 10_000;

/// The region of the credential scope every signed request carries.
pub const REGION: &str = "us-east-1";

/// One positive scenario.
pub struct Scenario {
    /// The operation it covers.
    pub operation: &'static str,
    /// The last part of its case id.
    pub name: &'static str,
    pub run: super::Steps,
}

/// The scenario lists of every family.
const FAMILIES: &[&[Scenario]] = &[
    user_pools::SCENARIOS,
    clients::SCENARIOS,
    client_secrets::SCENARIOS,
    client_tokens::SCENARIOS,
    derived_tokens::SCENARIOS,
    tags::SCENARIOS,
    resource_servers::SCENARIOS,
    domains::SCENARIOS,
    identity_providers::SCENARIOS,
    branding::SCENARIOS,
    terms::SCENARIOS,
    replicas::SCENARIOS,
    limits::SCENARIOS,
    recovery::SCENARIOS,
    cimd::SCENARIOS,
    users::SCENARIOS,
    list_users::SCENARIOS,
    groups::SCENARIOS,
    import_jobs::SCENARIOS,
    pool_settings::SCENARIOS,
    sign_in::SCENARIOS,
    tokens::SCENARIOS,
    account::SCENARIOS,
    mfa::SCENARIOS,
    passkeys::SCENARIOS,
    devices::SCENARIOS,
    sessions::SCENARIOS,
    self_service::SCENARIOS,
];

/// Every scenario.
pub fn registry() -> impl Iterator<Item = &'static Scenario> {
    FAMILIES.iter().flat_map(|f| f.iter())
}

/// What a scenario or a protocol check works with.
pub struct Ctx<'a> {
    pub schema: &'a Schema,
    client: &'a Client,
    /// Requests and answers so far, for failure reports.
    log: RefCell<Vec<String>>,
    /// Pools to delete afterwards.
    pools: RefCell<Vec<String>>,
}

impl<'a> Ctx<'a> {
    pub fn new(schema: &'a Schema, client: &'a Client) -> Ctx<'a> {
        Ctx {
            schema,
            client,
            log: RefCell::new(Vec::new()),
            pools: RefCell::new(Vec::new()),
        }
    }

    /// Sends a request as is.
    pub fn send(&self, request: &Request) -> Result<Response, String> {
        let result = self.client.send(request);
        let answer = match &result {
            Ok(r) => r.to_string(),
            Err(e) => e.clone(),
        };
        self.log
            .borrow_mut()
            .push(format!("{request}\n    -> {answer}"));
        result
    }

    /// Uploads `body` to `url` with an HTTP `PUT` and these headers; returns the answer,
    /// whatever its status.
    pub fn put(&self, url: &str, headers: &[(&str, &str)], body: &str) -> Result<Response, String> {
        let result = self.client.put(url, headers, body);
        let answer = match &result {
            Ok(r) => r.to_string(),
            Err(e) => e.clone(),
        };
        self.log
            .borrow_mut()
            .push(format!("PUT {url} {body:?}\n    -> {answer}"));
        result
    }

    /// Sends an HTTP `GET` for `path` (with any query) on the server under test, such as
    /// the emulator's `/_cognito/messages`; returns the answer, whatever its status.
    pub fn get(&self, path: &str) -> Result<Response, String> {
        let result = self.client.get(path);
        let answer = match &result {
            Ok(r) => r.to_string(),
            Err(e) => e.clone(),
        };
        self.log
            .borrow_mut()
            .push(format!("GET {path}\n    -> {answer}"));
        result
    }

    fn request(&self, op: &str, input: &Value) -> Result<Response, String> {
        let signed = self.schema.operation(op)?.signed;
        self.send(&Request::new(op, signed, input.to_string()))
    }

    /// Calls `op` and requires a success whose body fits the output shape; returns the body.
    pub fn call(&self, op: &str, input: Value) -> Result<Value, String> {
        let r = self.request(op, &input)?;
        expect_output(self.schema, op, &r).map_err(|e| format!("{op}: {e}"))
    }

    /// Calls `op` and requires the modeled error `error`; returns its message.
    pub fn call_err(&self, op: &str, input: Value, error: &str) -> Result<String, String> {
        let operation = self.schema.operation(op)?;
        if !operation.errors.iter().any(|e| e == error) {
            return Err(format!("scenario bug: {op} does not declare {error}"));
        }
        let status = match self.schema.shape(error)?.error.as_ref() {
            Some(e) if !e.client => Status::Server,
            _ if error == "InvalidParameterException" => Status::Exactly(400),
            _ => Status::Client,
        };
        let r = self.request(op, &input)?;
        expect_error(&r, error, status).map_err(|e| format!("{op}: {e}"))
    }

    /// Pages through the paginated operation `op`, `page_size` items at a time, and
    /// returns every item. The token, item and page-size members come from the model's
    /// `@paginated` trait; a page larger than `page_size` fails.
    pub fn collect_pages(
        &self,
        op: &str,
        input: Value,
        page_size: u64,
    ) -> Result<Vec<Value>, String> {
        let paginated = self.schema.operation(op)?.paginated.clone();
        let Some(p) = paginated else {
            return Err(format!("scenario bug: {op} is not paginated"));
        };
        let (Some(input_token), Some(output_token), Some(items)) =
            (p.input_token, p.output_token, p.items)
        else {
            return Err(format!("scenario bug: {op} has no tokens or items"));
        };
        let items_pointer = format!("/{}", items.replace('.', "/"));
        let mut all = Vec::new();
        let mut token: Option<Value> = None;
        for _ in 0..MAX_PAGES {
            let mut request = input.clone();
            if let Some(o) = request.as_object_mut() {
                if let Some(size) = &p.page_size {
                    o.insert(size.clone(), json!(page_size));
                }
                if let Some(t) = token.take() {
                    o.insert(input_token.clone(), t);
                }
            }
            let out = self.call(op, request)?;
            let page = out
                .pointer(&items_pointer)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if page.len() as u64 > page_size {
                return Err(format!(
                    "{op}: a page of {} items for a page size of {page_size}",
                    page.len()
                ));
            }
            all.extend(page);
            match out.get(&output_token) {
                Some(t) => token = Some(t.clone()),
                None => return Ok(all),
            }
        }
        Err(format!("{op}: still paging after {MAX_PAGES} pages"))
    }

    /// The last exchanges, for a failure report.
    pub fn transcript(&self, last: usize) -> Vec<String> {
        let log = self.log.borrow();
        log.iter()
            .skip(log.len().saturating_sub(last))
            .cloned()
            .collect()
    }

    /// Deletes the pools this scenario made, ignoring the answers.
    pub fn clean_up(&self) {
        let pools: Vec<String> = self.pools.borrow_mut().drain(..).collect();
        for id in pools {
            let input = json!({"UserPoolId": id});
            if self
                .request("DeleteUserPool", &input)
                .is_ok_and(|r| r.status != 200)
            {
                self.release_pool(&id);
                let _ = self.request("DeleteUserPool", &input);
            }
        }
    }

    /// Removes what keeps a pool from being deleted: its domains and its deletion
    /// protection.
    fn release_pool(&self, id: &str) {
        let described = self
            .request("DescribeUserPool", &json!({"UserPoolId": id}))
            .and_then(|r| r.json());
        if let Ok(pool) = described {
            for key in ["/UserPool/Domain", "/UserPool/CustomDomain"] {
                if let Some(domain) = pool.pointer(key).and_then(Value::as_str) {
                    let input = json!({"UserPoolId": id, "Domain": domain});
                    let _ = self.request("DeleteUserPoolDomain", &input);
                }
            }
        }
        let unprotect = json!({"UserPoolId": id, "DeletionProtection": "INACTIVE"});
        let _ = self.request("UpdateUserPool", &unprotect);
    }
}

/// A name no other scenario of this run uses.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// Fails with `what` unless `cond`.
pub fn ensure(cond: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(what())
    }
}

/// Fails unless `got == want`.
pub fn ensure_eq<T: PartialEq + Debug>(got: T, want: T, what: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: expected {want:?}, got {got:?}"))
    }
}

/// The value at a JSON pointer such as `/UserPool/Id`.
pub fn at<'v>(v: &'v Value, pointer: &str) -> Result<&'v Value, String> {
    v.pointer(pointer)
        .ok_or_else(|| format!("{pointer} is missing from {v}"))
}

/// The string at a JSON pointer.
pub fn str_at<'v>(v: &'v Value, pointer: &str) -> Result<&'v str, String> {
    at(v, pointer)?
        .as_str()
        .ok_or_else(|| format!("{pointer} is not a string in {v}"))
}

/// Whether `s` matches `pattern` (a `regex` pattern written by a scenario).
pub fn matches(pattern: &str, s: &str) -> Result<bool, String> {
    regex::Regex::new(pattern)
        .map(|r| r.is_match(s))
        .map_err(|e| format!("scenario bug: bad regex {pattern}: {e}"))
}

/// A user pool a scenario made.
#[derive(Debug, Clone)]
pub struct Pool {
    pub id: String,
    pub name: String,
    pub arn: String,
    /// The whole `UserPool` of the `CreateUserPool` answer.
    pub created: Value,
}

/// Creates a pool named after `prefix`, with `settings` merged into the request.
pub fn create_pool_with(ctx: &Ctx, prefix: &str, settings: Value) -> Result<Pool, String> {
    let name = unique(prefix);
    let mut input = json!({"PoolName": name});
    if let (Some(i), Some(s)) = (input.as_object_mut(), settings.as_object()) {
        i.extend(s.clone());
    }
    let out = ctx.call("CreateUserPool", input)?;
    let created = at(&out, "/UserPool")?.clone();
    let id = str_at(&created, "/Id")?.to_string();
    ctx.pools.borrow_mut().push(id.clone());
    Ok(Pool {
        arn: str_at(&created, "/Arn")?.to_string(),
        id,
        name,
        created,
    })
}

/// Creates a pool with default settings.
pub fn create_pool(ctx: &Ctx) -> Result<Pool, String> {
    create_pool_with(ctx, "pool", json!({}))
}

/// Creates an app client in `pool` and returns its `UserPoolClient`.
pub fn create_client(ctx: &Ctx, pool: &str, secret: bool) -> Result<Value, String> {
    let input = json!({
        "UserPoolId": pool,
        "ClientName": unique("app"),
        "GenerateSecret": secret,
    });
    let out = ctx.call("CreateUserPoolClient", input)?;
    at(&out, "/UserPoolClient").cloned()
}

/// A pool id that is well formed and exists nowhere.
pub fn unknown_pool_id() -> String {
    format!("{REGION}_Zz0000000")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::schema;
    use std::collections::BTreeSet;

    #[test]
    fn scenarios_name_real_operations_and_are_unique() {
        let s = schema();
        let mut seen = BTreeSet::new();
        for sc in registry() {
            assert!(s.operation(sc.operation).is_ok(), "{}", sc.operation);
            assert!(
                seen.insert((sc.operation, sc.name)),
                "{}/{}",
                sc.operation,
                sc.name
            );
        }
    }
}
