//! Who is at the other end: the peer's address, or, when the peer is a reverse proxy listed in
//! `CONFAB_TRUSTED_PROXIES`, the client that proxy names in `X-Forwarded-For`. Resolved once per
//! request here; per-address limits, sessions, tokens and the Devices page all read the result.
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use app::backend::identity::ClientAddress;
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, Response},
    middleware::Next,
};

/// An address range such as `10.0.0.0/8` or `2001:db8::/32` (a bare address is its own range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not an address or range such as 10.0.0.1 or 10.0.0.0/8");
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().map_err(|_| bad())?)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let mask = |bits: u32, width: u32| if bits == 0 { 0 } else { u128::MAX << (width - bits) };
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let m = mask(self.prefix.into(), 32) as u32;
                u32::from(net) & m == u32::from(ip) & m
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let m = mask(self.prefix.into(), 128);
                u128::from(net) & m == u128::from(ip) & m
            }
            _ => false,
        }
    }
}

/// The proxies whose `X-Forwarded-For` is believed; empty (the default) believes none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Comma-separated addresses and ranges.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Cidr::parse).collect::<Result<_, _>>().map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    /// The client behind `peer`: walking `X-Forwarded-For` from the right (each proxy appends
    /// the address it was reached from), the first address that is not a trusted proxy. What a
    /// client writes itself stands to the left of that, so it is never read.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.into_iter().rev() {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip.to_canonical();
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// An address as proxies write it: bare, or with a port (`1.2.3.4:5678`, `[2001:db8::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// Puts the request's `ClientAddress` in its extensions, for every route below.
pub async fn record(State(trusted): State<Arc<TrustedProxies>>, mut request: Request, next: Next) -> Response<Body> {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let client = trusted.client(peer.ip(), request.headers());
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        HeaderMap::from_iter([(axum::http::HeaderName::from_static("x-forwarded-for"), value.parse().unwrap())])
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_hold_their_addresses_only() {
        let r = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(r.contains(ip("10.1.255.3")) && !r.contains(ip("10.2.0.1")));
        assert!(r.contains(ip("::ffff:10.1.0.9")), "IPv4 seen through an IPv6 socket");
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")) && !v6.contains(ip("2001:db9::1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.1")));
        assert!(Cidr::parse("127.0.0.1").unwrap().contains(ip("127.0.0.1")));
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0/8", "::/129"] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("198.51.100.1"), &forwarded("203.0.113.9")), ip("198.51.100.1"));
        let some = TrustedProxies::parse("10.0.0.1").unwrap();
        assert_eq!(some.client(ip("198.51.100.1"), &forwarded("203.0.113.9")), ip("198.51.100.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        let peer = ip("10.0.0.1");
        assert_eq!(trusted.client(peer, &forwarded("203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(trusted.client(peer, &forwarded("6.6.6.6, 203.0.113.9, 192.168.1.1")), ip("203.0.113.9"), "a spoofed left-most hop is skipped");
        assert_eq!(trusted.client(peer, &forwarded("[2001:db8::7]:443")), ip("2001:db8::7"));
        assert_eq!(trusted.client(peer, &forwarded("garbage, 10.0.0.3")), ip("10.0.0.3"), "unreadable hops end the walk");
        assert_eq!(trusted.client(peer, &HeaderMap::new()), peer, "no header: the proxy itself");
        let mut two = forwarded("203.0.113.9");
        two.append("x-forwarded-for", "10.0.0.2".parse().unwrap());
        assert_eq!(trusted.client(peer, &two), ip("203.0.113.9"), "several headers read as one list");
    }
}
