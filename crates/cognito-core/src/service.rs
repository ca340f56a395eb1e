//! The service trait implementation: each method forwards to the handler of the same name
//! in its family module.

use cognito_model::CognitoIdentityProvider;

use crate::{Cognito, RequestContext};

impl CognitoIdentityProvider for Cognito {
    type Context = RequestContext;
}
