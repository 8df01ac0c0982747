//! A small authoritative DNS server on 127.0.0.1 for tests, over hickory-proto's wire format:
//! it answers from a table over UDP and TCP, truncates chosen answers over UDP (so the client
//! must retry over TCP), returns NXDOMAIN for names not in the table, the response code given
//! for others, and never answers `Silent` names (timeouts). Nothing leaves the loopback interface.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{SOA, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType as WireType};

/// What the server answers for a name (None: NXDOMAIN).
pub type Lookup = dyn Fn(&str) -> Option<Behaviour> + Send + Sync;

/// What the server does for one name.
#[derive(Clone)]
pub enum Behaviour {
    /// Answer from these records (none for a type = NoData).
    Records(Vec<RData>),
    /// Answer with this response code and nothing else.
    Code(ResponseCode),
    /// Never answer.
    Silent,
    /// Over UDP: an empty truncated reply; over TCP: these records.
    Truncated(Vec<RData>),
    /// A lying server: these records whatever type was asked (a TXT where an A is expected).
    AnyType(Vec<RData>),
}

pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Every question received: (name, type, over TCP).
    log: Arc<Mutex<Vec<(String, WireType, bool)>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl TestServer {
    /// Serve `table` on a free port of 127.0.0.1 (UDP and TCP).
    pub fn start(table: HashMap<String, Behaviour>) -> TestServer {
        Self::start_with(move |name: &str| table.get(name).cloned())
    }

    /// Serve what `lookup` says for each name (None: NXDOMAIN).
    pub fn start_with(
        lookup: impl Fn(&str) -> Option<Behaviour> + Send + Sync + 'static,
    ) -> TestServer {
        let table: Arc<Lookup> = Arc::new(lookup);
        // UDP and TCP on the same free port.
        let (udp, tcp) = (0..50)
            .find_map(|_| {
                let udp = UdpSocket::bind("127.0.0.1:0").ok()?;
                let port = udp.local_addr().ok()?.port();
                let tcp = TcpListener::bind(("127.0.0.1", port)).ok()?;
                Some((udp, tcp))
            })
            .expect("a free UDP+TCP port on 127.0.0.1");
        let addr = udp.local_addr().expect("bound address");
        udp.set_read_timeout(Some(Duration::from_millis(50)))
            .expect("read timeout");
        tcp.set_nonblocking(true).expect("nonblocking listener");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));

        let udp_thread = {
            let (table, log, stop) = (table.clone(), log.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while !stop.load(Ordering::Relaxed) {
                    let Ok((len, peer)) = udp.recv_from(&mut buf) else {
                        continue;
                    };
                    if let Some(reply) = respond(table.as_ref(), &log, &buf[..len], false) {
                        let _ = udp.send_to(&reply, peer);
                    }
                }
            })
        };
        let tcp_thread = {
            let (table, log, stop) = (table, log.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Ok((mut stream, _)) = tcp.accept() else {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    };
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    // One connection may carry several length-prefixed queries.
                    loop {
                        let mut len = [0u8; 2];
                        if stream.read_exact(&mut len).is_err() {
                            break;
                        }
                        let mut query = vec![0u8; usize::from(u16::from_be_bytes(len))];
                        if stream.read_exact(&mut query).is_err() {
                            break;
                        }
                        if let Some(reply) = respond(table.as_ref(), &log, &query, true) {
                            let Ok(len) = u16::try_from(reply.len()) else {
                                break;
                            };
                            let _ = stream.write_all(&len.to_be_bytes());
                            let _ = stream.write_all(&reply);
                        }
                    }
                }
            })
        };
        TestServer {
            addr,
            log,
            stop,
            threads: vec![udp_thread, tcp_thread],
        }
    }

    /// The questions received for a name.
    pub fn asked(&self, name: &str) -> Vec<(WireType, bool)> {
        self.log
            .lock()
            .expect("log")
            .iter()
            .filter(|(n, _, _)| n == name)
            .map(|(_, t, tcp)| (*t, *tcp))
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// The reply to one query, or `None` to stay silent.
pub fn respond(
    table: &Lookup,
    log: &Mutex<Vec<(String, WireType, bool)>>,
    packet: &[u8],
    over_tcp: bool,
) -> Option<Vec<u8>> {
    let request = Message::from_vec(packet).ok()?;
    let query = request.queries.first()?.clone();
    let qname = query
        .name()
        .to_ascii()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let qtype = query.query_type();
    if let Ok(mut log) = log.lock() {
        log.push((qname.clone(), qtype, over_tcp));
    }
    let mut reply = Message::response(request.metadata.id, OpCode::Query);
    reply.metadata.message_type = MessageType::Response;
    reply.metadata.authoritative = true;
    reply.metadata.recursion_desired = request.metadata.recursion_desired;
    reply.add_query(query.clone());
    let soa = Record::from_rdata(
        name("test.example."),
        60,
        RData::SOA(SOA::new(
            name("ns.test.example."),
            name("hostmaster.test.example."),
            1,
            3600,
            600,
            86400,
            60,
        )),
    );
    let answer_with = |reply: &mut Message, records: &[RData]| {
        for rdata in records.iter().filter(|r| r.record_type() == qtype) {
            reply.add_answer(Record::from_rdata(query.name().clone(), 60, rdata.clone()));
        }
        if reply.answers.is_empty() {
            reply.add_authority(soa.clone());
        }
    };
    match table(&qname).as_ref() {
        Some(Behaviour::Silent) => return None,
        Some(Behaviour::Code(code)) => reply.metadata.response_code = *code,
        Some(Behaviour::Records(records)) => answer_with(&mut reply, records),
        Some(Behaviour::AnyType(records)) => {
            for rdata in records {
                reply.add_answer(Record::from_rdata(query.name().clone(), 60, rdata.clone()));
            }
        }
        Some(Behaviour::Truncated(records)) => {
            if over_tcp {
                answer_with(&mut reply, records);
            } else {
                reply.metadata.truncation = true;
            }
        }
        None => {
            reply.metadata.response_code = ResponseCode::NXDomain;
            reply.add_authority(soa);
        }
    }
    reply.to_vec().ok()
}

/// A DNS name from text.
pub fn name(text: &str) -> Name {
    Name::from_ascii(text).expect("test name")
}

/// A TXT record of these strings.
pub fn txt(parts: &[&str]) -> RData {
    RData::TXT(TXT::new(parts.iter().map(|s| s.to_string()).collect()))
}
