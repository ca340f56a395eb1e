//! Signing up through the API with the code read from the test API, as an end-to-end
//! test of an application would.

use serde_json::json;

use crate::support::{empty, Server};

#[tokio::test]
async fn sign_up_and_confirm_with_the_code_from_the_outbox() {
    let server = Server::start().await;
    let pool = server
        .call(
            "CreateUserPool",
            json!({"PoolName": "app", "AutoVerifiedAttributes": ["email"]}),
        )
        .await
        .body["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = server
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "web"}),
        )
        .await
        .body["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();

    let signed_up = server
        .call(
            "SignUp",
            json!({
                "ClientId": client,
                "Username": "alice",
                "Password": "Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}],
            }),
        )
        .await;
    assert_eq!(signed_up.status, 200, "{signed_up:?}");
    assert_eq!(signed_up.body["UserConfirmed"], false);
    assert_eq!(
        signed_up.body["CodeDeliveryDetails"],
        json!({"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "a***@e***"})
    );

    let outbox = server
        .send(empty(http::Request::get(format!(
            "/_cognito/messages?pool_id={pool}&username=alice"
        ))))
        .await;
    assert_eq!(outbox.status, 200, "{outbox:?}");
    let messages = outbox.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["destination"], "alice@example.com");
    let code = messages[0]["code"].as_str().unwrap();

    let confirmed = server
        .call(
            "ConfirmSignUp",
            json!({"ClientId": client, "Username": "alice", "ConfirmationCode": code}),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{confirmed:?}");

    let user = server
        .call(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "alice"}),
        )
        .await;
    assert_eq!(user.body["UserStatus"], "CONFIRMED", "{user:?}");
    let verified = user.body["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["Name"] == "email_verified" && a["Value"] == "true");
    assert!(verified, "{user:?}");

    // The code is used up.
    let again = server
        .call(
            "ConfirmSignUp",
            json!({"ClientId": client, "Username": "alice", "ConfirmationCode": code}),
        )
        .await;
    again.assert_error(
        400,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
    let codes = server
        .send(empty(http::Request::get("/_cognito/codes")))
        .await;
    assert_eq!(codes.body, json!({"codes": []}));
}
