//! The TCP listener every server here (Tongban and its simulators) accepts on: poem's, with
//! Nagle's algorithm off on each connection. poem leaves it on, and a response written in two
//! segments then waits for the client's delayed acknowledgement of the first (40 ms on Linux)
//! before the second leaves: on a keep-alive connection that carries one request at a time,
//! every such response took 40 ms more (measured in BENCHMARKS.md, issue 4 (d)).

use poem::{
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
    web::{LocalAddr, RemoteAddr},
};
use tokio::net::{TcpStream, ToSocketAddrs};

/// Binds `addr` (port 0: any free port) and accepts with `TCP_NODELAY` set.
pub async fn bind(addr: impl ToSocketAddrs + Send) -> std::io::Result<NoDelay> {
    Ok(NoDelay(TcpListener::bind(addr).into_acceptor().await?))
}

pub struct NoDelay(TcpAcceptor);

impl Acceptor for NoDelay {
    type Io = TcpStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(
        &mut self,
    ) -> std::io::Result<(Self::Io, LocalAddr, RemoteAddr, poem::http::uri::Scheme)> {
        let (io, local, remote, scheme) = self.0.accept().await?;
        // A connection that cannot take the option still works, only slower.
        let _ = io.set_nodelay(true);
        Ok((io, local, remote, scheme))
    }
}

/// The local socket address of an acceptor bound by [`bind`].
pub fn socket_addr(acceptor: &NoDelay) -> Option<std::net::SocketAddr> {
    acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_send_without_delay() {
        let mut acceptor = bind("127.0.0.1:0").await.expect("binds");
        let addr = socket_addr(&acceptor).expect("an address");
        let client = tokio::spawn(TcpStream::connect(addr));
        let (io, ..) = acceptor.accept().await.expect("accepts");
        assert!(io.nodelay().expect("the option reads"));
        drop(client.await.expect("joins").expect("connects"));
    }
}
