//! The managed login's HTML: small, accessible pages with no external assets. Every
//! element a UI customization's CSS may style carries Cognito's class name for it
//! (`banner-customizable`, `logo-customizable`, `label-customizable`,
//! `inputField-customizable`, `submitButton-customizable`, `errorMessage-customizable`,
//! `textDescription-customizable`, `idpButton-customizable`, `redirect-customizable`),
//! and the customization's CSS and logo are drawn into the page.

use std::fmt::Write as _;

use cognito_core::auth::hosted::LoginPage;
use cognito_model::shapes::{ChallengeNameType, ChallengeParametersType};

/// The form a page shows.
pub(super) enum Form<'a> {
    /// Username and password, with the identity providers' buttons.
    SignIn { username: &'a str },
    /// A sign-in's challenge.
    Challenge {
        name: ChallengeNameType,
        session: &'a str,
        parameters: &'a ChallengeParametersType,
    },
    /// A new account.
    SignUp,
    /// A sign-up's confirmation code.
    Confirm {
        username: &'a str,
        destination: Option<String>,
    },
    /// The username whose password was forgotten.
    ForgotPassword,
    /// The code sent and a new password.
    ConfirmForgotPassword {
        username: &'a str,
        destination: Option<String>,
    },
}

/// A message above the form.
pub(super) enum Notice {
    Error(String),
    Info(String),
}

/// Where a page's forms and links go.
pub(super) struct Links<'a> {
    /// `""`, or `/<domain>` under a path prefix.
    pub(super) base: &'a str,
    /// The authorization request's query, kept on every page.
    pub(super) query: &'a str,
    /// The form's `_csrf` token.
    pub(super) csrf: &'a str,
    /// The nonce of the page's script.
    pub(super) nonce: &'a str,
}

impl Links<'_> {
    fn to(&self, path: &str) -> String {
        format!("{}{}?{}", self.base, path, self.query)
    }
}

/// `text` escaped for HTML text and attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const BASE_CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f2f3f3;color:#16191f}\
main{max-width:24rem;margin:3rem auto;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);padding:2rem}\
.banner-customizable{text-align:center;margin-bottom:1rem}\
.logo-customizable{max-width:60%;max-height:5rem}\
h1{font-size:1.4rem;margin:.5rem 0 1.2rem}\
label,.label-customizable{display:block;font-weight:600;margin:.8rem 0 .3rem}\
input,.inputField-customizable{width:100%;padding:.55rem;border:1px solid #8d99a8;border-radius:4px;font-size:1rem}\
button,.submitButton-customizable{width:100%;margin-top:1.2rem;padding:.65rem;border:0;border-radius:4px;background:#0972d3;color:#fff;font-size:1rem;font-weight:600;cursor:pointer}\
button.secondary{background:#fff;color:#0972d3;border:1px solid #0972d3}\
.idpButton-customizable{display:block;text-align:center;margin-top:.6rem;padding:.6rem;border:1px solid #8d99a8;border-radius:4px;color:#16191f;text-decoration:none}\
.errorMessage-customizable{background:#fff1f0;border:1px solid #d91515;color:#a61111;padding:.6rem;border-radius:4px}\
.info{background:#f0f8ff;border:1px solid #0972d3;padding:.6rem;border-radius:4px}\
.textDescription-customizable{color:#414d5c;font-size:.95rem}\
p.links{text-align:center;margin-top:1.2rem}\
a,.redirect-customizable{color:#0972d3}\
.qr svg{display:block;margin:1rem auto;width:12rem;height:12rem}\
code{word-break:break-all}\
";

/// A whole page: the client's banner, `title`, the notice and `content`.
fn layout(
    login: Option<&LoginPage>,
    title: &str,
    notice: Option<&Notice>,
    content: &str,
) -> String {
    let css = login.and_then(|l| l.css.as_deref()).unwrap_or_default();
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><style>{BASE_CSS}{css}</style></head><body>\
<main aria-labelledby=\"title\"><div class=\"banner-customizable\">",
        title = esc(title),
        css = css.replace("</", "<\\/"),
    );
    if let Some(logo) = login.and_then(|l| l.logo.as_deref()) {
        use base64::Engine as _;
        let _ = write!(
            html,
            "<img class=\"logo-customizable\" alt=\"\" src=\"data:{};base64,{}\">",
            image_type(logo),
            base64::engine::general_purpose::STANDARD.encode(logo)
        );
    }
    html.push_str("</div>");
    let _ = write!(html, "<h1 id=\"title\">{}</h1>", esc(title));
    match notice {
        Some(Notice::Error(m)) => {
            let _ = write!(
                html,
                "<p class=\"errorMessage-customizable\" role=\"alert\">{}</p>",
                esc(m)
            );
        }
        Some(Notice::Info(m)) => {
            let _ = write!(html, "<p class=\"info\" role=\"status\">{}</p>", esc(m));
        }
        None => {}
    }
    html.push_str(content);
    html.push_str("</main></body></html>");
    html
}

/// The image type of a logo, by its first bytes.
fn image_type(bytes: &[u8]) -> &'static str {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [0xff, 0xd8, ..] => "image/jpeg",
        [b'G', b'I', b'F', ..] => "image/gif",
        _ => "image/svg+xml",
    }
}

/// An error page, without a form.
pub(super) fn error(message: &str) -> String {
    layout(
        None,
        "Something went wrong",
        Some(&Notice::Error(message.to_owned())),
        "",
    )
}

/// A text field.
fn input(html: &mut String, name: &str, label: &str, kind: &str, value: &str, autocomplete: &str) {
    let id = name.replace('.', "-");
    let _ = write!(
        html,
        "<label class=\"label-customizable\" for=\"{id}\">{label}</label>\
<input class=\"inputField-customizable\" id=\"{id}\" name=\"{name}\" type=\"{kind}\" \
value=\"{value}\" autocomplete=\"{autocomplete}\" required>",
        id = esc(&id),
        label = esc(label),
        name = esc(name),
        value = esc(value),
    );
}

fn hidden(html: &mut String, name: &str, value: &str) {
    let _ = write!(
        html,
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        esc(name),
        esc(value)
    );
}

/// Opens a form posting to `path`, with its CSRF token.
fn form(html: &mut String, links: &Links<'_>, path: &str) {
    let _ = write!(
        html,
        "<form method=\"post\" action=\"{}\">",
        esc(&links.to(path))
    );
    hidden(html, "_csrf", links.csrf);
}

fn submit(html: &mut String, label: &str) {
    let _ = write!(
        html,
        "<button class=\"submitButton-customizable\" type=\"submit\">{}</button></form>",
        esc(label)
    );
}

/// What the username field is called in a pool whose users sign in with `attributes`.
fn username_label(page: &LoginPage) -> &'static str {
    let email = page.username_attributes.iter().any(|a| a == "email");
    let phone = page.username_attributes.iter().any(|a| a == "phone_number");
    match (email, phone) {
        (true, true) => "Email address or phone number",
        (true, false) => "Email address",
        (false, true) => "Phone number",
        (false, false) => "Username",
    }
}

/// An attribute's label: `given_name` → "Given name".
fn attribute_label(name: &str) -> String {
    let name = name
        .strip_prefix("custom:")
        .unwrap_or(name)
        .replace('_', " ");
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn input_type(attribute: &str) -> &'static str {
    match attribute {
        "email" => "email",
        "phone_number" => "tel",
        "birthdate" => "date",
        _ => "text",
    }
}

/// A page of `login` with `form`.
pub(super) fn page(
    login: &LoginPage,
    links: &Links<'_>,
    form_: Form<'_>,
    notice: Option<Notice>,
) -> String {
    let mut html = String::new();
    let title = match form_ {
        Form::SignIn { username } => {
            if login.cognito {
                form(&mut html, links, "/login");
                input(
                    &mut html,
                    "username",
                    username_label(login),
                    "text",
                    username,
                    "username",
                );
                input(
                    &mut html,
                    "password",
                    "Password",
                    "password",
                    "",
                    "current-password",
                );
                submit(&mut html, "Sign in");
                let _ = write!(
                    html,
                    "<p class=\"links\"><a class=\"redirect-customizable\" href=\"{}\">Forgot your password?</a>",
                    esc(&links.to("/forgotPassword"))
                );
                if login.self_sign_up {
                    let _ = write!(
                        html,
                        "<br><a class=\"redirect-customizable\" href=\"{}\">Need an account? Sign up</a>",
                        esc(&links.to("/signup"))
                    );
                }
                html.push_str("</p>");
            }
            if login.cognito && login.passkeys {
                form(&mut html, links, "/passkey");
                // Its own id: the password form above has a `username` field too.
                let _ = write!(
                    html,
                    "<label class=\"label-customizable\" for=\"passkey-username\">{label}</label>\
<input class=\"inputField-customizable\" id=\"passkey-username\" name=\"username\" \
type=\"text\" value=\"{value}\" autocomplete=\"username webauthn\" required>",
                    label = esc(username_label(login)),
                    value = esc(username),
                );
                html.push_str("<button class=\"secondary\" type=\"submit\">Sign in with a passkey</button></form>");
            }
            if !login.providers.is_empty() {
                html.push_str("<nav aria-label=\"Identity providers\">");
                for provider in &login.providers {
                    let _ = write!(
                        html,
                        "<a class=\"idpButton-customizable\" href=\"{}&amp;identity_provider={}\">Continue with {}</a>",
                        esc(&links.to("/oauth2/authorize")),
                        esc(&url::form_urlencoded::byte_serialize(provider.as_bytes()).collect::<String>()),
                        esc(provider)
                    );
                }
                html.push_str("</nav>");
            }
            "Sign in"
        }
        Form::Challenge {
            name,
            session,
            parameters,
        } => challenge(&mut html, links, name, session, parameters),
        Form::SignUp => {
            form(&mut html, links, "/signup");
            input(
                &mut html,
                "username",
                username_label(login),
                "text",
                "",
                "username",
            );
            for attribute in &login.required_attributes {
                if login.username_attributes.contains(attribute) {
                    continue;
                }
                input(
                    &mut html,
                    &format!("attr.{attribute}"),
                    &attribute_label(attribute),
                    input_type(attribute),
                    "",
                    "on",
                );
            }
            input(
                &mut html,
                "password",
                "Password",
                "password",
                "",
                "new-password",
            );
            let _ = write!(
                html,
                "<p class=\"textDescription-customizable\">{}</p>",
                esc(&login.password_hint)
            );
            input(
                &mut html,
                "confirm",
                "Confirm password",
                "password",
                "",
                "new-password",
            );
            submit(&mut html, "Sign up");
            let _ = write!(
                html,
                "<p class=\"links\"><a class=\"redirect-customizable\" href=\"{}\">Already have an account? Sign in</a></p>",
                esc(&links.to("/login"))
            );
            "Sign up"
        }
        Form::Confirm {
            username,
            destination,
        } => {
            sent_to(&mut html, destination.as_deref());
            form(&mut html, links, "/confirm");
            hidden(&mut html, "username", username);
            input(
                &mut html,
                "code",
                "Confirmation code",
                "text",
                "",
                "one-time-code",
            );
            submit(&mut html, "Confirm account");
            form(&mut html, links, "/confirm");
            hidden(&mut html, "username", username);
            hidden(&mut html, "resend", "1");
            html.push_str(
                "<button class=\"secondary\" type=\"submit\">Send a new code</button></form>",
            );
            "Confirm your account"
        }
        Form::ForgotPassword => {
            let _ = write!(
                html,
                "<p class=\"textDescription-customizable\">Enter your {} and we will send a code to reset your password.</p>",
                esc(&username_label(login).to_lowercase())
            );
            form(&mut html, links, "/forgotPassword");
            input(
                &mut html,
                "username",
                username_label(login),
                "text",
                "",
                "username",
            );
            submit(&mut html, "Reset my password");
            "Forgot your password?"
        }
        Form::ConfirmForgotPassword {
            username,
            destination,
        } => {
            sent_to(&mut html, destination.as_deref());
            form(&mut html, links, "/confirmForgotPassword");
            hidden(&mut html, "username", username);
            input(&mut html, "code", "Code", "text", "", "one-time-code");
            input(
                &mut html,
                "password",
                "New password",
                "password",
                "",
                "new-password",
            );
            input(
                &mut html,
                "confirm",
                "Confirm new password",
                "password",
                "",
                "new-password",
            );
            submit(&mut html, "Change password");
            "Reset your password"
        }
    };
    layout(Some(login), title, notice.as_ref(), &html)
}

fn sent_to(html: &mut String, destination: Option<&str>) {
    let _ = write!(
        html,
        "<p class=\"textDescription-customizable\">We sent a code{}. Enter it below.</p>",
        destination
            .map(|d| format!(" to {}", esc(d)))
            .unwrap_or_default()
    );
}

/// The form of a sign-in's challenge; answers the page's title.
fn challenge(
    html: &mut String,
    links: &Links<'_>,
    name: ChallengeNameType,
    session: &str,
    parameters: &ChallengeParametersType,
) -> &'static str {
    form(html, links, "/challenge");
    hidden(html, "session", session);
    hidden(html, "challenge", name.as_str());
    // The parameters the page needs again if it is drawn once more.
    for (key, value) in parameters {
        hidden(html, &format!("param.{key}"), value);
    }
    let param = |key: &str| parameters.get(key).map_or("", String::as_str);
    match name {
        ChallengeNameType::NewPasswordRequired => {
            html.push_str(
                "<p class=\"textDescription-customizable\">Choose a new password to go on.</p>",
            );
            input(
                html,
                "password",
                "New password",
                "password",
                "",
                "new-password",
            );
            input(
                html,
                "confirm",
                "Confirm new password",
                "password",
                "",
                "new-password",
            );
            let required: Vec<String> =
                serde_json::from_str(param("requiredAttributes")).unwrap_or_default();
            for attribute in required {
                let attribute = attribute
                    .strip_prefix("userAttributes.")
                    .unwrap_or(&attribute);
                input(
                    html,
                    &format!("attr.{attribute}"),
                    &attribute_label(attribute),
                    input_type(attribute),
                    "",
                    "on",
                );
            }
            submit(html, "Change password");
            "Change your password"
        }
        ChallengeNameType::SmsMfa | ChallengeNameType::EmailOtp => {
            sent_to(
                html,
                Some(param("CODE_DELIVERY_DESTINATION")).filter(|d| !d.is_empty()),
            );
            input(html, "code", "Code", "text", "", "one-time-code");
            submit(html, "Sign in");
            "Enter your code"
        }
        ChallengeNameType::SoftwareTokenMfa => {
            html.push_str("<p class=\"textDescription-customizable\">Enter the code your authenticator app shows.</p>");
            input(html, "code", "Code", "text", "", "one-time-code");
            submit(html, "Sign in");
            "Enter your code"
        }
        ChallengeNameType::SelectMfaType => {
            let choices: Vec<String> =
                serde_json::from_str(param("MFAS_CAN_CHOOSE")).unwrap_or_default();
            html.push_str("<p class=\"textDescription-customizable\">How do you want to receive your code?</p>");
            for choice in choices {
                let label = match choice.as_str() {
                    "SMS_MFA" => "Text message",
                    "EMAIL_OTP" => "Email",
                    "SOFTWARE_TOKEN_MFA" => "Authenticator app",
                    other => other,
                };
                let _ = write!(
                    html,
                    "<button class=\"submitButton-customizable\" type=\"submit\" name=\"answer\" value=\"{}\">{}</button>",
                    esc(&choice),
                    esc(label)
                );
            }
            html.push_str("</form>");
            "Choose how to verify"
        }
        ChallengeNameType::MfaSetup => {
            let secret = param("SECRET_CODE");
            let uri = format!(
                "otpauth://totp/{label}?secret={secret}&issuer={issuer}",
                label = encode(param("USER_ID_FOR_SRP")),
                issuer = encode("Cognito"),
            );
            html.push_str("<p class=\"textDescription-customizable\">Scan this code with your authenticator app, or enter the key, then enter the code it shows.</p>");
            let _ = write!(
                html,
                "<div class=\"qr\" role=\"img\" aria-label=\"QR code of the key\">{}</div><p>Key: <code>{}</code></p>",
                qr_svg(&uri),
                esc(secret)
            );
            input(html, "code", "Code", "text", "", "one-time-code");
            submit(html, "Verify");
            "Set up your authenticator app"
        }
        ChallengeNameType::WebAuthn => {
            // The browser makes the assertion; the script posts it as `credential`.
            let options = param("CREDENTIAL_REQUEST_OPTIONS").replace('<', "\\u003c");
            hidden(html, "credential", "");
            html.push_str(
                "<p class=\"textDescription-customizable\">Use your passkey to sign in.</p>",
            );
            submit(html, "Use my passkey");
            let _ = write!(
                html,
                "<script type=\"application/json\" id=\"options\">{options}</script>\
<script nonce=\"{nonce}\">{PASSKEY_SCRIPT}</script>",
                nonce = esc(links.nonce),
            );
            "Sign in with a passkey"
        }
        _ => {
            html.push_str("</form>");
            "Unsupported challenge"
        }
    }
}

/// Asks the browser for the passkey's assertion when the form is sent, and sends it.
const PASSKEY_SCRIPT: &str = "\
const form = document.querySelector('form');\
form.addEventListener('submit', async (event) => {\
  const field = form.querySelector('input[name=credential]');\
  if (field.value) return;\
  event.preventDefault();\
  const json = JSON.parse(document.getElementById('options').textContent);\
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(json);\
  try {\
    const credential = await navigator.credentials.get({ publicKey });\
    field.value = JSON.stringify(credential.toJSON());\
    form.submit();\
  } catch (e) {\
    alert('The passkey could not be used: ' + e.message);\
  }\
});";

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `text` as a QR code, in SVG.
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(192, 192)
            .build(),
        Err(_) => String::new(),
    }
}
