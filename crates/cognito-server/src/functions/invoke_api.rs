//! Functions run by a Lambda Invoke API: `POST
//! {endpoint}/2015-03-31/functions/{name}/invocations[?Qualifier=q]`, a synchronous
//! (`RequestResponse`) invocation signed with SigV4 for the function's Region, as the AWS
//! SDKs send it. LocalStack, moto, SAM local (`sam local start-lambda`) and
//! serverless-offline (`--lambdaPort`) serve it.
//!
//! A 200 answer is the function's result, unless `X-Amz-Function-Error` says the function
//! failed: then the result is its error object, whose `errorMessage` is the message. A
//! 404 is an unknown function (`ResourceNotFoundException`); other answers and
//! connection failures mean the function could not be run.

use std::time::Duration;

use cognito_core::lambda::LambdaError;
use url::Url;

use super::sigv4::{self, Credentials};
use super::{body_text, error_message, read_body, transport_error, FunctionArn};

/// Invokes `arn` at the Invoke API `endpoint` with `event`, signed with `credentials` at
/// `amz_date`.
pub(super) fn invoke(
    agent: &ureq::Agent,
    endpoint: &Url,
    arn: &FunctionArn<'_>,
    event: &[u8],
    timeout: Duration,
    credentials: &Credentials,
    amz_date: &str,
) -> Result<Vec<u8>, LambdaError> {
    let url = invocation_url(endpoint, arn)?;
    let host = host_header(&url);
    let signed = sigv4::sign(
        &sigv4::Request {
            method: "POST",
            path: url.path(),
            query: url.query().unwrap_or(""),
            headers: &[
                ("host", &host),
                ("content-type", "application/json"),
                ("x-amz-invocation-type", "RequestResponse"),
            ],
            body: event,
        },
        &sigv4::Scope {
            region: arn.region,
            service: "lambda",
            amz_date,
        },
        credentials,
    );
    let mut request = agent
        .post(url.as_str())
        .timeout(timeout)
        .set("Host", &host)
        .set("Content-Type", "application/json")
        .set("X-Amz-Invocation-Type", "RequestResponse");
    for (name, value) in &signed {
        request = request.set(name, value);
    }
    match request.send_bytes(event) {
        Ok(response) if response.status() == 200 => {
            let failed = response.header("X-Amz-Function-Error").is_some();
            let payload = read_body(response)?;
            if failed {
                Err(LambdaError::Function(
                    error_message(&payload).unwrap_or_else(|| body_text(&payload, 200)),
                ))
            } else {
                Ok(payload)
            }
        }
        Err(ureq::Error::Status(404, _)) => Err(LambdaError::Unreachable(
            "ResourceNotFoundException".to_owned(),
        )),
        Ok(response) | Err(ureq::Error::Status(_, response)) => {
            Err(LambdaError::Unreachable(refusal(response)))
        }
        Err(ureq::Error::Transport(e)) => Err(transport_error(&url, &e)),
    }
}

/// The invocation URL of `arn` under `endpoint` (which may have a path of its own).
fn invocation_url(endpoint: &Url, arn: &FunctionArn<'_>) -> Result<Url, LambdaError> {
    let mut url = endpoint.clone();
    let base = endpoint.path().trim_end_matches('/');
    url.set_path(&format!(
        "{base}/2015-03-31/functions/{}/invocations",
        sigv4::uri_encode(arn.name, false)
    ));
    url.set_query(
        arn.qualifier
            .map(|q| format!("Qualifier={}", sigv4::uri_encode(q, false)))
            .as_deref(),
    );
    url.set_fragment(None);
    if url.cannot_be_a_base() || url.host_str().is_none() {
        return Err(LambdaError::Unreachable(format!(
            "the Lambda endpoint {endpoint} is not an http:// or https:// URL"
        )));
    }
    Ok(url)
}

/// `Host` as sent: the host, and the port unless it is the scheme's own.
fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Why the Invoke API refused: the error type it names (`X-Amzn-ErrorType`, or the
/// body's `__type` or `Type`), else the status.
fn refusal(response: ureq::Response) -> String {
    let status = response.status();
    let header = response
        .header("X-Amzn-ErrorType")
        .map(|t| t.split(':').next().unwrap_or(t).trim().to_owned())
        .filter(|t| !t.is_empty());
    if let Some(kind) = header {
        return kind;
    }
    let body = read_body(response).unwrap_or_default();
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    ["__type", "Type", "code"]
        .iter()
        .find_map(|k| value.get(k).and_then(serde_json::Value::as_str))
        .map(|t| t.rsplit('#').next().unwrap_or(t).to_owned())
        .filter(|t| !t.is_empty() && t != "User")
        .unwrap_or_else(|| format!("the Lambda endpoint answered HTTP {status}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_invocation_url() {
        let cases = [
            (
                "http://127.0.0.1:3002",
                "arn:aws:lambda:us-east-1:123456789012:function:pre",
                "http://127.0.0.1:3002/2015-03-31/functions/pre/invocations",
            ),
            (
                "http://localhost:4566/prefix/",
                "arn:aws:lambda:us-east-1:123456789012:function:pre:$LATEST",
                "http://localhost:4566/prefix/2015-03-31/functions/pre/invocations?Qualifier=%24LATEST",
            ),
            (
                "http://h",
                "arn:aws:sns:us-east-1:1:t",
                "http://h/2015-03-31/functions/arn%3Aaws%3Asns%3Aus-east-1%3A1%3At/invocations",
            ),
        ];
        for (endpoint, arn, expected) in cases {
            let url = invocation_url(&Url::parse(endpoint).unwrap(), &FunctionArn::parse(arn));
            assert_eq!(url.unwrap().as_str(), expected);
        }
    }

    #[test]
    fn host_names_the_port_unless_it_is_the_schemes() {
        assert_eq!(host_header(&Url::parse("http://a:80/").unwrap()), "a");
        assert_eq!(
            host_header(&Url::parse("http://a:3002/").unwrap()),
            "a:3002"
        );
        assert_eq!(
            host_header(&Url::parse("http://[::1]:1/").unwrap()),
            "[::1]:1"
        );
    }
}
