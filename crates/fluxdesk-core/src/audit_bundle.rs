//! Audit bundles (`.fxaudit`): an exported stretch of the audit chain that a
//! reviewer can verify and read with no connection.
//!
//! Format, version 1 (every line ends with `\n`):
//! 1. the magic line `FXAUDIT 1`;
//! 2. the header: one line of canonical JSON ([`BundleHeader`]), never encrypted;
//! 3. the payload: one line of canonical JSON per event ([`ChainedEvent`], hash
//!    included), then one trailer line (`{"trailer": {...}}`, [`Trailer`]).
//!
//! With a passphrase the payload is encrypted with XChaCha20-Poly1305 in the
//! STREAM construction (64 KiB chunks, big-endian 32-bit counter, last-chunk
//! flag, the header line as associated data), under a key derived with
//! argon2id; the parameters are in the header. A cut-off file fails the last
//! chunk's check.
//!
//! The trailer's Ed25519 signature covers the header, the events' bytes, their
//! count and both ends of the chain, so any change to any of them, or a chain
//! rewritten with fresh hashes, fails verification. Each event's own hash and
//! link locate the first bad one.

use crate::audit::ChainedEvent;
use crate::error::{CoreError, CoreResult};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{KeyInit, Payload};
use data_encoding::BASE64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};

/// The first line of every bundle.
pub const MAGIC: &[u8] = b"FXAUDIT 1\n";
/// The file extension bundles are saved and associated with.
pub const EXTENSION: &str = "fxaudit";
/// The format's name in the header.
pub const FORMAT: &str = "fluxdesk-audit-bundle";
/// The format version this code writes and reads.
pub const VERSION: u32 = 1;
/// Plaintext bytes per encrypted chunk.
pub const CHUNK: usize = 64 * 1024;
/// What the signature's message starts with, so it can mean nothing else.
const SIGNING_CONTEXT: &[u8] = b"fluxdesk-audit-bundle-v1\0";
/// The longest payload line read whole; an event is a few hundred bytes.
const MAX_LINE: usize = 16 * 1024 * 1024;
/// AEAD tag bytes per chunk.
const TAG: usize = 16;
/// argon2id parameters for new bundles: RFC 9106's second recommendation,
/// above OWASP's minimum (19 MiB, 2 passes, 1 lane).
pub const KDF_MEMORY_KIB: u32 = 64 * 1024;
/// argon2id passes.
pub const KDF_ITERATIONS: u32 = 3;
/// argon2id lanes.
pub const KDF_PARALLELISM: u32 = 4;
/// The most memory a bundle may ask a reader to spend on its key (1 GiB).
const KDF_MEMORY_CAP_KIB: u32 = 1024 * 1024;

/// Which instance the events come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceIdentity {
    /// The profile's name.
    pub name: String,
    /// Host and database, without credentials.
    pub address: String,
    /// PostgreSQL's `system_identifier` for the cluster, when readable.
    pub system_identifier: Option<String>,
    /// The Fluxbase layout (`dashboard` or `platform`).
    pub layout: String,
}

/// What was exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportParameters {
    /// From this time (RFC 3339), or the start.
    pub since: Option<String>,
    /// Until this time (RFC 3339), or the end.
    pub until: Option<String>,
    /// Who exported it.
    pub exported_by: Option<String>,
    /// When (RFC 3339).
    pub exported_at: String,
}

/// How the payload is encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    /// Always `argon2id`.
    pub kdf: String,
    /// argon2id memory, KiB.
    pub memory_kib: u32,
    /// argon2id passes.
    pub iterations: u32,
    /// argon2id lanes.
    pub parallelism: u32,
    /// Salt, base64.
    pub salt: String,
    /// Always `xchacha20poly1305-stream-be32`.
    pub cipher: String,
    /// The STREAM nonce prefix (19 bytes), base64.
    pub nonce_prefix: String,
    /// Plaintext bytes per chunk.
    pub chunk_bytes: u32,
}

/// The header line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleHeader {
    /// [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The exporting client (`fluxdesk-app 0.1.0`).
    pub client: String,
    /// The instance.
    pub instance: InstanceIdentity,
    /// What was exported.
    pub export: ExportParameters,
    /// The signer's Ed25519 public key, base64.
    pub signer_public_key: String,
    /// How the payload is encrypted, if it is.
    pub encryption: Option<Encryption>,
}

/// The last payload line: what the events add up to, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trailer {
    /// Events in the bundle.
    pub count: u64,
    /// The first event's `prev_hash`: where the exported stretch hangs on the chain.
    pub first_prev_hash: Option<String>,
    /// The last event's hash.
    pub head_hash: Option<String>,
    /// SHA-256 (hex) of every event line's bytes, in order.
    pub events_sha256: String,
    /// Ed25519 signature, base64, over [`signed_message`].
    pub signature: String,
}

#[derive(Serialize, Deserialize)]
struct TrailerLine {
    trailer: Trailer,
}

/// The bytes the signature covers.
fn signed_message(header_line: &[u8], trailer: &Trailer) -> Vec<u8> {
    let mut message = SIGNING_CONTEXT.to_vec();
    message.extend_from_slice(&Sha256::digest(header_line));
    message.extend_from_slice(trailer.events_sha256.as_bytes());
    message.extend_from_slice(&trailer.count.to_be_bytes());
    for end in [&trailer.first_prev_hash, &trailer.head_hash] {
        message.extend_from_slice(end.as_deref().unwrap_or("").as_bytes());
        message.push(0);
    }
    message
}

fn canonical_line<T: Serialize>(value: &T) -> CoreResult<Vec<u8>> {
    let mut line = serde_jcs::to_vec(value)
        .map_err(|error| CoreError::InvalidInput(format!("Cannot write canonical JSON: {error}.")))?;
    line.push(b'\n');
    Ok(line)
}

fn io_error(what: &str) -> impl FnOnce(std::io::Error) -> CoreError + '_ {
    move |error| CoreError::io(what, error)
}

fn derive_key(passphrase: &str, encryption: &Encryption) -> CoreResult<[u8; 32]> {
    if encryption.kdf != "argon2id" || encryption.cipher != "xchacha20poly1305-stream-be32" {
        return Err(CoreError::InvalidInput(format!(
            "This bundle uses {} and {}, which this version of Fluxdesk cannot open.",
            encryption.kdf, encryption.cipher
        )));
    }
    if encryption.memory_kib > KDF_MEMORY_CAP_KIB || encryption.iterations > 16 || encryption.parallelism > 16
    {
        return Err(CoreError::InvalidInput(
            "This bundle asks for more memory or time to derive its key than Fluxdesk allows; the file may be crafted."
                .into(),
        ));
    }
    let salt = BASE64
        .decode(encryption.salt.as_bytes())
        .map_err(|_| CoreError::InvalidInput("The bundle's header is damaged (salt).".into()))?;
    let params = argon2::Params::new(
        encryption.memory_kib,
        encryption.iterations,
        encryption.parallelism,
        Some(32),
    )
    .map_err(|error| {
        CoreError::InvalidInput(format!("The bundle's key parameters are unusable: {error}."))
    })?;
    let mut key = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt, &mut key)
        .map_err(|error| CoreError::InvalidInput(format!("Cannot derive the bundle's key: {error}.")))?;
    Ok(key)
}

fn nonce_prefix(encryption: &Encryption) -> CoreResult<[u8; 19]> {
    BASE64
        .decode(encryption.nonce_prefix.as_bytes())
        .ok()
        .and_then(|bytes| <[u8; 19]>::try_from(bytes.as_slice()).ok())
        .ok_or_else(|| CoreError::InvalidInput("The bundle's header is damaged (nonce).".into()))
}

/// New encryption parameters (fresh salt and nonce prefix) for a bundle.
pub fn new_encryption() -> Encryption {
    let mut salt = [0u8; 16];
    let mut prefix = [0u8; 19];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut prefix);
    Encryption {
        kdf: "argon2id".into(),
        memory_kib: KDF_MEMORY_KIB,
        iterations: KDF_ITERATIONS,
        parallelism: KDF_PARALLELISM,
        salt: BASE64.encode(&salt),
        cipher: "xchacha20poly1305-stream-be32".into(),
        nonce_prefix: BASE64.encode(&prefix),
        chunk_bytes: CHUNK as u32,
    }
}

/// Where payload bytes go: straight out, or through STREAM encryption.
enum PayloadSink<W: Write> {
    Plain(W),
    Encrypted {
        out: W,
        encryptor: Option<EncryptorBE32<XChaCha20Poly1305>>,
        buffer: Vec<u8>,
        associated: Vec<u8>,
    },
}

impl<W: Write> PayloadSink<W> {
    fn write(&mut self, bytes: &[u8]) -> CoreResult<()> {
        match self {
            PayloadSink::Plain(out) => out.write_all(bytes).map_err(io_error("Cannot write the bundle")),
            PayloadSink::Encrypted {
                out,
                encryptor,
                buffer,
                associated,
            } => {
                buffer.extend_from_slice(bytes);
                // Keep at least one byte back: the last chunk must be sealed as last.
                while buffer.len() > CHUNK {
                    let chunk: Vec<u8> = buffer.drain(..CHUNK).collect();
                    let sealed = encryptor
                        .as_mut()
                        .expect("open until finished")
                        .encrypt_next(Payload {
                            msg: &chunk,
                            aad: associated,
                        })
                        .map_err(|_| CoreError::InvalidInput("Cannot encrypt the bundle.".into()))?;
                    out.write_all(&sealed)
                        .map_err(io_error("Cannot write the bundle"))?;
                }
                Ok(())
            }
        }
    }

    fn finish(self) -> CoreResult<W> {
        match self {
            PayloadSink::Plain(out) => Ok(out),
            PayloadSink::Encrypted {
                mut out,
                encryptor,
                buffer,
                associated,
            } => {
                let sealed = encryptor
                    .expect("open until finished")
                    .encrypt_last(Payload {
                        msg: &buffer,
                        aad: &associated,
                    })
                    .map_err(|_| CoreError::InvalidInput("Cannot encrypt the bundle.".into()))?;
                out.write_all(&sealed)
                    .map_err(io_error("Cannot write the bundle"))?;
                Ok(out)
            }
        }
    }
}

/// Writes a bundle event by event, holding only running totals in memory.
pub struct BundleWriter<W: Write> {
    sink: PayloadSink<W>,
    header_line: Vec<u8>,
    signing_key: SigningKey,
    events_digest: Sha256,
    count: u64,
    first_prev_hash: Option<String>,
    head_hash: Option<String>,
}

impl<W: Write> std::fmt::Debug for BundleWriter<W> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("BundleWriter")
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl<W: Write> BundleWriter<W> {
    /// Starts a bundle: writes the magic and header lines. With a passphrase,
    /// `header.encryption` must be set (see [`new_encryption`]).
    pub fn start(
        mut out: W,
        header: &BundleHeader,
        signing_key: SigningKey,
        passphrase: Option<&str>,
    ) -> CoreResult<Self> {
        let header_line = canonical_line(header)?;
        out.write_all(MAGIC)
            .map_err(io_error("Cannot write the bundle"))?;
        out.write_all(&header_line)
            .map_err(io_error("Cannot write the bundle"))?;
        let sink = match (&header.encryption, passphrase) {
            (None, None) => PayloadSink::Plain(out),
            (Some(encryption), Some(passphrase)) => {
                let key = derive_key(passphrase, encryption)?;
                let cipher = XChaCha20Poly1305::new((&key).into());
                let prefix = nonce_prefix(encryption)?;
                PayloadSink::Encrypted {
                    out,
                    encryptor: Some(EncryptorBE32::from_aead(cipher, (&prefix).into())),
                    buffer: Vec::with_capacity(CHUNK * 2),
                    associated: header_line.clone(),
                }
            }
            _ => {
                return Err(CoreError::InvalidInput(
                    "An encrypted bundle needs both its parameters and a passphrase.".into(),
                ));
            }
        };
        Ok(BundleWriter {
            sink,
            header_line,
            signing_key,
            events_digest: Sha256::new(),
            count: 0,
            first_prev_hash: None,
            head_hash: None,
        })
    }

    /// Adds the next event of the chain.
    pub fn push(&mut self, event: &ChainedEvent) -> CoreResult<()> {
        let line = canonical_line(event)?;
        self.events_digest.update(&line);
        self.sink.write(&line)?;
        if self.count == 0 {
            self.first_prev_hash = Some(event.prev_hash.clone());
        }
        self.head_hash = Some(event.hash.clone());
        self.count += 1;
        Ok(())
    }

    /// Events written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Signs and writes the trailer; returns the output and the trailer.
    pub fn finish(mut self) -> CoreResult<(W, Trailer)> {
        let mut trailer = Trailer {
            count: self.count,
            first_prev_hash: self.first_prev_hash.take(),
            head_hash: self.head_hash.take(),
            events_sha256: hex::encode(self.events_digest.finalize_reset()),
            signature: String::new(),
        };
        let signature = self
            .signing_key
            .sign(&signed_message(&self.header_line, &trailer));
        trailer.signature = BASE64.encode(&signature.to_bytes());
        self.sink.write(&canonical_line(&TrailerLine {
            trailer: trailer.clone(),
        })?)?;
        let mut out = self.sink.finish()?;
        out.flush().map_err(io_error("Cannot write the bundle"))?;
        Ok((out, trailer))
    }
}

/// Payload bytes, decrypted when needed, chunk by chunk.
enum PayloadSource<R: Read> {
    Plain(R),
    Encrypted {
        input: BufReader<R>,
        decryptor: Option<DecryptorBE32<XChaCha20Poly1305>>,
        associated: Vec<u8>,
        plain: Vec<u8>,
        position: usize,
    },
}

impl<R: Read> Read for PayloadSource<R> {
    fn read(&mut self, into: &mut [u8]) -> std::io::Result<usize> {
        match self {
            PayloadSource::Plain(input) => input.read(into),
            PayloadSource::Encrypted {
                input,
                decryptor,
                associated,
                plain,
                position,
            } => {
                while *position >= plain.len() {
                    let Some(open) = decryptor.as_mut() else {
                        return Ok(0);
                    };
                    let mut sealed = Vec::with_capacity(CHUNK + TAG);
                    input
                        .by_ref()
                        .take((CHUNK + TAG) as u64)
                        .read_to_end(&mut sealed)?;
                    let last = sealed.len() < CHUNK + TAG || input.fill_buf()?.is_empty();
                    let payload = Payload {
                        msg: &sealed,
                        aad: associated,
                    };
                    let opened = if last {
                        decryptor.take().expect("checked above").decrypt_last(payload)
                    } else {
                        open.decrypt_next(payload)
                    };
                    *plain = opened.map_err(|_| {
                        std::io::Error::new(std::io::ErrorKind::InvalidData, "the payload does not decrypt")
                    })?;
                    *position = 0;
                }
                let count = into.len().min(plain.len() - *position);
                into[..count].copy_from_slice(&plain[*position..*position + count]);
                *position += count;
                Ok(count)
            }
        }
    }
}

/// A bundle opened for reading: its header, then its payload line by line.
pub struct BundleReader<R: Read> {
    /// The header.
    pub header: BundleHeader,
    header_line: Vec<u8>,
    payload: BufReader<PayloadSource<BufReader<R>>>,
}

impl<R: Read> std::fmt::Debug for BundleReader<R> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("BundleReader")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

/// One line of a bundle's payload.
#[derive(Debug)]
pub enum PayloadLine {
    /// An event, as written.
    Event(Box<ChainedEvent>, Vec<u8>),
    /// The trailer.
    Trailer(Trailer),
    /// A line that is neither: its text, cut short.
    Unreadable(String),
}

impl<R: Read> BundleReader<R> {
    /// Opens a bundle; an encrypted one needs its passphrase.
    pub fn open(input: R, passphrase: Option<&str>) -> CoreResult<Self> {
        let mut input = BufReader::new(input);
        let mut magic = vec![0u8; MAGIC.len()];
        if input.read_exact(&mut magic).is_err() || magic != MAGIC {
            return Err(CoreError::InvalidInput(
                "This is not a Fluxdesk audit bundle (it does not start with FXAUDIT 1).".into(),
            ));
        }
        let mut header_line = Vec::new();
        input
            .by_ref()
            .take(1024 * 1024)
            .read_until(b'\n', &mut header_line)
            .map_err(io_error("Cannot read the bundle"))?;
        let header: BundleHeader = serde_json::from_slice(&header_line)
            .map_err(|_| CoreError::InvalidInput("The bundle's header is damaged.".into()))?;
        if header.format != FORMAT || header.version != VERSION {
            return Err(CoreError::InvalidInput(format!(
                "This bundle is {} version {}; this Fluxdesk reads {FORMAT} version {VERSION}.",
                header.format, header.version
            )));
        }
        let source = match (&header.encryption, passphrase) {
            (None, _) => PayloadSource::Plain(input),
            (Some(_), None) => {
                return Err(CoreError::InvalidInput(
                    "This bundle is encrypted: enter its passphrase.".into(),
                ));
            }
            (Some(encryption), Some(passphrase)) => {
                let key = derive_key(passphrase, encryption)?;
                let cipher = XChaCha20Poly1305::new((&key).into());
                let prefix = nonce_prefix(encryption)?;
                PayloadSource::Encrypted {
                    input: BufReader::with_capacity(CHUNK + TAG, input),
                    decryptor: Some(DecryptorBE32::from_aead(cipher, (&prefix).into())),
                    associated: header_line.clone(),
                    plain: Vec::new(),
                    position: 0,
                }
            }
        };
        let mut reader = BundleReader {
            header,
            header_line,
            payload: BufReader::new(source),
        };
        // A wrong passphrase fails on the first chunk: say so before anything else.
        if reader.header.encryption.is_some() {
            reader.payload.fill_buf().map_err(|_| {
                CoreError::InvalidInput(
                    "Wrong passphrase, or the bundle is damaged: its contents do not decrypt.".into(),
                )
            })?;
        }
        Ok(reader)
    }

    /// The next payload line; none at the end of the file.
    pub fn next_line(&mut self) -> CoreResult<Option<PayloadLine>> {
        let unreadable = |error: std::io::Error| {
            if error.kind() == std::io::ErrorKind::InvalidData {
                CoreError::InvalidInput(
                    "The bundle is damaged or was cut short: part of its contents does not decrypt.".into(),
                )
            } else {
                CoreError::io("Cannot read the bundle", error)
            }
        };
        let mut line = Vec::new();
        let read = (&mut self.payload)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .map_err(unreadable)?;
        if read == 0 {
            return Ok(None);
        }
        if line.len() >= MAX_LINE && line.last() != Some(&b'\n') {
            // A crafted line never fills memory: skip the rest of it.
            let mut rest = Vec::new();
            loop {
                rest.clear();
                let more = (&mut self.payload)
                    .take(MAX_LINE as u64)
                    .read_until(b'\n', &mut rest)
                    .map_err(unreadable)?;
                if more == 0 || rest.last() == Some(&b'\n') {
                    break;
                }
            }
            return Ok(Some(PayloadLine::Unreadable(format!(
                "a line longer than {} MiB",
                MAX_LINE / (1024 * 1024)
            ))));
        }
        if line.starts_with(b"{\"trailer\":")
            && let Ok(trailer) = serde_json::from_slice::<TrailerLine>(&line)
        {
            return Ok(Some(PayloadLine::Trailer(trailer.trailer)));
        }
        Ok(Some(match serde_json::from_slice::<ChainedEvent>(&line) {
            Ok(event) => PayloadLine::Event(Box::new(event), line),
            Err(_) => PayloadLine::Unreadable(String::from_utf8_lossy(&line).chars().take(80).collect()),
        }))
    }

    /// The header line's bytes, as signed.
    pub fn header_line(&self) -> &[u8] {
        &self.header_line
    }
}

/// What verifying a bundle found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleVerification {
    /// Events read.
    pub events: u64,
    /// The first bad position (1-based, in the file's order) and what is wrong there.
    pub first_problem: Option<(u64, String)>,
    /// The trailer's signature checks with the header's key.
    pub signature_valid: bool,
    /// The signer's public key (base64).
    pub signer_public_key: String,
    /// Whether that key is one the reviewer pinned (none when nothing was pinned).
    pub key_pinned: Option<bool>,
}

impl BundleVerification {
    /// Everything holds: every event, the signature, and the pinned key if any.
    pub fn is_intact(&self) -> bool {
        self.first_problem.is_none() && self.signature_valid && self.key_pinned != Some(false)
    }
}

/// Reads a whole bundle and checks every event's hash and link, the trailer
/// and the signature, with flat memory. `pinned` keys (base64) are the ones
/// the reviewer trusts; empty trusts the bundle's own key.
pub fn verify<R: Read>(reader: BundleReader<R>, pinned: &[String]) -> CoreResult<BundleVerification> {
    verify_visiting(reader, pinned, |_| Ok(()))
}

/// [`verify`], handing each readable event to `visit` in file order, so a
/// review can keep them without reading the file twice. An error from
/// `visit` (such as a cancel) stops the reading.
pub fn verify_visiting<R: Read>(
    mut reader: BundleReader<R>,
    pinned: &[String],
    mut visit: impl FnMut(ChainedEvent) -> CoreResult<()>,
) -> CoreResult<BundleVerification> {
    let mut events = 0u64;
    let mut problem: Option<(u64, String)> = None;
    let mut digest = Sha256::new();
    let mut first_prev: Option<String> = None;
    let mut previous: Option<(i64, String)> = None;
    let mut trailer: Option<Trailer> = None;
    // The earliest position wins, whichever check finds it.
    let note = |problem: &mut Option<(u64, String)>, at: u64, what: String| {
        if problem.as_ref().is_none_or(|(earliest, _)| at < *earliest) {
            *problem = Some((at, what));
        }
    };
    loop {
        let line = match reader.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            // Contents that stop decrypting partway: altered or cut short there.
            Err(CoreError::InvalidInput(text)) => {
                note(&mut problem, events + 1, text);
                break;
            }
            Err(error) => return Err(error),
        };
        if trailer.is_some() {
            note(&mut problem, events + 1, "there is more after the trailer".into());
            break;
        }
        match line {
            PayloadLine::Trailer(found) => trailer = Some(found),
            PayloadLine::Unreadable(text) => {
                events += 1;
                note(
                    &mut problem,
                    events,
                    format!("position {events} is not an event: \"{text}\""),
                );
            }
            PayloadLine::Event(event, bytes) => {
                events += 1;
                digest.update(&bytes);
                if events == 1 {
                    first_prev = Some(event.prev_hash.clone());
                }
                if let Some((seq, hash)) = &previous {
                    if event.seq <= *seq {
                        note(
                            &mut problem,
                            events,
                            format!(
                                "event {} comes after event {seq}: the order was changed",
                                event.seq
                            ),
                        );
                    } else if &event.prev_hash != hash {
                        note(
                            &mut problem,
                            events,
                            format!(
                                "event {} does not follow event {seq}: an event was removed, inserted or moved here",
                                event.seq
                            ),
                        );
                    }
                }
                if event.recomputed_hash()? != event.hash {
                    note(&mut problem, events, format!("event {} was altered", event.seq));
                }
                previous = Some((event.seq, event.hash.clone()));
                visit(*event)?;
            }
        }
    }
    let signer_public_key = reader.header.signer_public_key.clone();
    let key_pinned = (!pinned.is_empty()).then(|| pinned.iter().any(|key| key.trim() == signer_public_key));
    let Some(trailer) = trailer else {
        note(
            &mut problem,
            events + 1,
            format!("the bundle ends after {events} events without its trailer: it was cut short"),
        );
        return Ok(BundleVerification {
            events,
            first_problem: problem,
            signature_valid: false,
            signer_public_key,
            key_pinned,
        });
    };
    if trailer.count != events {
        note(
            &mut problem,
            events.min(trailer.count) + 1,
            format!(
                "the bundle holds {events} events but was written with {}",
                trailer.count
            ),
        );
    }
    if trailer.first_prev_hash != first_prev {
        note(
            &mut problem,
            1,
            "the first events were removed or replaced".into(),
        );
    }
    // Missing events are missing from just after the last one read.
    let tail_at = if events < trailer.count {
        events + 1
    } else {
        events
    };
    if trailer.head_hash != previous.map(|(_, hash)| hash) {
        note(
            &mut problem,
            tail_at,
            "the last events were removed or replaced".into(),
        );
    }
    if trailer.events_sha256 != hex::encode(digest.finalize()) {
        note(
            &mut problem,
            tail_at,
            "the events' bytes differ from the signed ones".into(),
        );
    }
    let signature_valid = (|| {
        let key = <[u8; 32]>::try_from(BASE64.decode(signer_public_key.as_bytes()).ok()?.as_slice()).ok()?;
        let key = VerifyingKey::from_bytes(&key).ok()?;
        let signature =
            <[u8; 64]>::try_from(BASE64.decode(trailer.signature.as_bytes()).ok()?.as_slice()).ok()?;
        key.verify_strict(
            &signed_message(reader.header_line(), &trailer),
            &Signature::from_bytes(&signature),
        )
        .ok()
    })()
    .is_some();
    Ok(BundleVerification {
        events,
        first_problem: problem,
        signature_valid,
        signer_public_key,
        key_pinned,
    })
}

/// A new signing key (per install; kept in the OS keyring by its caller).
pub fn new_signing_key() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

/// The public key of `key`, base64, as bundles carry it.
pub fn public_key_text(key: &SigningKey) -> String {
    BASE64.encode(key.verifying_key().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::GENESIS_HASH;
    use serde_json::json;

    fn chain(count: i64) -> Vec<ChainedEvent> {
        let mut previous = GENESIS_HASH.to_owned();
        (1..=count)
            .map(|seq| {
                let mut event = ChainedEvent {
                    seq,
                    occurred_at: format!("2026-11-24T10:{:02}:00.000000Z", seq % 60),
                    admin_id: Some("d0000000-0000-4000-8000-000000000001".into()),
                    admin_email: Some("admin@fluxdesk.demo".into()),
                    instance: "demo".into(),
                    action: if seq % 3 == 0 { "user.lock" } else { "data.update" }.into(),
                    target: Some(format!("user{seq}@example.com")),
                    details: json!({ "n": seq, "note": "ünïcode \n newline" }),
                    outcome: "success".into(),
                    client_version: "fluxdesk-test".into(),
                    prev_hash: previous.clone(),
                    hash: String::new(),
                };
                event.hash = event.recomputed_hash().unwrap();
                previous = event.hash.clone();
                event
            })
            .collect()
    }

    fn header(key: &SigningKey, encryption: Option<Encryption>) -> BundleHeader {
        BundleHeader {
            format: FORMAT.into(),
            version: VERSION,
            client: "fluxdesk-test".into(),
            instance: InstanceIdentity {
                name: "demo".into(),
                address: "localhost/fluxdesk_demo".into(),
                system_identifier: Some("7300000000000000000".into()),
                layout: "dashboard".into(),
            },
            export: ExportParameters {
                since: None,
                until: None,
                exported_by: Some("admin@fluxdesk.demo".into()),
                exported_at: "2026-11-24T12:00:00Z".into(),
            },
            signer_public_key: public_key_text(key),
            encryption,
        }
    }

    fn fast_encryption() -> Encryption {
        // Tests keep the KDF cheap; the format stores whatever was used.
        Encryption {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            ..new_encryption()
        }
    }

    fn bundle(events: &[ChainedEvent], key: &SigningKey, passphrase: Option<&str>) -> Vec<u8> {
        let encryption = passphrase.map(|_| fast_encryption());
        let mut writer =
            BundleWriter::start(Vec::new(), &header(key, encryption), key.clone(), passphrase).unwrap();
        for event in events {
            writer.push(event).unwrap();
        }
        writer.finish().unwrap().0
    }

    fn check(bytes: &[u8], passphrase: Option<&str>, pinned: &[String]) -> BundleVerification {
        verify(BundleReader::open(bytes, passphrase).unwrap(), pinned).unwrap()
    }

    /// Rewrites the plain payload's event lines with `change`, keeping the trailer.
    fn tampered(bytes: &[u8], change: impl FnOnce(&mut Vec<String>)) -> Vec<u8> {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let trailer = lines.pop().unwrap();
        let mut events = lines.split_off(2);
        change(&mut events);
        lines.extend(events);
        lines.push(trailer);
        format!("{}\n", lines.join("\n")).into_bytes()
    }

    #[test]
    fn an_intact_bundle_verifies_plain_and_encrypted_with_its_pinned_key() {
        let key = new_signing_key();
        let events = chain(300);
        for passphrase in [None, Some("correct horse battery staple")] {
            let bytes = bundle(&events, &key, passphrase);
            let verification = check(&bytes, passphrase, &[public_key_text(&key)]);
            assert!(verification.is_intact(), "{verification:?}");
            assert_eq!(verification.events, 300);
            assert_eq!(verification.key_pinned, Some(true));
        }
    }

    #[test]
    fn each_kind_of_tampering_is_found_at_its_position() {
        let key = new_signing_key();
        let bytes = bundle(&chain(50), &key, None);
        let edit = |events: &mut Vec<String>| events[9] = events[9].replace("user10@", "mallory@");
        let cases: Vec<(&str, Vec<u8>, u64)> = vec![
            ("edited", tampered(&bytes, edit), 10),
            ("deleted", tampered(&bytes, |events| drop(events.remove(20))), 21),
            (
                "inserted",
                tampered(&bytes, |events| {
                    let copy = events[5].clone();
                    events.insert(30, copy);
                }),
                31,
            ),
            ("reordered", tampered(&bytes, |events| events.swap(40, 41)), 41),
            ("truncated", tampered(&bytes, |events| events.truncate(45)), 46),
            (
                "first removed",
                tampered(&bytes, |events| drop(events.remove(0))),
                1,
            ),
        ];
        for (what, bytes, at) in cases {
            let verification = check(&bytes, None, &[]);
            assert!(!verification.is_intact(), "{what}");
            assert_eq!(
                verification.first_problem.as_ref().map(|p| p.0),
                Some(at),
                "{what}: {verification:?}"
            );
        }
        // A cut-off file without its trailer.
        let cut = &bytes[..bytes.len() / 2];
        let cut = &cut[..cut.iter().rposition(|b| *b == b'\n').unwrap() + 1];
        let verification = check(cut, None, &[]);
        assert!(verification.first_problem.unwrap().1.contains("cut short"));
    }

    #[test]
    fn a_chain_rewritten_with_fresh_hashes_fails_the_signature_and_a_foreign_key_is_not_pinned() {
        let key = new_signing_key();
        let mut events = chain(20);
        let original = bundle(&events, &key, None);
        // Forge: edit an event and re-hash everything after it, keeping the trailer.
        events[4].target = Some("forged@example.com".into());
        let mut previous = events[3].hash.clone();
        for event in events.iter_mut().skip(4) {
            event.prev_hash = previous.clone();
            event.hash = event.recomputed_hash().unwrap();
            previous = event.hash.clone();
        }
        // Rewritten whole, trailer included, by someone without the key: every
        // hash and link holds, only the signature tells.
        let attacker = new_signing_key();
        let mut writer = BundleWriter::start(Vec::new(), &header(&key, None), attacker, None).unwrap();
        for event in &events {
            writer.push(event).unwrap();
        }
        let forged = writer.finish().unwrap().0;
        assert_ne!(forged, original);
        let verification = check(&forged, None, &[]);
        assert_eq!(verification.first_problem, None, "the chain itself is consistent");
        assert!(!verification.signature_valid);
        assert!(!verification.is_intact());
        // A signature swapped in from another bundle of the same key.
        let donor = bundle(&chain(21), &key, None);
        let signature_of = |bytes: &[u8]| {
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            let trailer: TrailerLine = serde_json::from_str(text.lines().last().unwrap()).unwrap();
            trailer.trailer.signature
        };
        let original_text = String::from_utf8(original.clone()).unwrap();
        let swapped = original_text.replace(&signature_of(&original), &signature_of(&donor));
        assert_ne!(swapped, original_text);
        let verification = check(swapped.as_bytes(), None, &[public_key_text(&key)]);
        assert_eq!(verification.first_problem, None);
        assert!(!verification.signature_valid, "a swapped signature fails");
        assert!(!verification.is_intact());
        // Signed by another install: valid, but not the pinned key.
        let other = new_signing_key();
        let verification = check(&bundle(&chain(5), &other, None), None, &[public_key_text(&key)]);
        assert!(verification.signature_valid);
        assert_eq!(verification.key_pinned, Some(false));
        assert!(!verification.is_intact());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Arbitrary bytes, and bundles with arbitrary bytes spliced in,
        /// give an answer or an error, never a panic.
        #[test]
        fn the_parser_never_panics(
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            at in 0usize..4096,
        ) {
            let _ = BundleReader::open(noise.as_slice(), None).and_then(|reader| verify(reader, &[]));
            let mut spliced = FUZZ_BASE.with(|base| base.clone());
            let at = at.min(spliced.len());
            spliced.splice(at..(at + noise.len() / 4).min(spliced.len()), noise.iter().copied());
            let _ = BundleReader::open(spliced.as_slice(), None).and_then(|reader| verify(reader, &[]));
            let _ = BundleReader::open(spliced.as_slice(), Some("pass")).and_then(|reader| verify(reader, &[]));
        }
    }

    thread_local! {
        static FUZZ_BASE: Vec<u8> = bundle(&chain(12), &new_signing_key(), None);
    }

    #[test]
    fn a_wrong_passphrase_or_damaged_ciphertext_is_a_clear_error_never_a_panic() {
        let key = new_signing_key();
        let bytes = bundle(&chain(2000), &key, Some("right"));
        let wrong = BundleReader::open(bytes.as_slice(), Some("wrong")).unwrap_err();
        assert!(wrong.to_string().contains("Wrong passphrase"), "{wrong}");
        let missing = BundleReader::open(bytes.as_slice(), None).unwrap_err();
        assert!(missing.to_string().contains("passphrase"), "{missing}");
        // Cut the encrypted file short: the last chunk check fails.
        let cut = &bytes[..bytes.len() - 100];
        let outcome = BundleReader::open(cut, Some("right")).and_then(|reader| verify(reader, &[]));
        match outcome {
            Err(error) => assert!(
                error.to_string().contains("cut short") || error.to_string().contains("damaged"),
                "{error}"
            ),
            Ok(verification) => assert!(!verification.is_intact()),
        }
        assert!(
            BundleReader::open(&b"PK\x03\x04 not a bundle"[..], None)
                .unwrap_err()
                .to_string()
                .contains("not a Fluxdesk audit bundle")
        );
    }
}
