//! Messages to users, composed while a pool's lock is held and sent after it is released:
//! the `CustomMessage` trigger may rewrite them and the custom sender triggers may
//! deliver them instead of the service, and functions never run under a lock.
//!
//! An operation composes an [`Outgoing`] with the pool's own template, keeps the code
//! with the user, commits, then hands the message to [`Cognito::deliver`], which runs the
//! triggers the pool names and puts the final message in the outbox.

use cognito_crypto::Secret;
use cognito_model::shapes::{ClientMetadataType, LambdaConfigType};
use cognito_model::CognitoError;
use serde_json::{Map, Value};

use crate::lambda::Trigger;
use crate::messages::{render, Channel, Message, MessageKind, PoolMail};
use crate::state::users::User;
use crate::store::PoolState;
use crate::triggers::{user_attributes, Event};
use crate::{Cognito, RequestContext};

/// Why a message goes out, as trigger sources name it (`CustomMessage_<source>`,
/// `CustomEmailSender_<source>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    SignUp,
    AdminCreateUser,
    ResendCode,
    ForgotPassword,
    UpdateUserAttribute,
    VerifyUserAttribute,
    Authentication,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::SignUp => "SignUp",
            Source::AdminCreateUser => "AdminCreateUser",
            Source::ResendCode => "ResendCode",
            Source::ForgotPassword => "ForgotPassword",
            Source::UpdateUserAttribute => "UpdateUserAttribute",
            Source::VerifyUserAttribute => "VerifyUserAttribute",
            Source::Authentication => "Authentication",
        }
    }
}

/// The placeholders a template holds for the code and the username.
const CODE_PARAMETER: &str = "{####}";
const USERNAME_PARAMETER: &str = "{username}";

/// A message composed and not sent yet.
#[must_use = "a composed message goes out only through Cognito::deliver"]
#[derive(Debug)]
pub(crate) struct Outgoing {
    pool_id: String,
    username: String,
    channel: Channel,
    destination: String,
    subject: Option<String>,
    /// The text with its placeholders.
    template: String,
    kind: MessageKind,
    code: Secret<String>,
    source: Source,
    /// How the pool's messages leave.
    mail: PoolMail,
    /// The pool's triggers, when it names any that see messages.
    functions: Option<Box<Functions>>,
}

/// What the triggers of a message need, taken while the pool's lock is held.
#[derive(Debug)]
struct Functions {
    config: LambdaConfigType,
    user_attributes: Map<String, Value>,
    client_id: Option<String>,
    client_metadata: Option<ClientMetadataType>,
}

/// How a message reads: its subject (email only) and its template.
pub(crate) struct Text {
    pub(crate) subject: Option<String>,
    pub(crate) template: String,
}

impl Outgoing {
    /// A message of `kind` to `user` at `destination` carrying `code`, worded by `text`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        pool: &PoolState,
        user: &User,
        (channel, destination): (Channel, &str),
        text: Text,
        kind: MessageKind,
        code: &str,
        source: Source,
    ) -> Self {
        let functions = pool
            .config
            .lambda_config
            .as_ref()
            .filter(|c| {
                [
                    Trigger::CustomMessage,
                    Trigger::CustomEmailSender,
                    Trigger::CustomSmsSender,
                ]
                .iter()
                .any(|t| t.arn(c).is_some())
            })
            .map(|c| {
                Box::new(Functions {
                    config: c.clone(),
                    user_attributes: user_attributes(user, true),
                    client_id: None,
                    client_metadata: None,
                })
            });
        Outgoing {
            pool_id: pool.config.id.clone().unwrap_or_default(),
            username: user.username.clone(),
            channel,
            destination: destination.to_owned(),
            subject: (channel == Channel::Email)
                .then_some(text.subject)
                .flatten(),
            template: text.template,
            kind,
            code: Secret::new(code.to_owned()),
            source,
            mail: PoolMail::of(&pool.config),
            functions,
        }
    }

    /// Names the app client the operation came through and the metadata it sent, which
    /// the triggers receive.
    pub(crate) fn via_client(
        mut self,
        client_id: Option<&str>,
        metadata: Option<&ClientMetadataType>,
    ) -> Self {
        if let Some(f) = &mut self.functions {
            f.client_id = client_id.map(str::to_owned);
            f.client_metadata = metadata.cloned();
        }
        self
    }
}

impl Cognito {
    /// Sends `messages` in order: through the pool's custom sender for their channel when
    /// it names one, else rewritten by its `CustomMessage` trigger when it names one,
    /// else as composed. Every message is kept in the outbox. The first trigger that
    /// fails ends it with that trigger's error; messages before it are sent.
    pub(crate) fn deliver(
        &self,
        ctx: &RequestContext,
        messages: impl IntoIterator<Item = Outgoing>,
    ) -> Result<(), CognitoError> {
        for outgoing in messages {
            self.deliver_one(ctx, outgoing)?;
        }
        Ok(())
    }

    fn deliver_one(&self, ctx: &RequestContext, mut out: Outgoing) -> Result<(), CognitoError> {
        if let Some(functions) = out.functions.take() {
            let sender = match out.channel {
                Channel::Email => Trigger::CustomEmailSender,
                Channel::Sms => Trigger::CustomSmsSender,
            };
            if let Some(arn) = sender.arn(&functions.config) {
                self.custom_sender(ctx, &out, &functions, sender, arn)?;
            } else if let Some(arn) = Trigger::CustomMessage.arn(&functions.config) {
                self.custom_message(ctx, &mut out, &functions, arn)?;
            }
        }
        let body = render(&out.template, &out.username, out.code.expose());
        let message = Message {
            pool_id: out.pool_id,
            username: out.username,
            channel: out.channel,
            destination: out.destination,
            subject: out.subject,
            body: Secret::new(body),
            kind: out.kind,
            code: Some(out.code),
            sent_at: ctx.now,
        };
        self.store.outbox().send(message, &out.mail);
        Ok(())
    }

    /// Runs the `CustomMessage` trigger: a subject or text it answers replaces the
    /// composed one; a text without the code's placeholder (or, for an invitation, the
    /// username's) cannot deliver its code, and the composed text stays.
    fn custom_message(
        &self,
        ctx: &RequestContext,
        out: &mut Outgoing,
        functions: &Functions,
        arn: &str,
    ) -> Result<(), CognitoError> {
        let invitation = out.source == Source::AdminCreateUser;
        let event = Event::new(
            Trigger::CustomMessage,
            format!("CustomMessage_{}", out.source.as_str()),
            ctx,
            &out.pool_id,
            &out.username,
            functions.client_id.as_deref(),
        )
        .request("userAttributes", functions.user_attributes.clone())
        .request("codeParameter", CODE_PARAMETER)
        .request("linkParameter", "{##Click Here##}")
        .request(
            "usernameParameter",
            if invitation {
                Value::from(USERNAME_PARAMETER)
            } else {
                Value::Null
            },
        )
        .request(
            "clientMetadata",
            metadata(functions.client_metadata.as_ref()),
        )
        .response("smsMessage", Value::Null)
        .response("emailMessage", Value::Null)
        .response("emailSubject", Value::Null);
        let response = self.invoke(arn, &event, ctx.now)?;
        let text = |name: &str| {
            response
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let delivers = |t: &String| {
            t.contains(CODE_PARAMETER) && (!invitation || t.contains(USERNAME_PARAMETER))
        };
        let message = match out.channel {
            Channel::Email => text("emailMessage"),
            Channel::Sms => text("smsMessage"),
        };
        if let Some(message) = message.filter(delivers) {
            out.template = message;
        }
        if out.channel == Channel::Email {
            if let Some(subject) = text("emailSubject") {
                out.subject = Some(subject);
            }
        }
        Ok(())
    }

    /// Runs a custom sender trigger with the code encrypted under the pool's KMS key; the
    /// function delivers the message, and the outbox keeps the composed copy.
    fn custom_sender(
        &self,
        ctx: &RequestContext,
        out: &Outgoing,
        functions: &Functions,
        sender: Trigger,
        arn: &str,
    ) -> Result<(), CognitoError> {
        let key_id = functions.config.kms_key_id.as_deref().unwrap_or_default();
        let context = [("userpool-id", out.pool_id.as_str())];
        let code = self
            .functions
            .encryption
            .encrypt(key_id, out.code.expose(), &context)
            .map_err(|reason| {
                sender.failure(&crate::lambda::LambdaError::Unreachable(format!(
                    "KMS encryption failed: {reason}"
                )))
            })?;
        let request_type = match sender {
            Trigger::CustomSmsSender => "customSMSSenderRequestV1",
            _ => "customEmailSenderRequestV1",
        };
        let mut event = Event::new(
            sender,
            format!("{}_{}", sender.name(), out.source.as_str()),
            ctx,
            &out.pool_id,
            &out.username,
            functions.client_id.as_deref(),
        )
        .request("type", request_type)
        .request("code", code)
        .request(
            "clientMetadata",
            metadata(functions.client_metadata.as_ref()),
        )
        .request("userAttributes", functions.user_attributes.clone());
        event.response = None;
        self.invoke(arn, &event, ctx.now).map(drop)
    }
}

/// `clientMetadata` as events carry it: the map, or null.
pub(crate) fn metadata(metadata: Option<&ClientMetadataType>) -> Value {
    match metadata {
        Some(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect(),
        ),
        None => Value::Null,
    }
}
