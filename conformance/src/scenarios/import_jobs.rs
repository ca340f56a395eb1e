//! Scenarios of user import jobs: the CSV header, creating a job, uploading its file to
//! the pre-signed URL, starting, stopping, describing and listing jobs.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};

use super::users::{attribute, get_user};
use super::{at, create_pool, create_pool_with, ensure, ensure_eq, matches, str_at, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "GetCSVHeader",
        name: "basic",
        run: header_basic,
    },
    Scenario {
        operation: "CreateUserImportJob",
        name: "basic",
        run: create_basic,
    },
    Scenario {
        operation: "StartUserImportJob",
        name: "imports-the-file",
        run: start_imports,
    },
    Scenario {
        operation: "StartUserImportJob",
        name: "no-file",
        run: start_without_file,
    },
    Scenario {
        operation: "DescribeUserImportJob",
        name: "basic",
        run: describe_basic,
    },
    Scenario {
        operation: "DescribeUserImportJob",
        name: "not-found",
        run: describe_not_found,
    },
    Scenario {
        operation: "StopUserImportJob",
        name: "basic",
        run: stop_basic,
    },
    Scenario {
        operation: "ListUserImportJobs",
        name: "pagination",
        run: list_paginated,
    },
];

const ROLE: &str = "arn:aws:iam::123456789012:role/CognitoImport";

/// A job id that is well formed and names no job.
const UNKNOWN_JOB: &str = "import-zzzzzzzzzz";

/// How often, and how far apart, a started job is described before it must be done.
const MAX_POLLS: u32 = 120;
const POLL_INTERVAL: Duration = Duration::from_millis(500);

fn header(ctx: &Ctx, pool: &str) -> Result<Vec<String>, String> {
    let out = ctx.call("GetCSVHeader", json!({"UserPoolId": pool}))?;
    ensure_eq(str_at(&out, "/UserPoolId")?, pool, "UserPoolId")?;
    at(&out, "/CSVHeader")?
        .as_array()
        .ok_or("CSVHeader is not a list")?
        .iter()
        .map(|h| {
            h.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("a CSVHeader column is not a string: {h}"))
        })
        .collect()
}

fn create_job(ctx: &Ctx, pool: &str, name: &str) -> Result<Value, String> {
    let out = ctx.call(
        "CreateUserImportJob",
        json!({"UserPoolId": pool, "JobName": name, "CloudWatchLogsRoleArn": ROLE}),
    )?;
    at(&out, "/UserImportJob").cloned()
}

fn describe_job(ctx: &Ctx, pool: &str, job_id: &str) -> Result<Value, String> {
    let out = ctx.call(
        "DescribeUserImportJob",
        json!({"UserPoolId": pool, "JobId": job_id}),
    )?;
    at(&out, "/UserImportJob").cloned()
}

/// A CSV with `header` and one row per `{column: value}` in `rows`; the other columns are
/// empty, but `cognito:mfa_enabled` and `phone_number_verified`, which are `false`.
fn csv(header: &[String], rows: &[Value]) -> String {
    let mut out = header.join(",");
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = header
            .iter()
            .map(|column| match row.get(column).and_then(Value::as_str) {
                Some(v) => quote(v),
                None if column == "cognito:mfa_enabled" || column == "phone_number_verified" => {
                    "false".to_string()
                }
                None => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break.
fn quote(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// Uploads `body` to the job's pre-signed URL and requires a 2xx answer.
fn upload(ctx: &Ctx, job: &Value, body: &str) -> Result<(), String> {
    let url = str_at(job, "/PreSignedUrl")?;
    let r = ctx.put(
        url,
        &[
            ("Content-Type", "text/csv"),
            ("x-amz-server-side-encryption", "aws:kms"),
        ],
        body,
    )?;
    ensure((200..300).contains(&r.status), || {
        format!("the upload to the pre-signed URL answered {r}")
    })
}

/// Describes the job until it leaves `Pending` and `InProgress`, and answers it.
fn wait_for(ctx: &Ctx, pool: &str, job_id: &str) -> Result<Value, String> {
    for _ in 0..MAX_POLLS {
        let job = describe_job(ctx, pool, job_id)?;
        if !matches!(str_at(&job, "/Status")?, "Pending" | "InProgress") {
            return Ok(job);
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    Err(format!(
        "job {job_id} still running after {MAX_POLLS} looks {POLL_INTERVAL:?} apart"
    ))
}

fn start(ctx: &Ctx, pool: &str, job_id: &str) -> Result<Value, String> {
    let out = ctx.call(
        "StartUserImportJob",
        json!({"UserPoolId": pool, "JobId": job_id}),
    )?;
    at(&out, "/UserImportJob").cloned()
}

fn header_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(
        ctx,
        "import",
        json!({"Schema": [{"Name": "plan", "AttributeDataType": "String", "Mutable": true}]}),
    )?;
    let columns = header(ctx, &pool.id)?;
    // The standard attributes in the pool's schema order, but for `sub` and
    // `identities`; then custom ones; then the two columns of the import itself.
    let want = [
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
        "email_verified",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "phone_number",
        "phone_number_verified",
        "address",
        "updated_at",
        "custom:plan",
        "cognito:mfa_enabled",
        "cognito:username",
    ];
    ensure_eq(columns, want.map(str::to_string).to_vec(), "CSVHeader")?;
    ctx.call_err(
        "GetCSVHeader",
        json!({"UserPoolId": super::unknown_pool_id()}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn create_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let job = create_job(ctx, &pool.id, "first-import")?;
    ensure_eq(str_at(&job, "/JobName")?, "first-import", "JobName")?;
    ensure_eq(str_at(&job, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(str_at(&job, "/Status")?, "Created", "Status")?;
    ensure_eq(
        str_at(&job, "/CloudWatchLogsRoleArn")?,
        ROLE,
        "CloudWatchLogsRoleArn",
    )?;
    let id = str_at(&job, "/JobId")?;
    ensure(matches("^import-[0-9a-zA-Z-]+$", id)?, || {
        format!("JobId {id} does not look like import-...")
    })?;
    let url = str_at(&job, "/PreSignedUrl")?;
    ensure(
        url.starts_with("http://") || url.starts_with("https://"),
        || format!("PreSignedUrl {url} is not an HTTP URL"),
    )?;
    at(&job, "/CreationDate")?;
    for absent in ["StartDate", "CompletionDate"] {
        ensure_eq(job.get(absent), None, absent)?;
    }
    let other = create_job(ctx, &pool.id, "second-import")?;
    ensure(str_at(&other, "/JobId")? != id, || {
        "two jobs got the same id".to_string()
    })?;
    ensure(str_at(&other, "/PreSignedUrl")? != url, || {
        "two jobs got the same upload URL".to_string()
    })
}

/// The uploaded users are imported, needing a password reset; a bad row fails alone.
fn start_imports(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let columns = header(ctx, &pool.id)?;
    let body = csv(
        &columns,
        &[
            json!({
                "cognito:username": "ann",
                "email": "ann@example.com",
                "email_verified": "true",
                "given_name": "Ann",
            }),
            json!({
                "cognito:username": "bob",
                "email": "not-an-email",
                "email_verified": "true",
            }),
            json!({
                "cognito:username": "cy",
                "email": "cy@example.com",
                "email_verified": "true",
                "family_name": "Smith, Jr.",
            }),
        ],
    );
    let job = create_job(ctx, &pool.id, "three-rows")?;
    let id = str_at(&job, "/JobId")?;
    upload(ctx, &job, &body)?;
    let started = start(ctx, &pool.id, id)?;
    ensure_eq(str_at(&started, "/JobId")?, id, "JobId")?;
    let status = str_at(&started, "/Status")?;
    ensure(matches!(status, "Pending" | "InProgress"), || {
        format!("Status of the started job: {status}")
    })?;
    at(&started, "/StartDate")?;

    let done = wait_for(ctx, &pool.id, id)?;
    ensure_eq(str_at(&done, "/Status")?, "Succeeded", "Status")?;
    ensure_eq(at(&done, "/ImportedUsers")?, &json!(2), "ImportedUsers")?;
    ensure_eq(at(&done, "/FailedUsers")?, &json!(1), "FailedUsers")?;
    ensure_eq(
        done.get("SkippedUsers").cloned().unwrap_or(json!(0)),
        json!(0),
        "SkippedUsers",
    )?;
    at(&done, "/CompletionDate")?;

    let ann = get_user(ctx, &pool.id, "ann")?;
    ensure_eq(str_at(&ann, "/UserStatus")?, "RESET_REQUIRED", "UserStatus")?;
    let attrs = at(&ann, "/UserAttributes")?;
    ensure_eq(attribute(attrs, "email"), Some("ann@example.com"), "email")?;
    ensure_eq(attribute(attrs, "given_name"), Some("Ann"), "given_name")?;
    let cy = get_user(ctx, &pool.id, "cy")?;
    ensure_eq(
        attribute(at(&cy, "/UserAttributes")?, "family_name"),
        Some("Smith, Jr."),
        "a quoted value with a comma",
    )?;
    ctx.call_err(
        "AdminGetUser",
        json!({"UserPoolId": pool.id, "Username": "bob"}),
        "UserNotFoundException",
    )?;
    ctx.call_err(
        "StartUserImportJob",
        json!({"UserPoolId": pool.id, "JobId": id}),
        "PreconditionNotMetException",
    )
    .map(drop)
}

/// A job started before anything was uploaded fails and imports nobody.
fn start_without_file(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let job = create_job(ctx, &pool.id, "empty")?;
    let id = str_at(&job, "/JobId")?;
    start(ctx, &pool.id, id)?;
    let done = wait_for(ctx, &pool.id, id)?;
    ensure_eq(str_at(&done, "/Status")?, "Failed", "Status")?;
    ensure_eq(
        done.get("ImportedUsers").cloned().unwrap_or(json!(0)),
        json!(0),
        "ImportedUsers",
    )?;
    let listed = ctx.call("ListUsers", json!({"UserPoolId": pool.id}))?;
    let users = listed.get("Users").cloned().unwrap_or(json!([]));
    ensure_eq(users, json!([]), "users after the failed job")
}

fn describe_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let job = create_job(ctx, &pool.id, "described")?;
    let described = describe_job(ctx, &pool.id, str_at(&job, "/JobId")?)?;
    ensure_eq(
        &described,
        &job,
        "DescribeUserImportJob versus CreateUserImportJob",
    )
}

fn describe_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "DescribeUserImportJob",
        json!({"UserPoolId": pool.id, "JobId": UNKNOWN_JOB}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// A stopped job stays stopped: it cannot start, and its file is never read.
fn stop_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let job = create_job(ctx, &pool.id, "stopped")?;
    let id = str_at(&job, "/JobId")?;
    let out = ctx.call(
        "StopUserImportJob",
        json!({"UserPoolId": pool.id, "JobId": id}),
    )?;
    let stopped = at(&out, "/UserImportJob")?;
    ensure_eq(str_at(stopped, "/JobId")?, id, "JobId")?;
    ensure_eq(str_at(stopped, "/Status")?, "Stopped", "Status")?;
    at(stopped, "/CompletionDate")?;
    ensure_eq(
        &describe_job(ctx, &pool.id, id)?,
        stopped,
        "DescribeUserImportJob versus StopUserImportJob",
    )?;
    ctx.call_err(
        "StartUserImportJob",
        json!({"UserPoolId": pool.id, "JobId": id}),
        "PreconditionNotMetException",
    )?;
    ctx.call_err(
        "StopUserImportJob",
        json!({"UserPoolId": pool.id, "JobId": id}),
        "PreconditionNotMetException",
    )?;
    ctx.call_err(
        "StopUserImportJob",
        json!({"UserPoolId": pool.id, "JobId": UNKNOWN_JOB}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// Three jobs one at a time: each listed once, with its name.
fn list_paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let mut mine = BTreeSet::new();
    for name in ["job-a", "job-b", "job-c"] {
        let job = create_job(ctx, &pool.id, name)?;
        mine.insert((str_at(&job, "/JobId")?.to_string(), name.to_string()));
    }
    let mut seen = BTreeSet::new();
    let mut token: Option<Value> = None;
    for _ in 0..10 {
        let mut input = json!({"UserPoolId": pool.id, "MaxResults": 1});
        if let (Some(i), Some(t)) = (input.as_object_mut(), token.take()) {
            i.insert("PaginationToken".into(), t);
        }
        let out = ctx.call("ListUserImportJobs", input)?;
        let jobs = out
            .get("UserImportJobs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        ensure(jobs.len() <= 1, || {
            format!("{} jobs on a page of 1", jobs.len())
        })?;
        for job in &jobs {
            let entry = (
                str_at(job, "/JobId")?.to_string(),
                str_at(job, "/JobName")?.to_string(),
            );
            ensure(seen.insert(entry.clone()), || {
                format!("{entry:?} listed twice")
            })?;
        }
        token = out.get("PaginationToken").cloned();
        if token.is_none() {
            return ensure_eq(seen, mine, "jobs listed");
        }
    }
    Err("ListUserImportJobs still paging after 10 pages".to_string())
}
