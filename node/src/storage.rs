//! A node's durable files (PROTOCOL.md §2, "Durability rule"):
//!
//! - `log`: append-only records, each `[length u32 LE][crc32 u32 LE][JSON]`,
//!   the JSON a batch of entries that truncates the log from its first index
//!   and appends (the core's `Persist::Entries`);
//! - `state`: term, vote and commit, replaced atomically; a change of the
//!   commit watermark alone is written later (see [`Storage::flush_state`]);
//! - `snapshot`: the latest snapshot, replaced atomically; taking one
//!   rewrites `log` to the entries after it.
//!
//! Atomic replacement is the seed's (reddb) recipe: write a temporary file,
//! fsync it, rename it over the old one, fsync the directory. Without the
//! last fsync the rename itself may be lost in a crash, and a restarted
//! voter could vote twice in one term.
//!
//! Appends are not fsynced one by one: [`Storage::sync`] makes everything
//! written so far durable, and the host calls it before any message or
//! reply that depends on a write leaves.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use quorumscope::core::{DurableState, Entry, HardState, Persist, Snapshot};

/// The largest record or file body accepted; anything longer is corruption.
pub const MAX_RECORD_BYTES: usize = 64 << 20;
const HEADER_BYTES: usize = 8;

/// A fault to inject into the log, for crash tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The append of record number `n` (counted from 1 in this process)
    /// fails with an error and writes nothing.
    FailAt(u64),
    /// The append of record `n` writes only its first half (a torn write,
    /// as a power cut mid-write leaves) and then fails.
    TearAt(u64),
}

impl Fault {
    /// Parses `fail:N` or `tear:N`.
    pub fn parse(text: &str) -> Result<Fault, String> {
        let (kind, n) =
            text.split_once(':').ok_or_else(|| format!("--fault {text:?}: expected fail:N or tear:N"))?;
        let n: u64 = n.parse().map_err(|_| format!("--fault {text:?}: {n:?} is not a record number"))?;
        match kind {
            "fail" => Ok(Fault::FailAt(n)),
            "tear" => Ok(Fault::TearAt(n)),
            _ => Err(format!("--fault {text:?}: unknown fault {kind:?} (fail or tear)")),
        }
    }
}

/// What recovery found in the log file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Intact records read.
    pub records: u64,
    /// Bytes cut off the end: a torn or corrupt tail.
    pub truncated_bytes: u64,
    /// Why the tail was cut, when it was.
    pub tail_problem: Option<String>,
    /// A snapshot was found.
    pub snapshot_index: Option<u64>,
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} log records intact", self.records)?;
        if let Some(index) = self.snapshot_index {
            write!(f, ", snapshot at index {index}")?;
        }
        match &self.tail_problem {
            Some(why) => write!(f, "; cut a {}-byte tail: {why}", self.truncated_bytes),
            None => write!(f, "; no torn tail"),
        }
    }
}

/// The durable files of one node.
pub struct Storage {
    dir: PathBuf,
    log: File,
    records_appended: u64,
    unsynced: bool,
    fault: Option<Fault>,
    /// The `state` file's contents.
    written: HardState,
    /// A newer state differing from `written` only in its commit
    /// watermark, not yet written.
    deferred: Option<HardState>,
}

impl Storage {
    /// Opens (creating if needed) the files in `dir` and reads back what
    /// they hold; a torn or corrupt log tail is cut off, never trusted.
    pub fn open(dir: &Path, fault: Option<Fault>) -> io::Result<(Storage, DurableState, Recovery)> {
        fs::create_dir_all(dir)?;
        let mut durable = DurableState::default();
        let mut recovery = Recovery::default();
        if let Some(state) = read_checked_file(&dir.join("state"))? {
            durable.hard_state = from_json::<HardState>(&state, "state")?;
        }
        let log_path = dir.join("log");
        let mut log = OpenOptions::new().read(true).append(true).create(true).open(&log_path)?;
        let mut bytes = Vec::new();
        log.read_to_end(&mut bytes)?;
        let good = scan_records(&bytes, &mut |entries| {
            durable.apply(&Persist::Entries(entries));
            recovery.records += 1;
        });
        if let Err((offset, why)) = good {
            recovery.truncated_bytes = (bytes.len() - offset) as u64;
            recovery.tail_problem = Some(why);
            log.set_len(offset as u64)?;
            log.sync_all()?;
        }
        if let Some(snap) = read_checked_file(&dir.join("snapshot"))? {
            let snap: Snapshot = from_json(&snap, "snapshot")?;
            recovery.snapshot_index = Some(snap.index);
            place_snapshot(&mut durable, snap);
        }
        let written = durable.hard_state;
        let storage = Storage {
            dir: dir.to_path_buf(),
            log,
            records_appended: 0,
            unsynced: false,
            fault,
            written,
            deferred: None,
        };
        Ok((storage, durable, recovery))
    }

    /// Performs one of the core's writes. Entries are appended but not yet
    /// synced; state and snapshot files are replaced atomically at once.
    ///
    /// A new term or vote is written at once: a reply depends on it
    /// (PROTOCOL.md §2). A new commit watermark alone waits for
    /// [`Storage::flush_state`] or the next term or vote: it costs an atomic
    /// rewrite (two fsyncs) per commit otherwise, and nothing depends on it
    /// being on disk; after a crash the node starts from the older
    /// watermark, a lower bound, and learns the rest from the leader.
    pub fn persist(&mut self, write: &Persist) -> io::Result<()> {
        match write {
            Persist::HardState(hs)
                if (hs.term, hs.voted_for) == (self.written.term, self.written.voted_for) =>
            {
                self.deferred = Some(*hs);
                Ok(())
            }
            Persist::HardState(hs) => self.write_state(*hs),
            Persist::Entries(entries) => self.append(entries),
            Persist::Snapshot(snap) => self.store_snapshot(snap),
        }
    }

    /// Writes a deferred commit watermark, if any. The host calls it every
    /// `STATE_FLUSH_EVERY` of real time, so a restart goes back at most that
    /// far.
    pub fn flush_state(&mut self) -> io::Result<()> {
        match self.deferred {
            Some(hs) => self.write_state(hs),
            None => Ok(()),
        }
    }

    fn write_state(&mut self, hs: HardState) -> io::Result<()> {
        write_atomically(&self.dir, "state", &to_json(&hs)?)?;
        (self.written, self.deferred) = (hs, None);
        Ok(())
    }

    /// Makes every append so far durable (fdatasync), if any is pending.
    pub fn sync(&mut self) -> io::Result<()> {
        if self.unsynced {
            self.log.sync_data()?;
            self.unsynced = false;
        }
        Ok(())
    }

    fn append(&mut self, entries: &[Entry]) -> io::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let record = encode_record(&to_json(&entries)?);
        self.records_appended += 1;
        match self.fault {
            Some(Fault::FailAt(n)) if n == self.records_appended => {
                return Err(io::Error::other(format!("injected failure at record {n}")));
            }
            Some(Fault::TearAt(n)) if n == self.records_appended => {
                self.log.write_all(&record[..record.len() / 2])?;
                self.log.sync_data()?;
                return Err(io::Error::other(format!("injected torn write at record {n}")));
            }
            _ => {}
        }
        self.log.write_all(&record)?;
        self.unsynced = true;
        Ok(())
    }

    /// Stores the snapshot, then rewrites the log to what follows it. A
    /// crash in between leaves the old log, which recovery trims the same
    /// way (`DurableState::apply`).
    fn store_snapshot(&mut self, snap: &Snapshot) -> io::Result<()> {
        self.sync()?;
        write_atomically(&self.dir, "snapshot", &to_json(snap)?)?;
        let mut bytes = Vec::new();
        File::open(self.dir.join("log"))?.read_to_end(&mut bytes)?;
        let mut durable = DurableState::default();
        // The file was written by this process and synced: an error here
        // would be a bug, and keeping the intact prefix is still right.
        let _ = scan_records(&bytes, &mut |entries| durable.apply(&Persist::Entries(entries)));
        // The snapshot's own entry stays, so that recovery, applying the
        // snapshot over the log, sees the log continue from it.
        let holds = durable.entries.iter().any(|e| e.index == snap.index && e.term == snap.term);
        let tail: Vec<Entry> = if holds {
            durable.entries.into_iter().filter(|e| e.index >= snap.index).collect()
        } else {
            Vec::new()
        };
        let kept = if tail.is_empty() { Vec::new() } else { encode_record(&to_json(&tail)?) };
        write_atomically_raw(&self.dir, "log", &kept)?;
        self.log = OpenOptions::new().append(true).open(self.dir.join("log"))?;
        Ok(())
    }
}

/// Puts a recovered snapshot under the recovered log. The log continues
/// the snapshot when it holds the snapshot's entry (same term: log
/// matching) or starts right after it (the log was emptied when the
/// snapshot was stored, then appended to); anything else is a log from
/// before the snapshot, left by a crash between storing the snapshot and
/// rewriting the log, and is dropped.
fn place_snapshot(durable: &mut DurableState, snap: Snapshot) {
    let at = durable.entries.iter().find(|e| e.index == snap.index).map(|e| e.term);
    let continues = match at {
        Some(term) => term == snap.term,
        None => durable.entries.first().is_some_and(|e| e.index == snap.index + 1),
    };
    if continues {
        durable.entries.retain(|e| e.index > snap.index);
    } else {
        durable.entries.clear();
    }
    durable.snapshot = Some(snap);
}

/// One log record: length, checksum, body.
pub fn encode_record(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + body.len());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// Feeds each intact record's entries to `each`, in order. Returns the
/// offset and the reason of the first bad record, if any.
fn scan_records(bytes: &[u8], each: &mut dyn FnMut(Vec<Entry>)) -> Result<(), (usize, String)> {
    let mut offset = 0;
    let mut number = 1;
    while offset < bytes.len() {
        let rest = &bytes[offset..];
        let bad = |why: String| Err((offset, format!("record {number} at byte {offset}: {why}")));
        if rest.len() < HEADER_BYTES {
            return bad(format!("torn header ({} of {HEADER_BYTES} bytes)", rest.len()));
        }
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let crc = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
        if len > MAX_RECORD_BYTES {
            return bad(format!("length {len} exceeds {MAX_RECORD_BYTES}"));
        }
        if rest.len() < HEADER_BYTES + len {
            return bad(format!("torn body ({} of {len} bytes)", rest.len() - HEADER_BYTES));
        }
        let body = &rest[HEADER_BYTES..HEADER_BYTES + len];
        if crc32fast::hash(body) != crc {
            return bad("checksum mismatch".into());
        }
        match serde_json::from_slice::<Vec<Entry>>(body) {
            Ok(entries) => each(entries),
            Err(e) => return bad(format!("unreadable entries: {e}")),
        }
        offset += HEADER_BYTES + len;
        number += 1;
    }
    Ok(())
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> io::Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(io::Error::other)
}

fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8], file: &str) -> io::Result<T> {
    serde_json::from_slice(bytes).map_err(|e| io::Error::other(format!("{file}: {e}")))
}

/// Replaces `dir/name` with a checksummed `body`, atomically.
fn write_atomically(dir: &Path, name: &str, body: &[u8]) -> io::Result<()> {
    write_atomically_raw(dir, name, &encode_record(body))
}

/// Temporary file, fsync, rename, fsync of the directory.
fn write_atomically_raw(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let temp = dir.join(format!("{name}.tmp"));
    let mut file = File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&temp, dir.join(name))?;
    File::open(dir)?.sync_all()
}

/// A file written by `write_atomically`: its body, or `None` when absent.
/// A bad checksum here is damage, not a torn write (the rename is atomic),
/// so it is an error rather than something to cut away.
fn read_checked_file(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut body = None;
    let scan = scan_raw(&bytes, &mut |b| body = Some(b.to_vec()));
    match (scan, body) {
        (Ok(()), Some(body)) => Ok(Some(body)),
        (Err((_, why)), _) => Err(io::Error::other(format!("{}: {why}", path.display()))),
        (Ok(()), None) => Err(io::Error::other(format!("{}: empty", path.display()))),
    }
}

/// `scan_records` without the JSON step, for single-record files.
fn scan_raw(bytes: &[u8], each: &mut dyn FnMut(&[u8])) -> Result<(), (usize, String)> {
    if bytes.len() < HEADER_BYTES {
        return Err((0, "torn header".into()));
    }
    let len = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let crc = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if bytes.len() != HEADER_BYTES + len {
        return Err((0, format!("length {len} does not match the file ({} bytes)", bytes.len())));
    }
    let body = &bytes[HEADER_BYTES..];
    if crc32fast::hash(body) != crc {
        return Err((0, "checksum mismatch".into()));
    }
    each(body);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorumscope::core::{Membership, Payload};

    fn entry(index: u64, term: u64) -> Entry {
        Entry { index, term, payload: Payload::Write(format!("k{index}=v").into_bytes().into()) }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("qs-storage-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn writes_come_back_after_a_reopen() {
        let dir = temp_dir("reopen");
        let (mut s, durable, rec) = Storage::open(&dir, None).unwrap();
        assert_eq!(durable, DurableState::default());
        assert_eq!(rec, Recovery::default());
        s.persist(&Persist::Entries(vec![entry(1, 1), entry(2, 1), entry(3, 1)])).unwrap();
        // A divergent tail replaced from index 3, as a follower does.
        s.persist(&Persist::Entries(vec![entry(3, 2), entry(4, 2)])).unwrap();
        let hs = HardState { term: 2, voted_for: Some(3), commit: 2 };
        s.persist(&Persist::HardState(hs)).unwrap();
        s.sync().unwrap();
        drop(s);
        let (_, durable, rec) = Storage::open(&dir, None).unwrap();
        assert_eq!(durable.hard_state, hs);
        let terms: Vec<(u64, u64)> = durable.entries.iter().map(|e| (e.index, e.term)).collect();
        assert_eq!(terms, vec![(1, 1), (2, 1), (3, 2), (4, 2)]);
        assert_eq!(rec.records, 2);
        assert_eq!(rec.tail_problem, None);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_commit_alone_is_written_at_the_next_flush_and_a_term_or_vote_at_once() {
        let dir = temp_dir("deferred-commit");
        let state = |commit, term| HardState { term, voted_for: Some(1), commit };
        let reopened = |dir: &Path| Storage::open(dir, None).unwrap().1.hard_state;
        let (mut s, _, _) = Storage::open(&dir, None).unwrap();
        s.persist(&Persist::HardState(state(0, 1))).unwrap();
        assert_eq!(reopened(&dir), state(0, 1), "a new term and vote: written at once");
        s.persist(&Persist::HardState(state(5, 1))).unwrap();
        assert_eq!(reopened(&dir), state(0, 1), "a commit alone: deferred");
        s.flush_state().unwrap();
        assert_eq!(reopened(&dir), state(5, 1), "flushed");
        s.persist(&Persist::HardState(state(7, 1))).unwrap();
        s.persist(&Persist::HardState(state(8, 2))).unwrap();
        assert_eq!(reopened(&dir), state(8, 2), "a new term carries the latest commit");
        s.flush_state().unwrap();
        assert_eq!(reopened(&dir), state(8, 2), "nothing left to flush");
    }

    #[test]
    fn a_torn_tail_is_cut_and_reported_and_appends_continue_after_it() {
        let dir = temp_dir("torn");
        let (mut s, _, _) = Storage::open(&dir, Some(Fault::TearAt(3))).unwrap();
        s.persist(&Persist::Entries(vec![entry(1, 1)])).unwrap();
        s.persist(&Persist::Entries(vec![entry(2, 1)])).unwrap();
        let err = s.persist(&Persist::Entries(vec![entry(3, 1)])).unwrap_err();
        assert!(err.to_string().contains("torn write at record 3"), "{err}");
        drop(s);
        let torn_len = fs::metadata(dir.join("log")).unwrap().len();
        let (mut s, durable, rec) = Storage::open(&dir, None).unwrap();
        assert_eq!(durable.entries, vec![entry(1, 1), entry(2, 1)], "the torn record is not trusted");
        assert_eq!(rec.records, 2);
        let why = rec.tail_problem.clone().expect("the torn tail is reported");
        assert!(why.starts_with("record 3 at byte"), "{why}");
        assert!(rec.truncated_bytes > 0);
        assert_eq!(fs::metadata(dir.join("log")).unwrap().len(), torn_len - rec.truncated_bytes);
        // The next append lands right after the intact prefix.
        s.persist(&Persist::Entries(vec![entry(3, 2)])).unwrap();
        s.sync().unwrap();
        drop(s);
        let (_, durable, rec) = Storage::open(&dir, None).unwrap();
        assert_eq!(durable.entries, vec![entry(1, 1), entry(2, 1), entry(3, 2)]);
        assert_eq!(rec.tail_problem, None);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_flipped_bit_fails_the_checksum_and_cuts_from_there() {
        let dir = temp_dir("flip");
        let (mut s, _, _) = Storage::open(&dir, None).unwrap();
        for i in 1..=3 {
            s.persist(&Persist::Entries(vec![entry(i, 1)])).unwrap();
        }
        s.sync().unwrap();
        drop(s);
        let mut bytes = fs::read(dir.join("log")).unwrap();
        let second = encode_record(&serde_json::to_vec(&vec![entry(1, 1)]).unwrap()).len();
        bytes[second + HEADER_BYTES + 5] ^= 0x10;
        fs::write(dir.join("log"), &bytes).unwrap();
        let (_, durable, rec) = Storage::open(&dir, None).unwrap();
        assert_eq!(durable.entries, vec![entry(1, 1)]);
        assert!(rec.tail_problem.unwrap().contains("record 2 at byte"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_injected_failure_writes_nothing() {
        let dir = temp_dir("fail");
        let (mut s, _, _) = Storage::open(&dir, Some(Fault::FailAt(2))).unwrap();
        s.persist(&Persist::Entries(vec![entry(1, 1)])).unwrap();
        assert!(s.persist(&Persist::Entries(vec![entry(2, 1)])).is_err());
        s.sync().unwrap();
        drop(s);
        let (_, durable, rec) = Storage::open(&dir, None).unwrap();
        assert_eq!(durable.entries, vec![entry(1, 1)]);
        assert_eq!(rec.tail_problem, None);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_snapshot_compacts_the_log_and_survives_a_reopen() {
        let dir = temp_dir("snap");
        let (mut s, _, _) = Storage::open(&dir, None).unwrap();
        for i in 1..=5 {
            s.persist(&Persist::Entries(vec![entry(i, 1)])).unwrap();
        }
        let snap = snapshot_at(3, 1);
        s.persist(&Persist::Snapshot(Box::new(snap.clone()))).unwrap();
        s.persist(&Persist::Entries(vec![entry(6, 2)])).unwrap();
        s.sync().unwrap();
        drop(s);
        let (_, durable, rec) = Storage::open(&dir, None).unwrap();
        assert_eq!(durable.snapshot, Some(snap));
        assert_eq!(durable.entries, vec![entry(4, 1), entry(5, 1), entry(6, 2)]);
        // Entries 3 to 5 in one rewritten record, then 6.
        assert_eq!((rec.records, rec.snapshot_index), (2, Some(3)));
        fs::remove_dir_all(&dir).unwrap();
    }

    fn snapshot_at(index: u64, term: u64) -> Snapshot {
        Snapshot {
            index,
            term,
            membership: Membership::default(),
            epochs: Default::default(),
            data: b"{}".to_vec().into(),
        }
    }

    /// Found by the crash test: a follower that installs a leader's
    /// snapshot beyond its log empties the log, then appends from the
    /// snapshot's index + 1; those entries must survive a restart.
    #[test]
    fn entries_after_an_installed_snapshot_that_emptied_the_log_survive_a_reopen() {
        let dir = temp_dir("installed");
        let (mut s, _, _) = Storage::open(&dir, None).unwrap();
        s.persist(&Persist::Entries(vec![entry(1, 1), entry(2, 1)])).unwrap();
        s.persist(&Persist::Snapshot(Box::new(snapshot_at(10, 3)))).unwrap();
        s.persist(&Persist::Entries(vec![entry(11, 3), entry(12, 3)])).unwrap();
        s.sync().unwrap();
        drop(s);
        let (_, durable, _) = Storage::open(&dir, None).unwrap();
        assert_eq!(durable.snapshot.map(|s| s.index), Some(10));
        assert_eq!(durable.entries, vec![entry(11, 3), entry(12, 3)]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_log_from_before_the_snapshot_is_dropped_when_it_does_not_continue_it() {
        let mut durable = DurableState::default();
        durable.apply(&Persist::Entries((1..=12).map(|i| entry(i, 1)).collect()));
        place_snapshot(&mut durable, snapshot_at(10, 3)); // term 1 at 10: diverged
        assert!(durable.entries.is_empty());
        let mut durable = DurableState::default();
        durable.apply(&Persist::Entries((1..=12).map(|i| entry(i, 1)).collect()));
        place_snapshot(&mut durable, snapshot_at(10, 1));
        assert_eq!(durable.entries, vec![entry(11, 1), entry(12, 1)]);
    }

    #[test]
    fn a_damaged_state_file_is_an_error_naming_it() {
        let dir = temp_dir("state");
        let (mut s, _, _) = Storage::open(&dir, None).unwrap();
        s.persist(&Persist::HardState(HardState { term: 4, voted_for: Some(1), commit: 0 })).unwrap();
        drop(s);
        let mut bytes = fs::read(dir.join("state")).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        fs::write(dir.join("state"), &bytes).unwrap();
        let err = Storage::open(&dir, None).err().expect("damage is refused");
        assert!(err.to_string().contains("state: checksum mismatch"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
