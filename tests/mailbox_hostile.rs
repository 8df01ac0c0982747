//! Batch safety: `mailtrace batch` (the binary) over hostile mailbox trees.
//!
//! Symlink loops, dangling symlinks, unreadable files, FIFOs, a mailbox that grows and is cut
//! while it is read, empty, envelope-less, binary and corrupt-gzip mboxes. For each: messages
//! in = records out, every bad item reported with its path (in its record and on standard
//! error), exit code 2 when anything errored, and no hang: every run is a child process killed
//! after [`HANG`] (far above what a passing run needs; it only turns a hang into a failure).
//!
//! What is not tested, and why: a regular file truncated or appended to *while* mailtrace reads
//! it cannot be made deterministic from outside (what is seen depends on where the reader's
//! buffered reads are when the file changes). The FIFO test below gives the reader the same
//! situations in a fixed order instead: data that arrives in pieces after the reader has
//! waited, then an end of file in the middle of a message.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Only catches hangs.
const HANG: Duration = Duration::from_secs(30);

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "mailtrace-mailbox-hostile-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn message(subject: &str) -> Vec<u8> {
    format!(
        "Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP; Wed, 12 Mar 2025 09:02:14 +0000\nFrom: a@example.com\nTo: b@example.org\nSubject: {subject}\nDate: Wed, 12 Mar 2025 09:02:10 +0000\nMessage-ID: <{subject}@example.com>\n\nbody\n"
    )
    .into_bytes()
}

fn envelope(i: usize) -> String {
    format!(
        "From sender{i}@example.com Wed Mar 12 09:02:1{} 2025\n",
        i % 10
    )
}

/// `mailtrace batch` (JSON Lines) over `paths`, killed after [`HANG`].
fn batch(paths: &[&Path], extra: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mailtrace"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "batch",
            "--quiet",
            "--jobs",
            "2",
            "--offline",
            "--at",
            "2026-01-01T00:00:00Z",
        ])
        .args(extra)
        .args(paths)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    run_guarded(command)
}

/// Runs a command, killing it (and failing) when it takes longer than [`HANG`]. Output is
/// read on threads so that a full pipe cannot look like a hang.
fn run_guarded(mut command: Command) -> Output {
    let mut child = command.spawn().expect("mailtrace starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mailtrace batch hung: killed after {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().expect("stdout thread"),
        stderr: err.join().expect("stderr thread"),
    }
}

/// The JSON lines of a run: every line a whole JSON object.
fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a whole JSON object per line"))
        .collect()
}

fn file_of(v: &serde_json::Value) -> String {
    v["batch"]["file"].as_str().unwrap_or_default().to_string()
}

fn subjects(records: &[serde_json::Value]) -> Vec<String> {
    records
        .iter()
        .filter_map(|r| r["message"]["subject"].as_str().map(str::to_string))
        .collect()
}

/// The records that carry an error; each one's error and standard error name its path, and
/// the records come in input order with no gap.
fn errors<'a>(out: &Output, records: &'a [serde_json::Value]) -> Vec<&'a serde_json::Value> {
    let indexes: Vec<u64> = records
        .iter()
        .filter_map(|r| r["batch"]["index"].as_u64())
        .collect();
    assert_eq!(
        indexes,
        (0..records.len() as u64).collect::<Vec<_>>(),
        "records in input order, none lost"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errored: Vec<&serde_json::Value> =
        records.iter().filter(|r| r["error"].is_string()).collect();
    for r in &errored {
        let file = file_of(r);
        let error = r["error"].as_str().unwrap_or_default();
        assert!(!file.is_empty(), "an error record without its file: {r}");
        assert!(
            stderr.contains(&file),
            "standard error names {file}:\n{stderr}"
        );
        assert!(
            error.contains(&file) || stderr.contains(error),
            "the error is reported: {error:?}"
        );
    }
    errored
}

#[cfg(unix)]
#[test]
fn maildir_with_symlink_loops_a_dangling_link_and_a_fifo() {
    let dir = temp_dir("maildir");
    let root = dir.join("Maildir");
    for sub in ["cur", "new", "tmp", ".Sub/cur", ".Sub/new"] {
        std::fs::create_dir_all(root.join(sub)).expect("mkdir");
    }
    std::fs::write(root.join("cur/1.host:2,S"), message("one")).expect("write");
    std::fs::write(root.join("new/2.host"), message("two")).expect("write");
    std::fs::write(root.join(".Sub/cur/3.host:2,RS"), message("three")).expect("write");
    // loops: a folder that is the Maildir itself, one back to its parent, one to itself
    std::os::unix::fs::symlink(&root, root.join(".Loop")).expect("symlink");
    std::os::unix::fs::symlink("..", root.join(".Sub/.Up")).expect("symlink");
    std::os::unix::fs::symlink(".", root.join(".Sub/.Self")).expect("symlink");
    // a directory symlinked into cur/ (not a message) and a dangling link (an error)
    std::os::unix::fs::symlink("..", root.join("cur/0.parent")).expect("symlink");
    let dangling = root.join("cur/4.dangling:2,S");
    std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).expect("symlink");
    // a FIFO in cur/: opening it for reading would wait for a writer forever
    let fifo = root.join("cur/5.fifo:2,S");
    let made_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made_fifo {
        eprintln!("note: mkfifo is not available; the FIFO case is skipped");
    }

    let out = batch(&[&root], &[]);
    let records = lines(&out);
    // 3 messages + the dangling link; the FIFO and the directory are not messages
    assert_eq!(records.len(), 4, "{}", String::from_utf8_lossy(&out.stderr));
    let mut got = subjects(&records);
    got.sort();
    assert_eq!(got, ["one", "three", "two"]);
    let errored = errors(&out, &records);
    assert_eq!(errored.len(), 1, "{records:?}");
    assert_eq!(file_of(errored[0]), dangling.display().to_string());
    assert!(
        records.iter().all(|r| !file_of(r).contains("5.fifo")),
        "the FIFO is skipped, not read"
    );
    assert_eq!(out.status.code(), Some(2), "an errored item means exit 2");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported_with_its_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("perm");
    let root = dir.join("Maildir");
    std::fs::create_dir_all(root.join("cur")).expect("mkdir");
    std::fs::write(root.join("cur/1.host:2,S"), message("readable")).expect("write");
    let secret = root.join("cur/2.host:2,S");
    std::fs::write(&secret, message("secret")).expect("write");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&secret).is_ok() {
        // root (or CAP_DAC_OVERRIDE) reads through chmod 000
        eprintln!(
            "note: this user reads files whatever their mode (root?); the unreadable-file case is skipped"
        );
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let out = batch(&[&root], &[]);
    let records = lines(&out);
    assert_eq!(records.len(), 2);
    let errored = errors(&out, &records);
    assert_eq!(errored.len(), 1);
    assert_eq!(file_of(errored[0]), secret.display().to_string());
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn empty_envelopeless_binary_and_corrupt_gzip_mboxes() {
    let dir = temp_dir("mboxes");
    let empty = dir.join("empty.mbox");
    std::fs::write(&empty, b"").expect("write");
    // no `From ` line at all: one message (its text is read as is)
    let no_from = dir.join("no-from.mbox");
    std::fs::write(&no_from, message("no envelope")).expect("write");
    // binary garbage: a fixed pseudo-random stream (xorshift), with NULs and 0xFF
    let garbage = dir.join("garbage.mbox");
    let mut x: u32 = 0x9E37_79B9;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(&garbage, &bytes).expect("write");
    // gzip magic, then garbage
    let bad_gz = dir.join("bad.mbox.gz");
    std::fs::write(
        &bad_gz,
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef],
    )
    .expect("write");
    // a valid gzip stream of two messages, cut in the middle of its data
    let cut_gz = dir.join("cut.mbox.gz");
    let mut plain = Vec::new();
    for i in 0..2 {
        plain.extend_from_slice(envelope(i).as_bytes());
        let m = message(&format!("gz{i}"));
        // incompressible filler in the header block, so that the cut falls in message 2
        let (head, body) = m.split_at(m.len() - "\nbody\n".len());
        plain.extend_from_slice(head);
        plain.extend_from_slice(b"X-Filler: ");
        let mut y: u32 = 12_345 + i as u32;
        for _ in 0..4000 {
            y ^= y << 13;
            y ^= y >> 17;
            y ^= y << 5;
            plain.push(b'a' + (y % 26) as u8);
        }
        plain.push(b'\n');
        plain.extend_from_slice(body);
        plain.push(b'\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).expect("gzip");
    let full = gz.finish().expect("gzip");
    std::fs::write(&cut_gz, &full[..full.len() * 3 / 4]).expect("write");

    for forced in [None, Some("mbox")] {
        let extra: Vec<&str> = match forced {
            Some(f) => vec!["--input-format", f],
            None => vec![],
        };
        let out = batch(&[&empty, &no_from, &garbage, &bad_gz, &cut_gz], &extra);
        let records = lines(&out);
        let what = format!("{forced:?}: {}", String::from_utf8_lossy(&out.stderr));
        let of = |p: &Path| -> Vec<&serde_json::Value> {
            records
                .iter()
                .filter(|r| file_of(r) == p.display().to_string())
                .collect()
        };
        errors(&out, &records);
        match forced {
            // an empty mbox holds no message
            Some(_) => assert_eq!(of(&empty).len(), 0, "{what}"),
            // detected: an empty file is not an mbox but one empty message, an error
            None => {
                assert_eq!(of(&empty).len(), 1, "{what}");
                assert!(of(&empty)[0]["error"].is_string(), "{what}");
            }
        }
        assert_eq!(of(&no_from).len(), 1, "{what}");
        assert_eq!(
            of(&no_from)[0]["message"]["subject"].as_str(),
            Some("no envelope"),
            "{what}"
        );
        assert_eq!(of(&garbage).len(), 1, "binary garbage is one item: {what}");
        assert_eq!(of(&bad_gz).len(), 1, "{what}");
        let bad = of(&bad_gz)[0]["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(bad.contains("bad.mbox.gz"), "{what}: {bad}");
        // the first message of the cut stream, then the error where it was cut
        let cut = of(&cut_gz);
        assert!(!cut.is_empty(), "{what}");
        assert_eq!(cut[0]["message"]["subject"].as_str(), Some("gz0"), "{what}");
        assert!(
            cut.last().is_some_and(|r| r["error"].is_string()),
            "{what}: {cut:?}"
        );
        assert_eq!(out.status.code(), Some(2), "{what}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A mailbox that arrives in pieces, the reader waiting between them, and ends in the middle
/// of a message: a FIFO given as the path, fed by a thread.
#[cfg(unix)]
#[test]
fn mbox_growing_while_read_then_cut_mid_message() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("growing.mbox");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("note: mkfifo is not available; the growing-mbox case is skipped");
        return;
    }
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            // opening for writing waits for the reader (mailtrace) to open it
            let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&fifo) else {
                return;
            };
            let mut pieces: Vec<Vec<u8>> = Vec::new();
            for i in 0..3 {
                let mut m = envelope(i).into_bytes();
                m.extend_from_slice(&message(&format!("piece{i}")));
                m.push(b'\n');
                // split each message in the middle of a header line
                let cut = m.len() / 2;
                pieces.push(m[..cut].to_vec());
                pieces.push(m[cut..].to_vec());
            }
            let mut last = envelope(3).into_bytes();
            last.extend_from_slice(b"From: a@example.com\nSubject: cut\nDate: Wed, 12 Ma");
            pieces.push(last);
            for p in pieces {
                if f.write_all(&p).is_err() {
                    return;
                }
                let _ = f.flush();
                std::thread::sleep(Duration::from_millis(30));
            }
            // dropping `f` ends the stream in the middle of the last message
        })
    };
    let out = batch(&[&fifo], &["--input-format", "mbox"]);
    writer.join().expect("writer");
    let records = lines(&out);
    assert_eq!(records.len(), 4, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(subjects(&records)[..3], ["piece0", "piece1", "piece2"]);
    // the cut message is still one record (analysed as far as it goes, or an error)
    assert_eq!(file_of(&records[3]), fifo.display().to_string());
    errors(&out, &records);
    let _ = std::fs::remove_dir_all(&dir);
}
