//! The smallest HTTP/1.1 client the benchmark needs: GET on a keep-alive
//! connection, bodies framed by Content-Length, chunked encoding or the end of
//! the connection. Written here so the load generator adds as little as
//! possible of its own to the latencies it measures.

use std::net::SocketAddr;

use anyhow::{Context, Result, anyhow, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MAX_HEADER_BYTES: usize = 64 * 1024;

pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    /// Whether the server lets the connection carry another request.
    pub keep_alive: bool,
    /// The `ETag` header, if any (a record's version, for `If-Match`).
    pub etag: Option<String>,
    /// Each `Set-Cookie` header's `name=value`.
    pub cookies: Vec<String>,
}

pub struct Connection {
    stream: TcpStream,
    host: String,
    /// Bytes read but not consumed start at `pos`.
    buf: Vec<u8>,
    pos: usize,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            host: addr.to_string(),
            buf: Vec::with_capacity(16 * 1024),
            pos: 0,
        })
    }

    pub async fn get(&mut self, path: &str) -> Result<Response> {
        self.send("GET", path, None).await
    }

    /// Any request; a body is sent as JSON.
    pub async fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> Result<Response> {
        self.send_if_match(method, path, body, None).await
    }

    /// Any request, with `If-Match` when given (a change of the version the
    /// client read); a body is sent as JSON.
    pub async fn send_if_match(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
        if_match: Option<&str>,
    ) -> Result<Response> {
        self.send_with(
            method,
            path,
            body.map(|b| ("application/json", b)),
            if_match,
            None,
        )
        .await
    }

    /// Any request: a body of a content type, `If-Match`, and one more
    /// header line (`Authorization: Bearer …`, `Cookie: …`).
    pub async fn send_with(
        &mut self,
        method: &str,
        path: &str,
        body: Option<(&str, &str)>,
        if_match: Option<&str>,
        header: Option<&str>,
    ) -> Result<Response> {
        let mut extra = if_match
            .map(|tag| format!("If-Match: {tag}\r\n"))
            .unwrap_or_default();
        if let Some(h) = header {
            extra.push_str(h);
            extra.push_str("\r\n");
        }
        let request = match body {
            None => format!(
                "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: */*\r\n{extra}\r\n",
                self.host
            ),
            Some((kind, b)) => format!(
                "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: */*\r\n{extra}Content-Type: {kind}\r\nContent-Length: {}\r\n\r\n{b}",
                self.host,
                b.len()
            ),
        };
        self.stream.write_all(request.as_bytes()).await?;

        let head_end = loop {
            if let Some(i) = find(&self.buf[self.pos..], b"\r\n\r\n") {
                break self.pos + i + 4;
            }
            if self.buf.len() - self.pos > MAX_HEADER_BYTES {
                bail!("response headers longer than {MAX_HEADER_BYTES} bytes");
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buf[self.pos..head_end])
            .context("response headers are not UTF-8")?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let status: u16 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("bad status line {status_line:?}"))?;
        let mut keep_alive = version == "HTTP/1.1";
        let mut length = None;
        let mut chunked = false;
        let mut etag = None;
        let mut cookies = Vec::new();
        for line in lines.filter(|l| !l.is_empty()) {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>().context("bad Content-Length")?);
            } else if name.eq_ignore_ascii_case("etag") {
                etag = Some(value.to_string());
            } else if name.eq_ignore_ascii_case("set-cookie") {
                cookies.extend(value.split(';').next().map(str::to_string));
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                let value = value.to_ascii_lowercase();
                keep_alive = if value.contains("close") {
                    false
                } else {
                    keep_alive || value.contains("keep-alive")
                };
            }
        }
        self.pos = head_end;

        let body = if chunked {
            self.chunked_body().await?
        } else if let Some(n) = length {
            self.take(n).await?
        } else if status < 200 || status == 204 || status == 304 {
            Vec::new()
        } else {
            // No framing: the body runs to the end of the connection.
            keep_alive = false;
            loop {
                self.buf.reserve(16 * 1024);
                if self.stream.read_buf(&mut self.buf).await? == 0 {
                    break;
                }
            }
            let body = self.buf[self.pos..].to_vec();
            self.pos = self.buf.len();
            body
        };
        Ok(Response {
            status,
            body,
            keep_alive,
            etag,
            cookies,
        })
    }

    async fn chunked_body(&mut self) -> Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line = self.line().await?;
            let size = line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size, 16)
                .with_context(|| format!("bad chunk size {size:?}"))?;
            if size == 0 {
                // Trailers, if any, end with an empty line.
                while !self.line().await?.is_empty() {}
                return Ok(body);
            }
            body.extend_from_slice(&self.take(size).await?);
            if !self.line().await?.is_empty() {
                bail!("chunk not followed by CRLF");
            }
        }
    }

    /// The next line without its CRLF.
    async fn line(&mut self) -> Result<String> {
        loop {
            if let Some(i) = find(&self.buf[self.pos..], b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[self.pos..self.pos + i]).into_owned();
                self.pos += i + 2;
                return Ok(line);
            }
            self.fill().await?;
        }
    }

    async fn take(&mut self, n: usize) -> Result<Vec<u8>> {
        while self.buf.len() - self.pos < n {
            self.fill().await?;
        }
        let bytes = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(bytes)
    }

    /// Read more from the socket, first dropping what has been consumed.
    async fn fill(&mut self) -> Result<()> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.reserve(16 * 1024);
        if self.stream.read_buf(&mut self.buf).await? == 0 {
            bail!("connection closed by the server mid-response");
        }
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
