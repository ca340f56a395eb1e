//! Functions run at an HTTP URL: the event is POSTed as JSON and a 2xx answer's body is
//! the result. Any other answer is the function's failure, whose message is the
//! `errorMessage` of the JSON body, else the body's text.

use std::time::Duration;

use cognito_core::lambda::LambdaError;
use url::Url;

use super::{body_text, error_message, read_body, transport_error};

/// POSTs `event` to `url` and answers the function's result.
pub(super) fn post(
    agent: &ureq::Agent,
    url: &Url,
    event: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, LambdaError> {
    let sent = agent
        .post(url.as_str())
        .timeout(timeout)
        .set("Content-Type", "application/json")
        .send_bytes(event);
    match sent {
        Ok(response) if (200..300).contains(&response.status()) => read_body(response),
        Ok(response) | Err(ureq::Error::Status(_, response)) => {
            let status = response.status();
            let body = read_body(response)?;
            Err(LambdaError::Function(
                error_message(&body).unwrap_or_else(|| body_text(&body, status)),
            ))
        }
        Err(ureq::Error::Transport(e)) => Err(transport_error(url, &e)),
    }
}
