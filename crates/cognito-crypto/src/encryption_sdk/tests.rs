//! Published vectors first: the "AWS Encryption SDK - Message Format V2 Test Vectors"
//! (2020-09-18) that the AWS Encryption SDK for JavaScript checks its decryption against
//! (`modules/decrypt-node/test/fixtures.ts`, `compatibilityVectors`), each with its
//! decrypted data key, commitment key and plaintext; the numbers are the vectors'. Only
//! the unsigned suite `0x0478`'s are used. Then round trips and tampering.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::*;

fn b64(s: &str) -> Vec<u8> {
    STANDARD.decode(s).unwrap()
}

fn key32(s: &str) -> [u8; 32] {
    b64(s).try_into().unwrap()
}

/// One vector: the message, the data key, and what it opens to (or the failure).
struct Vector {
    name: &'static str,
    ciphertext: &'static str,
    data_key: &'static str,
    context: &'static [(&'static str, &'static str)],
    expect: Result<&'static str, DecryptError>,
}

const ZERO_KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
const EXAMPLE_KEY: &str = "Sfdon2EodFWiGY6ITvIDJZXhzKZPj2IQCi+1x/tw2ho=";

const VECTOR_1: &str = "AgR4TfvRMU2dVZJbgXIyxeNtbj5eIw8BiTDiwsHyQ/Z9wXkAAAABAAxQcm92aWRlck5hbWUAGUtleUlkAAAAgAAAAAz45sc3cDvJZ7D4P3sAMKE7d/w8ziQt2C0qHsy1Qu2E2q92eIGE/kLnF/Y003HKvTxx7xv2Zv83YuOdwHML5QIAABAAF88I9zPbUQSfOlzLXv+uIY2+m/E6j2PMsbgeHVH/L0wLqQlY+5CL0z3xnNOMIZae/////wAAAAEAAAAAAAAAAAAAAAEAAAAOSZBKHHRpTwXOFTQVGapXXj5CwXBMouBB2ucaIJVm";
const VECTOR_1_KEY: &str = "+p6+whPVw9kOrYLZFMRBJ2n6Vli6T/7TkjDouS+25s0=";

const VECTORS: &[Vector] = &[
    Vector {
        name: "1. Non-KMS key provider",
        ciphertext: VECTOR_1,
        data_key: VECTOR_1_KEY,
        context: &[],
        expect: Ok("GoodCommitment"),
    },
    Vector {
        name: "2. Non-KMS key provider (Expected Failure)",
        ciphertext: "AgR4b1/73X5ErILpj0aSQIx6wNnHLEcNLxPzA0m6vYRr7kAAAAABAAxQcm92aWRlck5hbWUAGUtleUlkAAAAgAAAAAypJmXwyizUr3/pyvIAMHLU/i5GhZlGayeYC5w/CjUobyGwN4QpeMB0XpNDGTM0f1Zx72V4uM2H5wMjy/hm2wIAABAAAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh/pQM2VSvliz2Qgi5JZf2ta/////wAAAAEAAAAAAAAAAAAAAAEAAAANS4Id4+dVHhPrvuJHEiOswo6YGSRjSGX3VDrt+0s=",
        data_key: "8Bu+AFAu9ZT8BwYK+QAKXKQ2iaySSiQwlPUrKMf6fdo=",
        context: &[],
        expect: Err(DecryptError::CommitmentMismatch),
    },
    Vector {
        name: "4. Key = zero, Message ID = zero",
        ciphertext: "AgR4AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACAAdhd3Mta21zAEthcm46YXdzOmttczp1cy13ZXN0LTI6NjU4OTU2NjAwODMzOmtleS9iMzUzN2VmMS1kOGRjLTQ3ODAtOWY1YS01NTc3NmNiYjJmN2YApwEBAgB4QPOMJ14xCXQWwQcpUVBXGWSto+8cIelMi6C9vJ0PtBQAAAB+MHwGCSqGSIb3DQEHBqBvMG0CAQAwaAYJKoZIhvcNAQcBMB4GCWCGSAFlAwQBLjARBAw9EJqts2PkPA43eeMCARCAO9JPXvk6hofpX8P50mlDfAEwIiJc9sTS82KeLPBiZRnvmWcf2YSceNCoKTOB819M1auXncAYO8JJ/VzPAAdhd3Mta21zAEthcm46YXdzOmttczp1cy13ZXN0LTI6NjU4OTU2NjAwODMzOmtleS81OTBmZDc4MS1kZGRlLTQwMzYtYWJlYy0zZTFhYjVhNWQyYWQApwEBAgB4IDgBgT3DGKHrXsN2bi23PO+MOMGydcgwgWav8w1SQk0AAAB+MHwGCSqGSIb3DQEHBqBvMG0CAQAwaAYJKoZIhvcNAQcBMB4GCWCGSAFlAwQBLjARBAw4v1P6lkHuuyIOZ7ECARCAO0iAkJa/Ivo37+t5rryGAGMiIHuamdq21HBOULwcGmMzCT69PWNgm1l59xq+8AOinEEzohfm2jBueXA2AgAAEABDPYN/Wct+m8YzTRVK/4MRCcY3LZj4tayFiL/376umUUTUenheMypVEflUomVblvr/////AAAAAQAAAAAAAAAAAAAAAQAAAAlCp+rAMHiuKyGr0KRmjDC6C7TXAvAwtFjR",
        data_key: ZERO_KEY,
        context: &[],
        expect: Ok("testing12"),
    },
    Vector {
        name: "14. Key = zero, Message ID = example (with AAD)",
        ciphertext: "AgR4PKWpyXOBmk4yDyakq0VRlXuStoPoaQ0n0tO1i/9LdVsAOgACAAh0ZXN0LWtleQAKdGVzdCB2YWx1ZQAKdGVzdC1rZXktMgAUYW5vdGhlciB0ZXN0IGV4YW1wbGUAAgAHYXdzLWttcwBLYXJuOmF3czprbXM6dXMtd2VzdC0yOjY1ODk1NjYwMDgzMzprZXkvYjM1MzdlZjEtZDhkYy00NzgwLTlmNWEtNTU3NzZjYmIyZjdmAKcBAQIAeEDzjCdeMQl0FsEHKVFQVxlkraPvHCHpTIugvbydD7QUAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMVS2kQTl1wrYLE2eLAgEQgDulTL6UW+E6FTj+tivbEgzVQCko4XyfLCHO9p6+XhhzZ4ASQdB+InX3zlUO0nzvo6ncpznnFwucVziULgAHYXdzLWttcwBLYXJuOmF3czprbXM6dXMtd2VzdC0yOjY1ODk1NjYwMDgzMzprZXkvNTkwZmQ3ODEtZGRkZS00MDM2LWFiZWMtM2UxYWI1YTVkMmFkAKcBAQIAeCA4AYE9wxih617Ddm4ttzzvjDjBsnXIMIFmr/MNUkJNAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM3CmTGX0yeaiG9NrQAgEQgDsnrSa/wp3e/eyjabdqfNOdRCgPRfrJg+bSSzs6Y8WogxrrXuCdv/Gxd/tpoGgrfckTXXAvDyzh2snYXAIAABAAApfij7czGOoR2HlxWsLApRGgoK8GT9zcTHLZllYHeIL5z/RijnIgTxn9phSilA70/////wAAAAH//////////wAAAAEAAAAJS+cGlK1P9Uok1Rn7XbeiPqIj9/NYhB4/cQ==",
        data_key: ZERO_KEY,
        context: &[
            ("test-key", "test value"),
            ("test-key-2", "another test example"),
        ],
        expect: Ok("testing12"),
    },
    Vector {
        name: "16. Key = example, Message ID = zero (with AAD)",
        ciphertext: "AgR4AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAOgACAAh0ZXN0LWtleQAKdGVzdCB2YWx1ZQAKdGVzdC1rZXktMgAUYW5vdGhlciB0ZXN0IGV4YW1wbGUAAgAHYXdzLWttcwBLYXJuOmF3czprbXM6dXMtd2VzdC0yOjY1ODk1NjYwMDgzMzprZXkvYjM1MzdlZjEtZDhkYy00NzgwLTlmNWEtNTU3NzZjYmIyZjdmAKcBAQIAeEDzjCdeMQl0FsEHKVFQVxlkraPvHCHpTIugvbydD7QUAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMFEBnKyt3QstLVqt+AgEQgDvjFgXze5zC18mw1EL22Sk1L9s2x/d/yyKUFVcqcxsIN0YBh9nOUkMji/KbaroJticmBBH5iVuC58W7CAAHYXdzLWttcwBLYXJuOmF3czprbXM6dXMtd2VzdC0yOjY1ODk1NjYwMDgzMzprZXkvNTkwZmQ3ODEtZGRkZS00MDM2LWFiZWMtM2UxYWI1YTVkMmFkAKcBAQIAeCA4AYE9wxih617Ddm4ttzzvjDjBsnXIMIFmr/MNUkJNAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMpstDQzF757dbNzujAgEQgDtMFvMf2MmJumFtDnpVae1UIZqEhrFGIgtRDd/BVPeA3KZA+HzImTd0bNiOnL6flxyITvnjMkXAstQa3wIAABAAQoChYbw/b0wnt9pA+NkCz4+2pLAEqD9U9NjeGs+ZaZJzgj4W/ZtkD2K6nrgp64FH/////wAAAAH//////////wAAAAEAAAAJfUPqTiD+hJarwoj8u6zgN+nUJ8sjhoOOtw==",
        data_key: EXAMPLE_KEY,
        context: &[
            ("test-key", "test value"),
            ("test-key-2", "another test example"),
        ],
        expect: Ok("testing12"),
    },
];

#[test]
fn published_vectors_open_or_fail_as_published() {
    for v in VECTORS {
        let bytes = b64(v.ciphertext);
        let message = Message::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let context: Vec<(&str, &str)> = message
            .context
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(context, v.context, "{}", v.name);
        let opened = message.open(&b64(v.data_key));
        let expect = v.expect.clone().map(|p| p.as_bytes().to_vec());
        assert_eq!(opened, expect, "{}", v.name);
    }
}

#[test]
fn keys_derive_as_the_vectors_publish() {
    // Vector 1's message ID, commitment key and content encryption key.
    let message_id = key32("TfvRMU2dVZJbgXIyxeNtbj5eIw8BiTDiwsHyQ/Z9wXk=");
    let keys = derive_keys(&key32(VECTOR_1_KEY), &message_id);
    assert_eq!(
        keys.commit,
        key32("F88I9zPbUQSfOlzLXv+uIY2+m/E6j2PMsbgeHVH/L0w=")
    );
    assert_eq!(
        *keys.encryption.expose(),
        key32("V67301yMJtk0jxOc3QJeBac6uKxO3XylWtkKTYmUU+M=")
    );
}

#[test]
fn encrypting_vector_1_again_gives_its_bytes() {
    // Vector 1 frames its content with the IV this module uses (the sequence number),
    // so the same data key, message ID and encrypted data key give the same message.
    let published = b64(VECTOR_1);
    let message = Message::parse(&published).unwrap();
    let [edk] = message.encrypted_keys.as_slice() else {
        panic!("one encrypted data key")
    };
    let again = encrypt(
        b"GoodCommitment",
        &[],
        &Secret::new(key32(VECTOR_1_KEY)),
        edk,
        &message.message_id,
    )
    .unwrap();
    assert_eq!(again, published);
}

fn kms_key() -> EncryptedDataKey {
    EncryptedDataKey {
        provider_id: AWS_KMS_PROVIDER_ID.into(),
        provider_info:
            b"arn:aws:kms:us-east-1:123456789012:key/0b8f1a3c-6a2e-4c0e-9d3e-2a1f5b7c9d01".to_vec(),
        ciphertext: vec![7; 184],
    }
}

fn seal_with(plaintext: &[u8], context: &[(&str, &str)]) -> Vec<u8> {
    encrypt(
        plaintext,
        context,
        &Secret::new([9; 32]),
        &kms_key(),
        &[3; MESSAGE_ID_LENGTH],
    )
    .unwrap()
}

#[test]
fn round_trips_across_frame_boundaries() {
    let frame = FRAME_LENGTH as usize;
    for len in [
        0,
        1,
        6,
        frame - 1,
        frame,
        frame + 1,
        2 * frame,
        2 * frame + 5,
    ] {
        let plaintext: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let sealed = seal_with(&plaintext, &[("userpool-id", "us-east-1_AbCdEfGhI")]);
        let message = Message::parse(&sealed).unwrap();
        // As many frames as the plaintext fills, one (the final) for an empty one.
        assert_eq!(message.frames.len(), len.div_ceil(frame).max(1), "{len}");
        assert!(message.frames.last().unwrap().is_final);
        assert_eq!(message.encrypted_keys, [kms_key()]);
        assert_eq!(message.open(&[9; 32]).unwrap(), plaintext, "{len}");
    }
}

#[test]
fn the_context_is_serialized_sorted_by_key() {
    let sealed = seal_with(b"123456", &[("b", "2"), ("a", "1"), ("aa", "3")]);
    let message = Message::parse(&sealed).unwrap();
    let keys: Vec<&str> = message.context.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["a", "aa", "b"]);
    assert_eq!(
        encrypt(
            b"1",
            &[("a", "1"), ("a", "2")],
            &Secret::new([9; 32]),
            &kms_key(),
            &[3; MESSAGE_ID_LENGTH],
        ),
        Err(EncryptError::DuplicateContextKey)
    );
}

#[test]
fn tampering_is_caught_by_the_check_it_breaks() {
    let sealed = seal_with(b"654321", &[("userpool-id", "us-east-1_AbCdEfGhI")]);
    let header_len = Message::parse(&sealed).unwrap().header_body.len();
    let check = |at: usize, expect: DecryptError| {
        let mut bytes = sealed.clone();
        bytes[at] ^= 1;
        let result = Message::parse(&bytes).and_then(|m| m.open(&[9; 32]));
        assert_eq!(result, Err(expect), "byte {at}");
    };
    // The encryption context's value, in the header body.
    check(60, DecryptError::HeaderAuthentication);
    // The commitment key, the header body's last 32 bytes.
    check(header_len - 1, DecryptError::CommitmentMismatch);
    // The header authentication tag.
    check(header_len, DecryptError::HeaderAuthentication);
    // The final frame's encrypted content and tag.
    check(sealed.len() - 17, DecryptError::FrameAuthentication);
    check(sealed.len() - 1, DecryptError::FrameAuthentication);
    // The version and the suite.
    check(0, DecryptError::UnsupportedVersion(0x03));
    check(2, DecryptError::UnsupportedAlgorithmSuite(0x0479));

    let message = Message::parse(&sealed).unwrap();
    assert_eq!(
        message.open(&[8; 32]),
        Err(DecryptError::CommitmentMismatch)
    );
    assert_eq!(message.open(&[9; 31]), Err(DecryptError::DataKeyLength));
    assert_eq!(
        Message::parse(&sealed[..sealed.len() - 1]).unwrap_err(),
        DecryptError::Truncated
    );
    let mut longer = sealed.clone();
    longer.push(0);
    assert_eq!(
        Message::parse(&longer).unwrap_err(),
        DecryptError::TrailingBytes
    );
}
