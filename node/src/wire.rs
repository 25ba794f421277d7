//! The frame format between nodes: a 12-byte header, then a JSON body.
//!
//! ```text
//! [version u8 = 1][reserved u8 × 3][length u32 BE][crc32 of body u32 BE][body]
//! ```
//!
//! The body is a [`Frame`]: the core's message, the sender's hybrid logical
//! clock and a per-sender sequence number (traces pair a send with its
//! delivery by it). Anything that does not decode (a truncated frame,
//! garbage, a length beyond [`MAX_FRAME_BYTES`], an unknown version) is a
//! [`FrameError`]; the reader closes the connection on it.

use std::io::{self, Read};

use serde::{Deserialize, Serialize};

use quorumscope::core::Message;

use crate::hlc::Stamp;

/// The only version this build speaks.
pub const VERSION: u8 = 1;
/// Header length.
pub const HEADER_BYTES: usize = 12;
/// The longest body accepted (a snapshot of the key-value store fits).
pub const MAX_FRAME_BYTES: usize = 16 << 20;

/// One frame's body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// The sender's clock when it sent.
    pub hlc: Stamp,
    /// Numbers the sender's messages, from 1.
    pub seq: u64,
    /// The core's message.
    pub msg: Message,
}

/// Why bytes are not a frame.
#[derive(Debug)]
pub enum FrameError {
    /// The version byte is not one this build speaks.
    UnknownVersion(u8),
    /// The length field is beyond the limit.
    Oversized(usize),
    /// The body does not match its checksum.
    Checksum,
    /// The body is not a frame.
    Malformed(String),
    /// The connection ended or failed, possibly mid-frame.
    Io(io::Error),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::UnknownVersion(v) => {
                write!(f, "unknown frame version {v} (this build speaks {VERSION})")
            }
            FrameError::Oversized(n) => write!(f, "frame length {n} exceeds {MAX_FRAME_BYTES}"),
            FrameError::Checksum => write!(f, "frame checksum mismatch"),
            FrameError::Malformed(why) => write!(f, "malformed frame body: {why}"),
            FrameError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                write!(f, "connection ended mid-frame")
            }
            FrameError::Io(e) => write!(f, "connection error: {e}"),
        }
    }
}

/// A frame as bytes.
pub fn encode(frame: &Frame) -> Vec<u8> {
    // Serializing the core's own types cannot fail: no maps with non-string
    // keys, no floats.
    let body = serde_json::to_vec(frame).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER_BYTES + body.len());
    out.extend_from_slice(&[VERSION, 0, 0, 0]);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

/// Checks a header; returns the body length and its checksum.
fn header(h: &[u8; HEADER_BYTES]) -> Result<(usize, u32), FrameError> {
    if h[0] != VERSION {
        return Err(FrameError::UnknownVersion(h[0]));
    }
    let len = u32::from_be_bytes([h[4], h[5], h[6], h[7]]) as usize;
    if len > MAX_FRAME_BYTES {
        return Err(FrameError::Oversized(len));
    }
    Ok((len, u32::from_be_bytes([h[8], h[9], h[10], h[11]])))
}

fn body(bytes: &[u8], crc: u32) -> Result<Frame, FrameError> {
    if crc32fast::hash(bytes) != crc {
        return Err(FrameError::Checksum);
    }
    serde_json::from_slice(bytes).map_err(|e| FrameError::Malformed(e.to_string()))
}

/// Decodes the frame at the start of `buf`: `Ok(None)` when more bytes are
/// needed, else the frame and how many bytes it took.
pub fn decode(buf: &[u8]) -> Result<Option<(Frame, usize)>, FrameError> {
    let Some(h) = buf.first_chunk::<HEADER_BYTES>() else { return Ok(None) };
    let (len, crc) = header(h)?;
    let Some(bytes) = buf.get(HEADER_BYTES..HEADER_BYTES + len) else { return Ok(None) };
    Ok(Some((body(bytes, crc)?, HEADER_BYTES + len)))
}

/// Reads one frame from a stream. The header is checked before the body is
/// read, so an oversized length never allocates.
pub fn read_frame(r: &mut impl Read) -> Result<Frame, FrameError> {
    let mut h = [0u8; HEADER_BYTES];
    r.read_exact(&mut h).map_err(FrameError::Io)?;
    let (len, crc) = header(&h)?;
    let mut bytes = vec![0u8; len];
    r.read_exact(&mut bytes).map_err(FrameError::Io)?;
    body(&bytes, crc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorumscope::core::rng::Rng;
    use quorumscope::core::{Body, Entry, Payload};

    fn sample(seq: u64) -> Frame {
        let entries = vec![Entry { index: 4, term: 2, payload: Payload::Write(b"k=v".to_vec().into()) }];
        let body = Body::Append { prev_index: 3, prev_term: 2, entries, commit: 3 };
        Frame {
            hlc: Stamp { wall_ms: 1_700_000_000_000, logical: 3 },
            seq,
            msg: Message { from: 1, to: 2, term: 2, body },
        }
    }

    #[test]
    fn a_frame_round_trips_whole_and_byte_by_byte() {
        let bytes = encode(&sample(7));
        assert_eq!(decode(&bytes).unwrap(), Some((sample(7), bytes.len())));
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).unwrap().is_none(), "a prefix of {cut} bytes needs more");
        }
        assert_eq!(read_frame(&mut &bytes[..]).unwrap(), sample(7));
    }

    #[test]
    fn bad_frames_are_errors_that_say_why() {
        let good = encode(&sample(1));
        let mut version = good.clone();
        version[0] = 9;
        assert!(matches!(decode(&version), Err(FrameError::UnknownVersion(9))));
        let mut oversized = good.clone();
        oversized[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(read_frame(&mut &oversized[..]), Err(FrameError::Oversized(_))));
        let mut flipped = good.clone();
        flipped[HEADER_BYTES + 3] ^= 1;
        assert!(matches!(decode(&flipped), Err(FrameError::Checksum)));
        let truncated = &good[..good.len() - 1];
        let err = read_frame(&mut &truncated[..]).unwrap_err();
        assert_eq!(err.to_string(), "connection ended mid-frame");
        // A well-checksummed body that is not a frame.
        let junk = b"{\"hello\":1}";
        let mut framed = vec![VERSION, 0, 0, 0];
        framed.extend_from_slice(&(junk.len() as u32).to_be_bytes());
        framed.extend_from_slice(&crc32fast::hash(junk).to_be_bytes());
        framed.extend_from_slice(junk);
        assert!(matches!(decode(&framed), Err(FrameError::Malformed(_))));
    }

    /// Random bytes, and valid frames with random mutations, never panic
    /// the decoder; whatever it accepts round-trips.
    #[test]
    fn the_decoder_survives_random_and_mutated_input() {
        let seed = std::env::var("QS_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_f00d);
        println!("fuzz seed {seed} (set QS_FUZZ_SEED to replay)");
        let mut rng = Rng::new(seed);
        let good = encode(&sample(42));
        for round in 0..20_000 {
            let bytes: Vec<u8> = if round % 2 == 0 {
                let len = rng.range_inclusive(0, 64) as usize;
                let mut b: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
                if len > 0 && rng.unit() < 0.5 {
                    b[0] = VERSION;
                }
                b
            } else {
                let mut b = good.clone();
                for _ in 0..rng.range_inclusive(1, 4) {
                    let at = rng.range_inclusive(0, b.len() as u64 - 1) as usize;
                    b[at] = rng.next_u64() as u8;
                }
                b.truncate(rng.range_inclusive(0, b.len() as u64) as usize);
                b
            };
            if let Ok(Some((frame, used))) = decode(&bytes) {
                assert!(used <= bytes.len());
                let again = decode(&encode(&frame)).unwrap().map(|(f, _)| f);
                assert_eq!(again, Some(frame), "seed {seed} round {round}");
            }
            let _ = read_frame(&mut &bytes[..]);
        }
    }
}
