//! A small HTTP/1.1 client made for load: one keep-alive connection that writes
//! pre-serialized request heads and reads answers framed by `Content-Length`, chunked
//! encoding or the end of the connection.
//!
//! Its buffers are reused from one request to the next, so a request costs no allocation
//! once they have grown to the size of the largest answer. It knows nothing of Cognito
//! beyond the headers that every awsJson1_1 call carries.

use std::io::{self, Write as _};
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// The protocol's JSON content type.
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// A syntactically valid SigV4 header with a fake signature: emulators read the region
/// from its credential scope and do not check the signature.
const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 \
    Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-idp/aws4_request, \
    SignedHeaders=host;x-amz-date, Signature=0000";

/// How many response headers are parsed; more is an error.
const MAX_HEADERS: usize = 48;

/// Where the server listens: `http://HOST:PORT[/PATH]`.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The address connections go to.
    pub address: SocketAddr,
    /// The `Host` header: the authority as written in the URL.
    pub authority: String,
    /// The path that API calls are posted to.
    pub path: String,
}

impl Endpoint {
    /// Parses `url` and resolves its host.
    pub fn resolve(url: &str) -> Result<Endpoint, String> {
        use std::net::ToSocketAddrs as _;

        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("`{url}`: only http:// endpoints are supported"))?;
        let (authority, path) = match rest.find('/') {
            Some(slash) => rest.split_at(slash),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
                let port = port
                    .parse::<u16>()
                    .map_err(|_| format!("`{url}`: bad port `{port}`"))?;
                (host, port)
            }
            _ => (authority, 80),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let address = (host, port)
            .to_socket_addrs()
            .map_err(|e| format!("`{url}`: cannot resolve `{host}`: {e}"))?
            .next()
            .ok_or_else(|| format!("`{url}`: `{host}` has no address"))?;
        Ok(Endpoint {
            address,
            authority: authority.to_owned(),
            path: path.to_owned(),
        })
    }
}

/// Everything of a request before the value of its `Content-Length`, serialized once.
#[derive(Debug, Clone)]
pub struct RequestHead {
    bytes: Vec<u8>,
}

impl RequestHead {
    /// `POST` of the cognito-idp operation `operation` (for example `AdminGetUser`).
    pub fn api(endpoint: &Endpoint, operation: &str) -> RequestHead {
        RequestHead::new(
            "POST",
            endpoint,
            &endpoint.path,
            &[
                (
                    "X-Amz-Target",
                    &format!("AWSCognitoIdentityProviderService.{operation}"),
                ),
                ("Content-Type", CONTENT_TYPE),
                ("X-Amz-Date", "20260101T000000Z"),
                ("Authorization", AUTHORIZATION),
            ],
        )
    }

    /// `GET` of `path` (for example `/health`), without a body.
    pub fn get(endpoint: &Endpoint, path: &str) -> RequestHead {
        RequestHead::new("GET", endpoint, path, &[])
    }

    fn new(method: &str, endpoint: &Endpoint, path: &str, headers: &[(&str, &str)]) -> Self {
        let mut text = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: cognito-bench\r\n",
            endpoint.authority
        );
        for (name, value) in headers {
            text.push_str(name);
            text.push_str(": ");
            text.push_str(value);
            text.push_str("\r\n");
        }
        text.push_str("Content-Length: ");
        RequestHead {
            bytes: text.into_bytes(),
        }
    }
}

/// An answer; its body borrows the connection's buffer until the next call.
#[derive(Debug)]
pub struct Reply<'a> {
    /// The status code.
    pub status: u16,
    /// The body, de-chunked.
    pub body: &'a [u8],
}

impl Reply<'_> {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The status and the start of the body, for error reports.
    pub fn describe(&self) -> String {
        let body = String::from_utf8_lossy(self.body);
        let body: String = body.chars().take(300).collect();
        format!("HTTP {}: {body}", self.status)
    }
}

/// How the body of an answer ends.
#[derive(Debug, Clone, Copy)]
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

/// One keep-alive HTTP/1.1 connection.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    /// The request being written.
    out: Vec<u8>,
    /// Bytes received; the first `consumed` belong to the previous answer.
    received: Vec<u8>,
    consumed: usize,
    /// The body of a chunked answer, reassembled.
    chunks: Vec<u8>,
    /// False once the server said it closes the connection.
    reusable: bool,
}

impl Connection {
    /// Connects to `address` with Nagle's algorithm off.
    pub async fn open(address: SocketAddr) -> io::Result<Connection> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            out: Vec::with_capacity(1024),
            received: Vec::with_capacity(16 * 1024),
            consumed: 0,
            chunks: Vec::new(),
            reusable: true,
        })
    }

    /// Whether another request may be sent on this connection.
    pub fn is_reusable(&self) -> bool {
        self.reusable
    }

    /// Sends `head` with `body` and reads the whole answer.
    pub async fn call(&mut self, head: &RequestHead, body: &[u8]) -> io::Result<Reply<'_>> {
        let consumed = self.consumed.min(self.received.len());
        self.received.drain(..consumed);
        self.consumed = 0;

        self.out.clear();
        self.out.extend_from_slice(&head.bytes);
        write!(self.out, "{}\r\n\r\n", body.len())?;
        self.out.extend_from_slice(body);
        self.stream.write_all(&self.out).await?;

        let (status, head_len, framing) = self.read_head().await?;
        let (start, end, chunked) = match framing {
            Framing::Length(length) => {
                let end = head_len.saturating_add(length);
                self.fill(end).await?;
                (head_len, end, false)
            }
            Framing::Chunked => {
                let end = self.read_chunks(head_len).await?;
                (0, end, true)
            }
            Framing::UntilClose => {
                while self.read_some().await? > 0 {}
                self.reusable = false;
                (head_len, self.received.len(), false)
            }
        };
        let body = if chunked {
            self.consumed = end;
            self.chunks.as_slice()
        } else {
            self.consumed = end;
            self.received
                .get(start..end)
                .ok_or_else(|| invalid("answer shorter than its framing"))?
        };
        Ok(Reply { status, body })
    }

    /// Reads until a whole status line and header block have arrived; returns the status,
    /// the length of the head and how the body is framed.
    async fn read_head(&mut self) -> io::Result<(u16, usize, Framing)> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut response = httparse::Response::new(&mut headers);
            let parsed = response
                .parse(&self.received)
                .map_err(|e| invalid(&format!("bad answer head: {e}")))?;
            if let httparse::Status::Complete(head_len) = parsed {
                let status = response.code.unwrap_or(0);
                let mut framing = Framing::UntilClose;
                for header in response.headers.iter() {
                    if header.name.eq_ignore_ascii_case("content-length") {
                        let length = std::str::from_utf8(header.value)
                            .ok()
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .ok_or_else(|| invalid("bad Content-Length"))?;
                        framing = Framing::Length(length);
                    } else if header.name.eq_ignore_ascii_case("transfer-encoding")
                        && contains_token(header.value, b"chunked")
                    {
                        framing = Framing::Chunked;
                        break;
                    } else if header.name.eq_ignore_ascii_case("connection")
                        && contains_token(header.value, b"close")
                    {
                        self.reusable = false;
                    }
                }
                if response.version == Some(0) && !matches!(framing, Framing::UntilClose) {
                    self.reusable = false;
                }
                if status == 204 || status == 304 || (100..200).contains(&status) {
                    framing = Framing::Length(0);
                }
                return Ok((status, head_len, framing));
            }
            if self.read_some().await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed before an answer",
                ));
            }
        }
    }

    /// Decodes the chunked body that starts at `at` into `chunks`; returns where the
    /// answer ends in `received`.
    async fn read_chunks(&mut self, mut at: usize) -> io::Result<usize> {
        self.chunks.clear();
        loop {
            let line_end = self.line_end(at).await?;
            let line = self
                .received
                .get(at..line_end)
                .ok_or_else(|| invalid("bad chunk"))?;
            let size = line.split(|b| *b == b';').next().unwrap_or(line);
            let size = std::str::from_utf8(size)
                .ok()
                .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
                .ok_or_else(|| invalid("bad chunk size"))?;
            at = line_end.saturating_add(2);
            if size == 0 {
                // Trailers, if any, end with an empty line.
                loop {
                    let end = self.line_end(at).await?;
                    let empty = end == at;
                    at = end.saturating_add(2);
                    if empty {
                        return Ok(at);
                    }
                }
            }
            let data_end = at.saturating_add(size);
            self.fill(data_end.saturating_add(2)).await?;
            let data = self
                .received
                .get(at..data_end)
                .ok_or_else(|| invalid("bad chunk"))?;
            self.chunks.extend_from_slice(data);
            at = data_end.saturating_add(2);
        }
    }

    /// The index of the next CRLF at or after `from`, reading as needed.
    async fn line_end(&mut self, from: usize) -> io::Result<usize> {
        loop {
            let found = self
                .received
                .get(from..)
                .and_then(|rest| rest.windows(2).position(|w| w == b"\r\n"));
            if let Some(offset) = found {
                return Ok(from.saturating_add(offset));
            }
            if self.read_some().await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed inside a chunked body",
                ));
            }
        }
    }

    /// Reads until `received` holds at least `len` bytes.
    async fn fill(&mut self, len: usize) -> io::Result<()> {
        if self.received.capacity() < len {
            self.received
                .reserve(len.saturating_sub(self.received.len()));
        }
        while self.received.len() < len {
            if self.read_some().await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed inside a body",
                ));
            }
        }
        Ok(())
    }

    /// One read into the spare capacity of `received`; 0 at the end of the stream.
    async fn read_some(&mut self) -> io::Result<usize> {
        if self.received.capacity() - self.received.len() < 4096 {
            self.received.reserve(16 * 1024);
        }
        self.stream.read_buf(&mut self.received).await
    }
}

/// Whether the comma-separated header `value` holds `token`, ignoring case.
fn contains_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|b| *b == b',')
        .any(|part| part.trim_ascii().eq_ignore_ascii_case(token))
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    /// Serves `answers` one after another on one connection, each after reading a request
    /// head, and returns what the client sent.
    async fn exchange(answers: &[&'static [u8]], bodies: &[&[u8]]) -> Vec<(u16, Vec<u8>)> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let answers: Vec<&'static [u8]> = answers.to_vec();
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            for answer in answers {
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).await.unwrap();
                seen.extend_from_slice(&buf[..n]);
                // Dribble the answer in small writes to exercise partial reads.
                for piece in answer.chunks(7) {
                    stream.write_all(piece).await.unwrap();
                    stream.flush().await.unwrap();
                }
            }
            seen
        });
        let endpoint = Endpoint::resolve(&format!("http://{address}")).unwrap();
        let head = RequestHead::api(&endpoint, "AdminGetUser");
        let mut connection = Connection::open(address).await.unwrap();
        let mut replies = Vec::new();
        for body in bodies {
            let reply = connection.call(&head, body).await.unwrap();
            replies.push((reply.status, reply.body.to_vec()));
        }
        let seen = String::from_utf8(server.await.unwrap()).unwrap();
        assert!(seen.contains("X-Amz-Target: AWSCognitoIdentityProviderService.AdminGetUser"));
        assert!(seen.contains("Content-Length: 2\r\n\r\n{}"));
        replies
    }

    #[tokio::test(flavor = "current_thread")]
    async fn reads_answers_by_length_and_by_chunks() {
        let replies = exchange(
            &[
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                b"HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            ],
            &[b"{}", b"{}", b"{}"],
        )
        .await;
        assert_eq!(
            replies,
            vec![
                (200, b"hello".to_vec()),
                (400, b"abcde".to_vec()),
                (200, Vec::new())
            ]
        );
    }

    #[test]
    fn endpoints() {
        let e = Endpoint::resolve("http://127.0.0.1:4566").unwrap();
        assert_eq!(e.address.port(), 4566);
        assert_eq!(e.authority, "127.0.0.1:4566");
        assert_eq!(e.path, "/");
        let e = Endpoint::resolve("http://[::1]:9229/api").unwrap();
        assert_eq!(e.address.port(), 9229);
        assert_eq!(e.path, "/api");
        assert!(Endpoint::resolve("https://localhost:1").is_err());
        assert!(Endpoint::resolve("http://localhost:x").is_err());
    }
}
