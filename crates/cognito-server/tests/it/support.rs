//! Starting a server and talking to it.

use std::net::SocketAddr;

use bytes::Bytes;
use clap::Parser;
use cognito_server::{run, Options};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The region servers in these tests default to, distinct from the built-in default.
pub const DEFAULT_REGION: &str = "ap-southeast-2";

/// A server running in this process.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// A response, its body parsed as JSON (`Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Server {
    /// Starts a server on a free port.
    pub async fn start() -> Server {
        Server::start_with(|_| {}).await
    }

    /// Starts a server on a free port, with the options `configure` sets.
    pub async fn start_with(configure: impl FnOnce(&mut Options)) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut options = Options {
            host: "127.0.0.1".into(),
            port: 0,
            region: DEFAULT_REGION.into(),
            account_id: "123456789012".into(),
            issuer_base: None,
            test_api_origins: vec![],
            test_api_hosts: vec![],
            outbox_limit: cognito_core::messages::DEFAULT_OUTBOX_LIMIT,
            // Everything else as the server's defaults.
            ..Options::try_parse_from(["cognito-server"]).unwrap()
        };
        configure(&mut options);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            run(listener, &options, async {
                let _ = stopped.await;
            })
            .await
        });
        let client = Client::builder(TokioExecutor::new()).build_http();
        Server {
            addr,
            stop: Some(stop),
            task,
            client,
        }
    }

    /// Asks the server to shut down, and returns the task running it.
    pub fn shut_down(mut self) -> JoinHandle<std::io::Result<()>> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task
    }

    /// Sends `request`, whose URI is a path.
    pub async fn send(&self, request: Request<Full<Bytes>>) -> Answer {
        let (mut parts, body) = request.into_parts();
        parts.uri = format!("http://{}{}", self.addr, parts.uri)
            .parse()
            .unwrap();
        let response = self
            .client
            .request(Request::from_parts(parts, body))
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Calls `operation` with a JSON `body`, as the AWS SDKs do.
    pub async fn call(&self, operation: &str, body: Value) -> Answer {
        self.send(
            api(operation)
                .body(Full::new(Bytes::from(body.to_string())))
                .unwrap(),
        )
        .await
    }
}

/// An API request for `operation`, without a body yet.
pub fn api(operation: &str) -> http::request::Builder {
    Request::builder()
        .method(Method::POST)
        .uri("/")
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
}

/// A request with no body.
pub fn empty(builder: http::request::Builder) -> Request<Full<Bytes>> {
    builder.body(Full::new(Bytes::new())).unwrap()
}

/// A request with a body.
pub fn with_body(builder: http::request::Builder, body: &str) -> Request<Full<Bytes>> {
    builder
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

impl Answer {
    /// Checks an error answer's status, `__type` (in the body and the header) and message.
    #[track_caller]
    pub fn assert_error(&self, status: u16, type_name: &str, message: &str) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(self.body["__type"], type_name, "{self:?}");
        assert_eq!(self.headers["x-amzn-errortype"], type_name, "{self:?}");
        assert_eq!(self.body["message"], message, "{self:?}");
        assert_eq!(self.headers["content-type"], "application/x-amz-json-1.1");
    }

    /// The request id, checked to be UUID-shaped.
    #[track_caller]
    pub fn request_id(&self) -> &str {
        let id = self.headers["x-amzn-requestid"].to_str().unwrap();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(
            id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()),
            "{id}"
        );
        id
    }
}
