//! The sign-in's pages: the password form's answer, each challenge's page and its
//! answer, and the passkey sign-in.

use super::*;

impl Flow<'_> {
    /// `POST /login`.
    pub(super) fn sign_in(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let username = field(self.form, "username").unwrap_or_default().trim();
        let password = field(self.form, "password").unwrap_or_default();
        if username.is_empty() || password.is_empty() {
            return view.draw(
                Form::SignIn { username },
                Some(Notice::Error("Enter your username and password.".into())),
            );
        }
        let step = self.cognito.hosted_sign_in(
            self.ctx,
            self.pool_id,
            &authorization.client_id,
            username,
            password,
        );
        match step {
            Err(e) if e.kind == ErrorKind::UserNotConfirmedException => view.draw(
                Form::Confirm {
                    username,
                    destination: None,
                },
                None,
            ),
            Err(e) if e.kind == ErrorKind::PasswordResetRequiredException => view.draw(
                Form::ForgotPassword,
                Some(Notice::Error(
                    "Your password must be reset. Ask for a code to choose a new one.".into(),
                )),
            ),
            Err(e) => view.draw(Form::SignIn { username }, Some(sign_in_error(&e))),
            Ok(step) => self.step(authorization, view, step),
        }
    }

    /// Where a sign-in step leads: the grant, or the next challenge's page.
    fn step(&self, authorization: &Authorization, view: &View<'_>, step: HostedStep) -> Answer {
        match step {
            HostedStep::SignedIn(signed_in) => self.signed_in(authorization, &signed_in),
            HostedStep::Challenge {
                name,
                session,
                parameters,
            } => self.challenge_page(view, name, session, &parameters, None),
        }
    }

    /// The page of challenge `name`; `MFA_SETUP` starts the software token's set-up.
    fn challenge_page(
        &self,
        view: &View<'_>,
        name: ChallengeNameType,
        session: String,
        parameters: &ChallengeParametersType,
        notice: Option<Notice>,
    ) -> Answer {
        if name == ChallengeNameType::MfaSetup && !parameters.contains_key("SECRET_CODE") {
            let can = parameters.get("MFAS_CAN_SETUP").map_or("", String::as_str);
            if !can.contains("SOFTWARE_TOKEN_MFA") {
                return self.error_page(
                    StatusCode::BAD_REQUEST,
                    "Multi-factor authentication must be set up, and this page sets up authenticator apps only.",
                );
            }
            let associated = CognitoIdentityProvider::associate_software_token(
                self.cognito,
                self.ctx,
                AssociateSoftwareTokenRequest {
                    session: Some(session),
                    access_token: None,
                },
            )
            .map_err(core_error);
            return match associated {
                Ok(AssociateSoftwareTokenResponse {
                    secret_code: Some(secret),
                    session: Some(session),
                }) => {
                    let mut parameters = parameters.clone();
                    parameters.insert("SECRET_CODE".into(), secret);
                    self.challenge_page(view, name, session, &parameters, notice)
                }
                Ok(_) => self.error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The authenticator app could not be set up.",
                ),
                Err(e) => self.failed(e),
            };
        }
        view.draw(
            Form::Challenge {
                name,
                session: &session,
                parameters,
            },
            notice,
        )
    }

    /// `POST /challenge`.
    pub(super) fn challenge(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let f = |name| field(self.form, name).unwrap_or_default();
        let (session, name) = (f("session"), f("challenge"));
        let Some(name) = ChallengeNameType::from_wire(name) else {
            return self.error_page(StatusCode::BAD_REQUEST, "The challenge is unknown.");
        };
        let mut responses = BTreeMap::new();
        let mut session = session.to_owned();
        match name {
            ChallengeNameType::NewPasswordRequired => {
                if f("password") != f("confirm") {
                    let parameters = self.parameters_from_form();
                    return view.draw(
                        Form::Challenge {
                            name,
                            session: &session,
                            parameters: &parameters,
                        },
                        Some(Notice::Error("The passwords do not match.".into())),
                    );
                }
                responses.insert("NEW_PASSWORD".to_owned(), f("password").to_owned());
                for (key, value) in self.form {
                    if let Some(attribute) = key.strip_prefix("attr.") {
                        responses.insert(format!("userAttributes.{attribute}"), value.clone());
                    }
                }
            }
            ChallengeNameType::SmsMfa => {
                responses.insert("SMS_MFA_CODE".into(), f("code").trim().to_owned());
            }
            ChallengeNameType::EmailOtp => {
                responses.insert("EMAIL_OTP_CODE".into(), f("code").trim().to_owned());
            }
            ChallengeNameType::SoftwareTokenMfa => {
                responses.insert(
                    "SOFTWARE_TOKEN_MFA_CODE".into(),
                    f("code").trim().to_owned(),
                );
            }
            ChallengeNameType::SelectMfaType => {
                responses.insert("ANSWER".into(), f("answer").to_owned());
            }
            ChallengeNameType::WebAuthn => {
                responses.insert("CREDENTIAL".into(), f("credential").to_owned());
            }
            ChallengeNameType::MfaSetup => {
                let verified = CognitoIdentityProvider::verify_software_token(
                    self.cognito,
                    self.ctx,
                    VerifySoftwareTokenRequest {
                        session: Some(session.clone()),
                        user_code: f("code").trim().to_owned(),
                        access_token: None,
                        friendly_device_name: Some("Authenticator app".into()),
                    },
                )
                .map_err(core_error);
                match verified {
                    Ok(VerifySoftwareTokenResponse {
                        session: Some(next),
                        ..
                    }) => session = next,
                    Ok(_) => {
                        return self.failed(CognitoError::new(
                            ErrorKind::InternalErrorException,
                            "The authenticator app could not be verified.",
                        ))
                    }
                    Err(e)
                        if e.kind == ErrorKind::CodeMismatchException
                            || e.kind == ErrorKind::EnableSoftwareTokenMFAException =>
                    {
                        let parameters = self.parameters_from_form();
                        return view.draw(
                            Form::Challenge {
                                name,
                                session: &session,
                                parameters: &parameters,
                            },
                            Some(Notice::Error("The code is not right. Try again.".into())),
                        );
                    }
                    Err(e) => return self.failed(e),
                }
            }
            _ => {
                return self.error_page(
                    StatusCode::BAD_REQUEST,
                    "This challenge cannot be answered on this page.",
                )
            }
        }
        let step = self.cognito.hosted_respond(
            self.ctx,
            self.pool_id,
            &authorization.client_id,
            name,
            &session,
            responses,
        );
        match step {
            Ok(step) => self.step(authorization, view, step),
            Err(e) if e.kind == ErrorKind::CodeMismatchException => {
                // The session waits for another try, as in the API.
                let parameters = self.parameters_from_form();
                view.draw(
                    Form::Challenge {
                        name,
                        session: &session,
                        parameters: &parameters,
                    },
                    Some(Notice::Error("The code is not right. Try again.".into())),
                )
            }
            Err(e) if e.kind == ErrorKind::InvalidPasswordException => {
                let parameters = self.parameters_from_form();
                view.draw(
                    Form::Challenge {
                        name,
                        session: &session,
                        parameters: &parameters,
                    },
                    Some(Notice::Error(e.message)),
                )
            }
            Err(e) => view.draw(Form::SignIn { username: "" }, Some(sign_in_error(&e))),
        }
    }

    /// `POST /passkey`: the `WEB_AUTHN` challenge's page, whose script asks the browser
    /// for the passkey's assertion.
    pub(super) fn passkey(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let username = field(self.form, "username").unwrap_or_default().trim();
        let step = self.cognito.hosted_passkey_sign_in(
            self.ctx,
            self.pool_id,
            &authorization.client_id,
            username,
        );
        match step {
            Ok(step) => self.step(authorization, view, step),
            Err(e) => view.draw(Form::SignIn { username }, Some(sign_in_error(&e))),
        }
    }

    /// The challenge parameters a challenge page sent back in its form (`param.*`).
    fn parameters_from_form(&self) -> ChallengeParametersType {
        self.form
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("param.")?.to_owned(), v.clone())))
            .collect()
    }
}
