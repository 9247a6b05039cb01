//! Personal data at rest: values are sealed with AES-256-GCM before they reach the store, and ID
//! numbers get a keyed lookup hash so that a UNIQUE index can find them without holding them in
//! clear. Two keys, because a leaked lookup key must not decrypt anything and rotating the
//! encryption key must not change the index.
//!
//! Sealed form: `v1.` + base64url(nonce (12 bytes) | ciphertext | tag (16 bytes)); the version
//! prefix leaves room for a later key or algorithm. The associated data (`account:42:id_number`)
//! is not stored: the caller passes the row and column again on opening, so a ciphertext copied
//! into another row or column does not open.

use std::{
    fs::File,
    io::{ErrorKind, Write},
    path::Path,
    sync::Arc,
    time::Duration,
};

use anyhow::{Context, anyhow, bail};
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use hmac::{Hmac, Mac};
use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::IdentityConfig;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const VERSION_PREFIX: &str = "v1.";
/// Where generated keys live when the configuration has none.
const KEY_FILE: &str = "identity.key";
/// How long to wait for another process that has just created the key file to finish writing it.
const KEY_FILE_WAIT: Duration = Duration::from_millis(25);
const KEY_FILE_ATTEMPTS: u32 = 40;

/// Seals and opens personal data and computes lookup hashes. Clones share the keys.
#[derive(Clone)]
pub struct Vault {
    keys: Arc<Keys>,
}

struct Keys {
    encryption: [u8; KEY_LEN],
    lookup: [u8; KEY_LEN],
}

/// `<data_dir>/identity.key`: both keys in base64.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    encryption_key: String,
    lookup_key: String,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").finish_non_exhaustive()
    }
}

impl Vault {
    pub fn new(encryption_key: [u8; KEY_LEN], lookup_key: [u8; KEY_LEN]) -> Vault {
        Vault {
            keys: Arc::new(Keys {
                encryption: encryption_key,
                lookup: lookup_key,
            }),
        }
    }

    /// Keys from the configuration; a key left empty there comes from `<data_dir>/identity.key`,
    /// which is generated on first run (good for development, not for production: losing the
    /// file loses the data, and every instance needs the same keys).
    pub fn from_config(config: &IdentityConfig, data_dir: &Path) -> anyhow::Result<Vault> {
        let encryption = decode_key(
            config.encryption_key.expose_secret(),
            "identity.encryption_key",
        )?;
        let lookup = decode_key(config.lookup_key.expose_secret(), "identity.lookup_key")?;
        if let (Some(encryption), Some(lookup)) = (encryption, lookup) {
            return Ok(Vault::new(encryption, lookup));
        }
        let path = data_dir.join(KEY_FILE);
        let from_file = load_or_create_key_file(&path)?;
        tracing::warn!(
            path = %path.display(),
            "identity keys come from a local key file; production must configure \
             identity.encryption_key and identity.lookup_key"
        );
        Ok(Vault::new(
            encryption.unwrap_or(from_file.encryption),
            lookup.unwrap_or(from_file.lookup),
        ))
    }

    /// Encrypts `plaintext`, bound to `aad` (the row and column it is stored in, such as
    /// `account:42:id_number`). Two seals of the same text differ (random nonce).
    ///
    /// # Panics
    ///
    /// Only if OpenSSL cannot produce random bytes or run AES-GCM, which leaves no safe way on.
    pub fn seal(&self, plaintext: &str, aad: &str) -> String {
        let mut nonce = [0_u8; NONCE_LEN];
        let mut tag = [0_u8; TAG_LEN];
        let encrypted = openssl::rand::rand_bytes(&mut nonce).and_then(|()| {
            encrypt_aead(
                Cipher::aes_256_gcm(),
                &self.keys.encryption,
                Some(&nonce),
                aad.as_bytes(),
                plaintext.as_bytes(),
                &mut tag,
            )
        });
        let ciphertext = match encrypted {
            Ok(ciphertext) => ciphertext,
            Err(err) => panic!("OpenSSL failed to seal a value: {err}"),
        };
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len() + TAG_LEN);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed.extend_from_slice(&tag);
        format!("{VERSION_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    /// Decrypts what [`Vault::seal`] produced with the same `aad`. Fails on another key, another
    /// `aad` or any changed byte.
    pub fn open(&self, sealed: &str, aad: &str) -> anyhow::Result<String> {
        let encoded = sealed
            .strip_prefix(VERSION_PREFIX)
            .context("the sealed value has an unknown version")?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .context("the sealed value is not base64url")?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            bail!("the sealed value is too short");
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let plaintext = decrypt_aead(
            Cipher::aes_256_gcm(),
            &self.keys.encryption,
            Some(nonce),
            aad.as_bytes(),
            ciphertext,
            tag,
        )
        .map_err(|_| anyhow!("the sealed value does not open with this key for {aad}"))?;
        String::from_utf8(plaintext).context("the sealed value is not UTF-8")
    }

    /// Hex HMAC-SHA256 of `value` under the lookup key: equal values give equal hashes, so a
    /// UNIQUE index works, but the value cannot be recovered or guessed without the key. Pass
    /// canonical values (`IdNumber::as_str`), since `x` and `X` hash differently.
    pub fn lookup_hash(&self, value: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.keys.lookup) else {
            unreachable!("HMAC takes keys of any length")
        };
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// A configured key: `None` when empty, an error unless it is base64 of exactly 32 bytes.
fn decode_key(base64_key: &str, name: &str) -> anyhow::Result<Option<[u8; KEY_LEN]>> {
    let base64_key = base64_key.trim();
    if base64_key.is_empty() {
        return Ok(None);
    }
    let bytes = STANDARD
        .decode(base64_key)
        .with_context(|| format!("{name} is not base64"))?;
    let len = bytes.len();
    let key = <[u8; KEY_LEN]>::try_from(bytes)
        .map_err(|_| anyhow!("{name} must be {KEY_LEN} bytes, not {len}"))?;
    Ok(Some(key))
}

fn random_key() -> anyhow::Result<[u8; KEY_LEN]> {
    let mut key = [0_u8; KEY_LEN];
    openssl::rand::rand_bytes(&mut key).context("generating a random identity key")?;
    Ok(key)
}

/// Creates the key file with fresh keys unless it exists. `create_new` makes creation atomic:
/// when two processes start together, one writes and the other reads what was written.
fn load_or_create_key_file(path: &Path) -> anyhow::Result<Keys> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let keys = Keys {
        encryption: random_key()?,
        lookup: random_key()?,
    };
    let mut file = match create_private(path) {
        Ok(file) => file,
        Err(err) if err.kind() == ErrorKind::AlreadyExists => return read_key_file(path),
        Err(err) => {
            return Err(err).with_context(|| format!("cannot create {}", path.display()));
        }
    };
    let contents = serde_json::to_vec(&KeyFile {
        encryption_key: STANDARD.encode(keys.encryption),
        lookup_key: STANDARD.encode(keys.lookup),
    })
    .context("encoding the identity key file")?;
    file.write_all(&contents)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tracing::warn!(path = %path.display(), "generated new identity keys");
    Ok(keys)
}

/// Opens a new file readable by its owner only.
fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Reads the key file, waiting briefly while it is empty or half-written by a racing process.
fn read_key_file(path: &Path) -> anyhow::Result<Keys> {
    let mut attempt = 1;
    loop {
        let contents =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        match parse_key_file(&contents) {
            Ok(keys) => return Ok(keys),
            Err(_) if attempt < KEY_FILE_ATTEMPTS => {
                attempt += 1;
                std::thread::sleep(KEY_FILE_WAIT);
            }
            Err(err) => return Err(err.context(format!("{} is broken", path.display()))),
        }
    }
}

fn parse_key_file(contents: &[u8]) -> anyhow::Result<Keys> {
    let file: KeyFile = serde_json::from_slice(contents)
        .map_err(|_| anyhow!("it is not a JSON object with both keys"))?;
    let encryption = decode_key(&file.encryption_key, "encryption_key")?;
    let lookup = decode_key(&file.lookup_key, "lookup_key")?;
    match (encryption, lookup) {
        (Some(encryption), Some(lookup)) => Ok(Keys { encryption, lookup }),
        _ => bail!("a key is empty"),
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    fn vault() -> Vault {
        Vault::new([7; KEY_LEN], [9; KEY_LEN])
    }

    fn unconfigured() -> IdentityConfig {
        IdentityConfig::default()
    }

    #[test]
    fn a_sealed_value_opens_with_the_same_aad() {
        let vault = vault();
        for text in ["11010519491231002X", "阿依古丽·艾合买提", "ئايگۈل", ""] {
            let sealed = vault.seal(text, "account:42:id_number");
            assert!(sealed.starts_with("v1."), "{sealed}");
            assert!(!sealed.contains(text) || text.is_empty());
            assert_eq!(
                vault.open(&sealed, "account:42:id_number").expect("opens"),
                text
            );
        }
    }

    #[test]
    fn a_sealed_value_does_not_open_with_another_aad_or_key() {
        let sealed = vault().seal("13712349050", "account:42:phone");
        assert!(vault().open(&sealed, "account:43:phone").is_err());
        assert!(vault().open(&sealed, "account:42:name").is_err());
        let other = Vault::new([8; KEY_LEN], [9; KEY_LEN]);
        assert!(other.open(&sealed, "account:42:phone").is_err());
    }

    #[test]
    fn any_tampered_byte_makes_opening_fail() {
        let vault = vault();
        let sealed = vault.seal("王建华", "account:1:name");
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed.trim_start_matches("v1."))
            .expect("base64url");
        for position in [0, NONCE_LEN, bytes.len() - 1] {
            let mut tampered = bytes.clone();
            tampered[position] ^= 0x01;
            let tampered = format!("v1.{}", URL_SAFE_NO_PAD.encode(tampered));
            assert!(
                vault.open(&tampered, "account:1:name").is_err(),
                "{position}"
            );
        }
        assert!(
            vault
                .open(&sealed[..sealed.len() - 4], "account:1:name")
                .is_err()
        );
        assert!(vault.open("v1.AAAA", "account:1:name").is_err());
        assert!(
            vault
                .open(&sealed.replacen("v1.", "v2.", 1), "account:1:name")
                .is_err()
        );
    }

    #[test]
    fn two_seals_of_the_same_text_differ() {
        let vault = vault();
        assert_ne!(vault.seal("王建华", "a"), vault.seal("王建华", "a"));
    }

    #[test]
    fn the_lookup_hash_is_stable_and_depends_on_the_key() {
        let hash = vault().lookup_hash("11010519491231002X");
        assert_eq!(hash, vault().lookup_hash("11010519491231002X"));
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, vault().lookup_hash("440524188001010014"));
        let other = Vault::new([7; KEY_LEN], [10; KEY_LEN]);
        assert_ne!(hash, other.lookup_hash("11010519491231002X"));
    }

    #[test]
    fn debug_does_not_print_the_keys() {
        let printed = format!("{:?}", vault());
        assert_eq!(printed, "Vault { .. }");
    }

    #[test]
    fn configured_keys_are_used_and_no_key_file_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = IdentityConfig {
            encryption_key: SecretString::from(STANDARD.encode([7; KEY_LEN])),
            lookup_key: SecretString::from(STANDARD.encode([9; KEY_LEN])),
        };
        let configured = Vault::from_config(&config, dir.path()).expect("vault");
        let sealed = vault().seal("x", "a");
        assert_eq!(configured.open(&sealed, "a").expect("opens"), "x");
        assert_eq!(configured.lookup_hash("x"), vault().lookup_hash("x"));
        assert!(!dir.path().join(KEY_FILE).exists());
    }

    #[test]
    fn configured_keys_that_are_not_32_bytes_of_base64_are_rejected() {
        let dir = tempfile::tempdir().expect("tempdir");
        for bad in [
            STANDARD.encode([1; 16]),
            STANDARD.encode([1; 33]),
            "not base64!".into(),
        ] {
            let config = IdentityConfig {
                encryption_key: SecretString::from(bad.clone()),
                lookup_key: SecretString::from(STANDARD.encode([9; KEY_LEN])),
            };
            let err = Vault::from_config(&config, dir.path()).expect_err(&bad);
            assert!(err.to_string().contains("identity.encryption_key"), "{err}");
        }
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = dir.path().join("var");
        let first = Vault::from_config(&unconfigured(), &data_dir).expect("first");
        let path = data_dir.join(KEY_FILE);
        let written = std::fs::read(&path).expect("key file");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let second = Vault::from_config(&unconfigured(), &data_dir).expect("second");

        assert_eq!(std::fs::read(&path).expect("key file"), written);
        let sealed = first.seal("阿斯亚·尤力亚斯", "account:7:name");
        assert_eq!(
            second.open(&sealed, "account:7:name").expect("opens"),
            "阿斯亚·尤力亚斯"
        );
        assert_eq!(first.lookup_hash("x"), second.lookup_hash("x"));
    }

    #[test]
    fn processes_starting_together_end_up_with_the_same_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        let starts: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Vault::from_config(&unconfigured(), &path))
            })
            .collect();
        let hashes: Vec<String> = starts
            .into_iter()
            .map(|start| {
                start
                    .join()
                    .expect("thread")
                    .expect("vault")
                    .lookup_hash("x")
            })
            .collect();
        assert!(hashes.iter().all(|hash| *hash == hashes[0]), "{hashes:?}");
    }

    #[test]
    fn an_existing_key_file_is_read_not_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let contents = serde_json::json!({
            "encryption_key": STANDARD.encode([7; KEY_LEN]),
            "lookup_key": STANDARD.encode([9; KEY_LEN]),
        });
        std::fs::write(dir.path().join(KEY_FILE), contents.to_string()).expect("write");

        let from_file = Vault::from_config(&unconfigured(), dir.path()).expect("vault");

        assert_eq!(from_file.lookup_hash("x"), vault().lookup_hash("x"));
        let sealed = vault().seal("x", "a");
        assert_eq!(from_file.open(&sealed, "a").expect("opens"), "x");
    }

    #[test]
    fn a_configured_key_wins_over_the_key_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = IdentityConfig {
            encryption_key: SecretString::from(""),
            lookup_key: SecretString::from(STANDARD.encode([10; KEY_LEN])),
        };
        let vault = Vault::from_config(&config, dir.path()).expect("vault");
        assert!(dir.path().join(KEY_FILE).exists());
        let expected = Vault::new([0; KEY_LEN], [10; KEY_LEN]);
        assert_eq!(vault.lookup_hash("x"), expected.lookup_hash("x"));
    }

    #[test]
    fn a_broken_key_file_is_an_error_that_names_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(KEY_FILE), "{\"encryption_key\": \"AAAA\"").expect("write");
        let err = Vault::from_config(&unconfigured(), dir.path()).expect_err("broken");
        assert!(format!("{err:#}").contains(KEY_FILE), "{err:#}");
    }
}
