//! The event every trigger receives: Cognito's common envelope (`version`, `region`,
//! `userPoolId`, `userName`, `callerContext`, `triggerSource`) around the trigger's own
//! `request` and `response`.

use serde_json::{Map, Value};

use super::Trigger;
use crate::state::users::User;
use crate::RequestContext;

/// The `clientId` of events caused by an administrator's operation, which names no app
/// client.
const NO_CLIENT: &str = "CLIENT_ID_NOT_APPLICABLE";

/// The `awsSdkVersion` of a caller whose SDK is unknown.
const UNKNOWN_SDK: &str = "aws-sdk-unknown-unknown";

/// One trigger event, as the function receives it.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) trigger: Trigger,
    /// `"1"`, or the version of a token generation event (`"2"`, `"3"`).
    pub(crate) version: &'static str,
    pub(crate) region: String,
    pub(crate) user_pool_id: String,
    pub(crate) user_name: String,
    /// The app client of the operation; `None` for administrators' operations.
    pub(crate) client_id: Option<String>,
    pub(crate) aws_sdk_version: Option<String>,
    /// The full source, e.g. `PreSignUp_SignUp` or `TokenGeneration_Authentication`.
    pub(crate) trigger_source: String,
    pub(crate) request: Map<String, Value>,
    /// The response as handed to the function, its fields at their defaults; `None` for
    /// events that have none (custom senders).
    pub(crate) response: Option<Map<String, Value>>,
}

impl Event {
    /// An event of `trigger` from `source` (the full trigger source) about user
    /// `user_name` of pool `pool_id`, with an empty request and response.
    pub(crate) fn new(
        trigger: Trigger,
        source: impl Into<String>,
        ctx: &RequestContext,
        pool_id: &str,
        user_name: &str,
        client_id: Option<&str>,
    ) -> Self {
        Event {
            trigger,
            version: "1",
            region: match crate::ids::pool_region(pool_id) {
                "" => ctx.region.clone(),
                region => region.to_owned(),
            },
            user_pool_id: pool_id.to_owned(),
            user_name: user_name.to_owned(),
            client_id: client_id.map(str::to_owned),
            aws_sdk_version: ctx.aws_sdk_version.clone(),
            trigger_source: source.into(),
            request: Map::new(),
            response: Some(Map::new()),
        }
    }

    /// Sets request field `name`.
    pub(crate) fn request(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.request.insert(name.to_owned(), value.into());
        self
    }

    /// Sets response field `name` (its default as the function receives it).
    pub(crate) fn response(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.response
            .get_or_insert_with(Map::new)
            .insert(name.to_owned(), value.into());
        self
    }

    /// The event as a JSON value, fields in Cognito's order.
    pub(crate) fn to_value(&self) -> Value {
        let mut event = Map::new();
        event.insert("version".into(), self.version.into());
        event.insert("triggerSource".into(), self.trigger_source.clone().into());
        event.insert("region".into(), self.region.clone().into());
        event.insert("userPoolId".into(), self.user_pool_id.clone().into());
        event.insert("userName".into(), self.user_name.clone().into());
        let mut caller = Map::new();
        caller.insert(
            "awsSdkVersion".into(),
            self.aws_sdk_version
                .as_deref()
                .unwrap_or(UNKNOWN_SDK)
                .into(),
        );
        caller.insert(
            "clientId".into(),
            self.client_id.as_deref().unwrap_or(NO_CLIENT).into(),
        );
        event.insert("callerContext".into(), Value::Object(caller));
        event.insert("request".into(), Value::Object(self.request.clone()));
        if let Some(response) = &self.response {
            event.insert("response".into(), Value::Object(response.clone()));
        }
        Value::Object(event)
    }
}

/// The `awsSdkVersion` Cognito puts in events, from the caller's `User-Agent`: the AWS
/// SDKs name themselves first (`aws-sdk-js/3.600.0 ...`, `Boto3/1.34.0 ...`,
/// `aws-cli/2.15.0 ...`); anything else is unknown.
pub fn caller_sdk_version(user_agent: &str) -> Option<String> {
    let first = user_agent.split_whitespace().next()?;
    let (name, version) = first.split_once('/')?;
    let name = match name.to_ascii_lowercase().as_str() {
        "boto3" | "botocore" => "aws-sdk-python".to_owned(),
        "aws-cli" => "aws-cli".to_owned(),
        n if n.starts_with("aws-sdk-") => n.to_owned(),
        _ => return None,
    };
    Some(format!("{name}-{version}"))
}

/// A user's attributes as events carry them (`userAttributes`): every attribute by name,
/// `sub` included, all as strings; with `status`, also `cognito:user_status`.
pub(crate) fn user_attributes(user: &User, status: bool) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("sub".into(), user.sub.clone().into());
    for (name, value) in user.attributes.iter() {
        out.insert(name.to_owned(), value.into());
    }
    if status {
        out.insert("cognito:user_status".into(), user.status.as_str().into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_every_common_field() {
        let ctx = crate::testing::ctx();
        let event = Event::new(
            Trigger::PreSignUp,
            "PreSignUp_SignUp",
            &ctx,
            "eu-west-1_abcdefghi",
            "alice",
            Some("client1"),
        )
        .request("userAttributes", Map::new())
        .response("autoConfirmUser", false);
        let v = event.to_value();
        assert_eq!(v["version"], "1");
        assert_eq!(v["region"], "eu-west-1");
        assert_eq!(v["userPoolId"], "eu-west-1_abcdefghi");
        assert_eq!(v["userName"], "alice");
        assert_eq!(v["triggerSource"], "PreSignUp_SignUp");
        assert_eq!(v["callerContext"]["clientId"], "client1");
        assert_eq!(
            v["callerContext"]["awsSdkVersion"],
            "aws-sdk-unknown-unknown"
        );
        assert_eq!(v["response"]["autoConfirmUser"], false);
    }

    #[test]
    fn sdk_versions_from_user_agents() {
        assert_eq!(
            caller_sdk_version("aws-sdk-js/3.600.0 ua/2.0 os/linux").as_deref(),
            Some("aws-sdk-js-3.600.0")
        );
        assert_eq!(
            caller_sdk_version("Boto3/1.34.0 md/Botocore#1.34.0").as_deref(),
            Some("aws-sdk-python-1.34.0")
        );
        assert_eq!(caller_sdk_version("curl/8.0"), None);
    }
}
