//! Time as Cognito writes it in its answers, beyond epoch seconds.

use cognito_model::Timestamp;

/// `now` in UTC as `yyyyMMddHHmmss`, the form of Cognito's version stamps.
pub(crate) fn compact_utc(now: Timestamp) -> String {
    let secs = now.secs();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_stamps() {
        assert_eq!(compact_utc(Timestamp::from_secs(0)), "19700101000000");
        assert_eq!(
            compact_utc(Timestamp::from_secs(951_782_400)),
            "20000229000000"
        );
        assert_eq!(
            compact_utc(Timestamp::from_secs(1_548_697_442)),
            "20190128174402"
        );
    }
}
