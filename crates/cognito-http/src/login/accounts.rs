//! Accounts made and mended on the pages: sign-up and its confirmation, and a forgotten
//! password. The pages call the API's operations as a client that holds the client's
//! secret would.

use super::*;

impl Flow<'_> {
    /// `POST /signup`.
    pub(super) fn sign_up(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let f = |name| field(self.form, name).unwrap_or_default();
        let username = f("username").trim();
        if f("password") != f("confirm") {
            return view.draw(
                Form::SignUp,
                Some(Notice::Error("The passwords do not match.".into())),
            );
        }
        let attributes: Vec<AttributeType> = self
            .form
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("attr.")?;
                (!v.trim().is_empty()).then(|| AttributeType {
                    name: name.to_owned(),
                    value: Some(v.trim().to_owned()),
                })
            })
            .collect();
        let signed_up = self.secret_hash(authorization, username).and_then(|hash| {
            CognitoIdentityProvider::sign_up(
                self.cognito,
                self.ctx,
                SignUpRequest {
                    client_id: authorization.client_id.clone(),
                    username: username.to_owned(),
                    password: Some(f("password").to_owned()),
                    user_attributes: Some(attributes),
                    secret_hash: hash,
                    analytics_metadata: None,
                    client_metadata: None,
                    user_context_data: None,
                    validation_data: None,
                },
            )
            .map_err(core_error)
        });
        match signed_up {
            Ok(answer) if answer.user_confirmed => {
                self.signed_in_after_sign_up(authorization, username)
            }
            Ok(answer) => view.draw(
                Form::Confirm {
                    username,
                    destination: answer.code_delivery_details.and_then(|d| d.destination),
                },
                None,
            ),
            Err(e) => view.draw(Form::SignUp, Some(Notice::Error(message_of(&e)))),
        }
    }

    /// `POST /confirm`: the code, or a request for another.
    pub(super) fn confirm(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let username = field(self.form, "username").unwrap_or_default();
        let hash = match self.secret_hash(authorization, username) {
            Ok(hash) => hash,
            Err(e) => return self.failed(e),
        };
        if field(self.form, "resend").is_some() {
            let sent = CognitoIdentityProvider::resend_confirmation_code(
                self.cognito,
                self.ctx,
                ResendConfirmationCodeRequest {
                    client_id: authorization.client_id.clone(),
                    username: username.to_owned(),
                    secret_hash: hash,
                    analytics_metadata: None,
                    client_metadata: None,
                    user_context_data: None,
                },
            )
            .map_err(core_error);
            return match sent {
                Ok(sent) => view.draw(
                    Form::Confirm {
                        username,
                        destination: sent.code_delivery_details.and_then(|d| d.destination),
                    },
                    Some(Notice::Info("A new code was sent.".into())),
                ),
                Err(e) => view.draw(
                    Form::Confirm {
                        username,
                        destination: None,
                    },
                    Some(Notice::Error(message_of(&e))),
                ),
            };
        }
        let confirmed = CognitoIdentityProvider::confirm_sign_up(
            self.cognito,
            self.ctx,
            ConfirmSignUpRequest {
                client_id: authorization.client_id.clone(),
                username: username.to_owned(),
                confirmation_code: field(self.form, "code")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                secret_hash: hash,
                force_alias_creation: false,
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
        .map_err(core_error);
        match confirmed {
            Ok(_) => self.signed_in_after_sign_up(authorization, username),
            Err(e) => view.draw(
                Form::Confirm {
                    username,
                    destination: None,
                },
                Some(Notice::Error(message_of(&e))),
            ),
        }
    }

    /// A person who just signed up and confirmed (or was confirmed at once) is signed in,
    /// as Cognito's pages do.
    fn signed_in_after_sign_up(&self, authorization: &Authorization, username: &str) -> Answer {
        match self.cognito.signed_in_as(self.pool_id, username) {
            Ok(signed_in) => self.signed_in(authorization, &signed_in),
            Err(e) => self.failed(e),
        }
    }

    /// `POST /forgotPassword`.
    pub(super) fn forgot_password(&self, view: &View<'_>) -> Answer {
        let username = field(self.form, "username").unwrap_or_default().trim();
        let client_id = field(self.query, "client_id").unwrap_or_default();
        let sent = self
            .cognito
            .hosted_secret_hash(self.pool_id, client_id, username)
            .and_then(|hash| {
                CognitoIdentityProvider::forgot_password(
                    self.cognito,
                    self.ctx,
                    ForgotPasswordRequest {
                        client_id: client_id.to_owned(),
                        username: username.to_owned(),
                        secret_hash: hash,
                        analytics_metadata: None,
                        client_metadata: None,
                        user_context_data: None,
                    },
                )
                .map_err(core_error)
            });
        match sent {
            Ok(sent) => view.draw(
                Form::ConfirmForgotPassword {
                    username,
                    destination: sent.code_delivery_details.and_then(|d| d.destination),
                },
                None,
            ),
            Err(e) => view.draw(Form::ForgotPassword, Some(Notice::Error(message_of(&e)))),
        }
    }

    /// `POST /confirmForgotPassword`.
    pub(super) fn confirm_forgot_password(&self, view: &View<'_>) -> Answer {
        let f = |name| field(self.form, name).unwrap_or_default();
        let username = f("username");
        let client_id = field(self.query, "client_id").unwrap_or_default();
        if f("password") != f("confirm") {
            return view.draw(
                Form::ConfirmForgotPassword {
                    username,
                    destination: None,
                },
                Some(Notice::Error("The passwords do not match.".into())),
            );
        }
        let changed = self
            .cognito
            .hosted_secret_hash(self.pool_id, client_id, username)
            .and_then(|hash| {
                CognitoIdentityProvider::confirm_forgot_password(
                    self.cognito,
                    self.ctx,
                    ConfirmForgotPasswordRequest {
                        client_id: client_id.to_owned(),
                        username: username.to_owned(),
                        confirmation_code: f("code").trim().to_owned(),
                        password: f("password").to_owned(),
                        secret_hash: hash,
                        analytics_metadata: None,
                        client_metadata: None,
                        user_context_data: None,
                    },
                )
                .map_err(core_error)
            });
        match changed {
            Ok(_) => view.draw(
                Form::SignIn { username },
                Some(Notice::Info(
                    "Your password was changed. Sign in with it.".into(),
                )),
            ),
            Err(e) => view.draw(
                Form::ConfirmForgotPassword {
                    username,
                    destination: None,
                },
                Some(Notice::Error(message_of(&e))),
            ),
        }
    }

    fn secret_hash(
        &self,
        authorization: &Authorization,
        username: &str,
    ) -> Result<Option<String>, CognitoError> {
        self.cognito
            .hosted_secret_hash(self.pool_id, &authorization.client_id, username)
    }
}
