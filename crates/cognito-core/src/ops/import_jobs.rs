//! User import jobs: `GetCSVHeader`, `CreateUserImportJob`, `StartUserImportJob`,
//! `StopUserImportJob`, `DescribeUserImportJob`, `ListUserImportJobs`.
//!
//! `CreateUserImportJob` answers a pre-signed URL served by this server; an HTTP `PUT`
//! of the CSV there stores it ([`Cognito::upload_user_import_csv`]). `StartUserImportJob`
//! answers `InProgress` and imports the file at once, so the next `DescribeUserImportJob`
//! shows `Succeeded` (or `Failed` when nothing was uploaded) with the counts of imported,
//! skipped and failed users. Imported users are `RESET_REQUIRED`, as in Cognito; password
//! hashes in the file (`PasswordHashingAlgorithm`) are not read.

use cognito_crypto::Secret;
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::errors::{invalid_parameter, not_found};
use crate::ops::users::rules::{check_attributes, AttributeWrite};
use crate::ops::users::User;
use crate::state::import_jobs::ImportJob;
use crate::store::PoolState;
use crate::{ids, Cognito, RequestContext};

/// Columns of the CSV besides the pool's attributes.
const USERNAME_COLUMN: &str = "cognito:username";
const MFA_COLUMN: &str = "cognito:mfa_enabled";

fn job_not_found(job_id: &str) -> CognitoError {
    not_found(format!("Import job {job_id} does not exist."))
}

/// The CSV header for `pool`: every attribute but `sub` and `identities`, then the two
/// `cognito:` columns.
fn csv_header(pool: &PoolState) -> Vec<String> {
    let mut header: Vec<String> = pool
        .config
        .schema_attributes
        .iter()
        .flatten()
        .filter_map(|a| a.name.clone())
        .filter(|n| n != "sub" && n != "identities")
        .collect();
    header.push(MFA_COLUMN.into());
    header.push(USERNAME_COLUMN.into());
    header
}

impl Cognito {
    pub(crate) fn get_csv_header(
        &self,
        _ctx: &RequestContext,
        input: GetCSVHeaderRequest,
    ) -> Result<GetCSVHeaderResponse, CognitoError> {
        let header = self
            .store
            .read(&input.user_pool_id, |pool| Ok(csv_header(pool)))?;
        Ok(GetCSVHeaderResponse {
            user_pool_id: Some(input.user_pool_id),
            csv_header: Some(header),
        })
    }

    pub(crate) fn create_user_import_job(
        &self,
        ctx: &RequestContext,
        input: CreateUserImportJobRequest,
    ) -> Result<CreateUserImportJobResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let job_id = format!(
            "import-{}",
            ids::random_string(
                &*self.random,
                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                10
            )
        );
        let token = ids::random_string(&*self.random, b"abcdefghijklmnopqrstuvwxyz0123456789", 32);
        let url = format!(
            "{}/{}/{job_id}?token={token}",
            self.links.user_import_base, input.user_pool_id
        );
        let job = UserImportJobType {
            job_name: Some(input.job_name),
            job_id: Some(job_id.clone()),
            user_pool_id: Some(input.user_pool_id),
            pre_signed_url: Some(url),
            creation_date: Some(ctx.now),
            status: Some(UserImportJobStatusType::Created),
            cloud_watch_logs_role_arn: Some(input.cloud_watch_logs_role_arn),
            password_hashing_algorithm: input.password_hashing_algorithm,
            ..Default::default()
        };
        let pool_id = job.user_pool_id.clone().unwrap_or_default();
        self.store.update(&pool_id, |pool| {
            pool.import_jobs.jobs.insert(
                job_id,
                ImportJob {
                    job: job.clone(),
                    upload_token: Secret::new(token),
                    csv: None,
                },
            );
            Ok(())
        })?;
        Ok(CreateUserImportJobResponse {
            user_import_job: Some(job),
        })
    }

    /// Stores the CSV uploaded to a job's pre-signed URL. Fails with
    /// `NotAuthorizedException` when the token is wrong and `ResourceNotFoundException`
    /// when the pool or job does not exist.
    pub fn upload_user_import_csv(
        &self,
        pool_id: &str,
        job_id: &str,
        token: &str,
        csv: Vec<u8>,
    ) -> Result<(), CognitoError> {
        self.store.update(pool_id, |pool| {
            check_upload(pool, job_id, token)?;
            if let Some(job) = pool.import_jobs.jobs.get_mut(job_id) {
                job.csv = Some(csv);
            }
            Ok(())
        })
    }

    /// Whether an upload of a CSV to job `job_id` of pool `pool_id` with `token` would
    /// be taken, so that the body of one that would not is never read.
    pub fn check_user_import_upload(
        &self,
        pool_id: &str,
        job_id: &str,
        token: &str,
    ) -> Result<(), CognitoError> {
        self.store
            .read(pool_id, |pool| check_upload(pool, job_id, token))
    }

    pub(crate) fn start_user_import_job(
        &self,
        ctx: &RequestContext,
        input: StartUserImportJobRequest,
    ) -> Result<StartUserImportJobResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let job = pool
                .import_jobs
                .jobs
                .get_mut(&input.job_id)
                .ok_or_else(|| job_not_found(&input.job_id))?;
            if job.job.status != Some(UserImportJobStatusType::Created) {
                return Err(CognitoError::new(
                    ErrorKind::PreconditionNotMetException,
                    "Import job is not in the Created state.",
                ));
            }
            job.job.status = Some(UserImportJobStatusType::InProgress);
            job.job.start_date = Some(ctx.now);
            let started = job.job.clone();
            let csv = job.csv.take();
            let outcome = match csv {
                Some(csv) => self.import_csv(ctx, pool, &csv),
                None => Err("No CSV file was uploaded to the pre-signed URL.".to_string()),
            };
            if let Some(job) = pool.import_jobs.jobs.get_mut(&input.job_id) {
                job.job.completion_date = Some(ctx.now);
                match outcome {
                    Ok(counts) => {
                        job.job.status = Some(UserImportJobStatusType::Succeeded);
                        job.job.imported_users = counts.imported;
                        job.job.skipped_users = counts.skipped;
                        job.job.failed_users = counts.failed;
                        job.job.completion_message =
                            Some("Import Job Completed Successfully.".into());
                    }
                    Err(message) => {
                        job.job.status = Some(UserImportJobStatusType::Failed);
                        job.job.completion_message = Some(message);
                    }
                }
            }
            Ok(StartUserImportJobResponse {
                user_import_job: Some(started),
            })
        })
    }

    pub(crate) fn stop_user_import_job(
        &self,
        ctx: &RequestContext,
        input: StopUserImportJobRequest,
    ) -> Result<StopUserImportJobResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let job = pool
                .import_jobs
                .jobs
                .get_mut(&input.job_id)
                .ok_or_else(|| job_not_found(&input.job_id))?;
            if !matches!(
                job.job.status,
                Some(
                    UserImportJobStatusType::Pending
                        | UserImportJobStatusType::InProgress
                        | UserImportJobStatusType::Created
                )
            ) {
                return Err(CognitoError::new(
                    ErrorKind::PreconditionNotMetException,
                    "Import job cannot be stopped in its current state.",
                ));
            }
            job.job.status = Some(UserImportJobStatusType::Stopped);
            job.job.completion_date = Some(ctx.now);
            job.job.completion_message = Some("Import Job Stopped.".into());
            Ok(StopUserImportJobResponse {
                user_import_job: Some(job.job.clone()),
            })
        })
    }

    pub(crate) fn describe_user_import_job(
        &self,
        _ctx: &RequestContext,
        input: DescribeUserImportJobRequest,
    ) -> Result<DescribeUserImportJobResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let job = pool
                .import_jobs
                .jobs
                .get(&input.job_id)
                .ok_or_else(|| job_not_found(&input.job_id))?;
            Ok(DescribeUserImportJobResponse {
                user_import_job: Some(job.job.clone()),
            })
        })
    }

    pub(crate) fn list_user_import_jobs(
        &self,
        _ctx: &RequestContext,
        input: ListUserImportJobsRequest,
    ) -> Result<ListUserImportJobsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let limit = usize::try_from(input.max_results).unwrap_or(1).max(1);
            let (page, token) = ids::page_of(
                &pool.import_jobs.jobs,
                input.pagination_token.as_deref(),
                limit,
                |j| j.job.clone(),
            )?;
            Ok(ListUserImportJobsResponse {
                user_import_jobs: Some(page),
                pagination_token: token,
            })
        })
    }

    /// Imports every row of `csv` into `pool`.
    fn import_csv(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        csv: &[u8],
    ) -> Result<Counts, String> {
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(csv);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("The CSV header cannot be read: {e}"))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let expected = csv_header(pool);
        if let Some(unknown) = header.iter().find(|h| !expected.contains(h)) {
            return Err(format!("The CSV header has an unknown column: {unknown}"));
        }
        if !header.iter().any(|h| h == USERNAME_COLUMN) {
            return Err(format!("The CSV header has no {USERNAME_COLUMN} column."));
        }
        let mut counts = Counts::default();
        for row in reader.records() {
            let Ok(row) = row else {
                counts.failed += 1;
                continue;
            };
            match self.import_row(ctx, pool, &header, &row) {
                Ok(true) => counts.imported += 1,
                Ok(false) => counts.skipped += 1,
                Err(_) => counts.failed += 1,
            }
        }
        Ok(counts)
    }

    /// Imports one row; `Ok(false)` when the user already exists.
    fn import_row(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        header: &[String],
        row: &csv::StringRecord,
    ) -> Result<bool, CognitoError> {
        let mut username = None;
        let mut mfa = false;
        let mut attributes = Vec::new();
        for (column, value) in header.iter().zip(row.iter()) {
            match column.as_str() {
                USERNAME_COLUMN => username = Some(value.to_string()),
                MFA_COLUMN => mfa = value.eq_ignore_ascii_case("true"),
                _ if value.is_empty() => {}
                name => attributes.push(AttributeType {
                    name: name.to_string(),
                    value: Some(value.to_string()),
                }),
            }
        }
        let username = username
            .filter(|u| !u.is_empty())
            .ok_or_else(|| invalid_parameter("cognito:username is required."))?;
        let key = pool.user_key(&username);
        if pool.users.contains(&key) {
            return Ok(false);
        }
        let attrs = check_attributes(&pool.config, &attributes, AttributeWrite::Create)?;
        let has_verified_contact = attrs
            .iter()
            .any(|(n, v)| (n == "email_verified" || n == "phone_number_verified") && v == "true");
        if !has_verified_contact {
            return Err(invalid_parameter(
                "An imported user needs a verified email address or phone number.",
            ));
        }
        let mut user = User::new(
            username,
            ids::uuid_v4(&*self.random),
            attrs.into_iter().collect(),
            UserStatusType::ResetRequired,
            ctx.now,
        );
        user.mfa.sms = mfa;
        pool.users.insert(key, user);
        Ok(true)
    }
}

#[derive(Debug, Default)]
struct Counts {
    imported: i64,
    skipped: i64,
    failed: i64,
}

/// An upload to job `job_id` of `pool` with `token` is taken: the job exists, the token
/// is its upload URL's, and the job has not started.
fn check_upload(pool: &PoolState, job_id: &str, token: &str) -> Result<(), CognitoError> {
    let job = pool
        .import_jobs
        .jobs
        .get(job_id)
        .ok_or_else(|| job_not_found(job_id))?;
    if job.upload_token.expose() != token {
        return Err(CognitoError::new(
            ErrorKind::NotAuthorizedException,
            "The upload URL is not valid.",
        ));
    }
    if job.job.status != Some(UserImportJobStatusType::Created) {
        return Err(invalid_parameter("The import job has already started."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};

    #[test]
    fn import_life_cycle() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let header = svc
            .get_csv_header(
                &ctx(),
                GetCSVHeaderRequest {
                    user_pool_id: pool.clone(),
                },
            )
            .unwrap()
            .csv_header
            .unwrap();
        assert_eq!(header.first().map(String::as_str), Some("name"));
        assert_eq!(header.last().map(String::as_str), Some("cognito:username"));
        assert!(!header.contains(&"sub".to_string()));

        let job = svc
            .create_user_import_job(
                &ctx(),
                CreateUserImportJobRequest {
                    user_pool_id: pool.clone(),
                    job_name: "j".into(),
                    cloud_watch_logs_role_arn: "arn:aws:iam::123456789012:role/import".into(),
                    password_hashing_algorithm: None,
                },
            )
            .unwrap()
            .user_import_job
            .unwrap();
        let job_id = job.job_id.clone().unwrap();
        assert!(job_id.starts_with("import-"));
        let url = job.pre_signed_url.unwrap();
        let token = url.rsplit_once("token=").unwrap().1.to_string();
        assert!(url.contains(&format!("/_cognito/user-import/{pool}/{job_id}")));

        assert_eq!(
            svc.upload_user_import_csv(&pool, &job_id, "wrong", Vec::new())
                .unwrap_err()
                .kind,
            ErrorKind::NotAuthorizedException
        );
        // The check made before an upload's body is read agrees, and stores nothing.
        assert_eq!(
            svc.check_user_import_upload(&pool, &job_id, "wrong")
                .unwrap_err()
                .kind,
            ErrorKind::NotAuthorizedException
        );
        svc.check_user_import_upload(&pool, &job_id, &token)
            .unwrap();
        let kept = |svc: &Cognito| {
            svc.store
                .read(&pool, |p| Ok(p.import_jobs.jobs[&job_id].csv.is_some()))
                .unwrap()
        };
        assert!(!kept(&svc));
        let csv = "cognito:username,email,email_verified,name\n\
                   ann,ann@example.com,true,Ann\n\
                   bob,not-an-email,true,Bob\n\
                   cal,cal@example.com,true,\"Cal, Jr.\"\n";
        svc.upload_user_import_csv(&pool, &job_id, &token, csv.as_bytes().to_vec())
            .unwrap();
        assert!(kept(&svc));
        let started = svc
            .start_user_import_job(
                &ctx(),
                StartUserImportJobRequest {
                    user_pool_id: pool.clone(),
                    job_id: job_id.clone(),
                },
            )
            .unwrap()
            .user_import_job
            .unwrap();
        assert_eq!(started.status, Some(UserImportJobStatusType::InProgress));
        let done = svc
            .describe_user_import_job(
                &ctx(),
                DescribeUserImportJobRequest {
                    user_pool_id: pool.clone(),
                    job_id: job_id.clone(),
                },
            )
            .unwrap()
            .user_import_job
            .unwrap();
        assert_eq!(done.status, Some(UserImportJobStatusType::Succeeded));
        assert_eq!(
            (done.imported_users, done.skipped_users, done.failed_users),
            (2, 0, 1)
        );
        let user = svc
            .admin_get_user(
                &ctx(),
                AdminGetUserRequest {
                    user_pool_id: pool.clone(),
                    username: "cal".into(),
                },
            )
            .unwrap();
        assert_eq!(user.user_status, Some(UserStatusType::ResetRequired));
        assert!(user
            .user_attributes
            .unwrap()
            .iter()
            .any(|a| a.value.as_deref() == Some("Cal, Jr.")));

        let err = svc
            .start_user_import_job(
                &ctx(),
                StartUserImportJobRequest {
                    user_pool_id: pool.clone(),
                    job_id,
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::PreconditionNotMetException);
        let listed = svc
            .list_user_import_jobs(
                &ctx(),
                ListUserImportJobsRequest {
                    user_pool_id: pool,
                    max_results: 10,
                    pagination_token: None,
                },
            )
            .unwrap();
        assert_eq!(listed.user_import_jobs.unwrap().len(), 1);
    }

    #[test]
    fn a_job_without_a_file_fails_and_created_jobs_can_stop() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let create = || {
            svc.create_user_import_job(
                &ctx(),
                CreateUserImportJobRequest {
                    user_pool_id: pool.clone(),
                    job_name: "j".into(),
                    cloud_watch_logs_role_arn: "arn:aws:iam::123456789012:role/import".into(),
                    password_hashing_algorithm: None,
                },
            )
            .unwrap()
            .user_import_job
            .unwrap()
            .job_id
            .unwrap()
        };
        let empty = create();
        svc.start_user_import_job(
            &ctx(),
            StartUserImportJobRequest {
                user_pool_id: pool.clone(),
                job_id: empty.clone(),
            },
        )
        .unwrap();
        let failed = svc
            .describe_user_import_job(
                &ctx(),
                DescribeUserImportJobRequest {
                    user_pool_id: pool.clone(),
                    job_id: empty,
                },
            )
            .unwrap()
            .user_import_job
            .unwrap();
        assert_eq!(failed.status, Some(UserImportJobStatusType::Failed));
        let stoppable = create();
        let stopped = svc
            .stop_user_import_job(
                &ctx(),
                StopUserImportJobRequest {
                    user_pool_id: pool,
                    job_id: stoppable,
                },
            )
            .unwrap()
            .user_import_job
            .unwrap();
        assert_eq!(stopped.status, Some(UserImportJobStatusType::Stopped));
    }
}
