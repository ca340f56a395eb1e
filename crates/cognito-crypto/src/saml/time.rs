//! SAML times: `xs:dateTime` values in UTC (SAML Core 2.0 §1.3.3), read to and written
//! from epoch seconds. Fractions of a second are read and dropped; no other zone than
//! `Z` is accepted, as §1.3.3 requires.

use std::time::Duration;

use der::DateTime;

use super::SamlError;

/// Epoch seconds of an `xs:dateTime` such as `2024-05-01T12:00:00Z` or
/// `2024-05-01T12:00:00.123Z`.
pub(crate) fn parse(value: &str) -> Result<u64, SamlError> {
    let invalid = || SamlError::Time(value.to_owned());
    let (date, time) = value.split_once('T').ok_or_else(invalid)?;
    let time = time.strip_suffix('Z').ok_or_else(invalid)?;
    let (time, fraction) = time.split_once('.').unwrap_or((time, "0"));
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let date: Vec<&str> = date.split('-').collect();
    let time: Vec<&str> = time.split(':').collect();
    let [year, month, day] = date.as_slice() else {
        return Err(invalid());
    };
    let [hour, minute, second] = time.as_slice() else {
        return Err(invalid());
    };
    let field = |text: &str, width: usize| -> Result<u16, SamlError> {
        if text.len() == width && text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse().map_err(|_| invalid())
        } else {
            Err(invalid())
        }
    };
    let narrow = |text: &str| -> Result<u8, SamlError> {
        u8::try_from(field(text, 2)?).map_err(|_| invalid())
    };
    let moment = DateTime::new(
        field(year, 4)?,
        narrow(month)?,
        narrow(day)?,
        narrow(hour)?,
        narrow(minute)?,
        narrow(second)?,
    )
    .map_err(|_| invalid())?;
    Ok(moment.unix_duration().as_secs())
}

/// The `xs:dateTime` of epoch seconds, as `2024-05-01T12:00:00Z`.
pub(crate) fn format(epoch_seconds: u64) -> Result<String, SamlError> {
    let moment = DateTime::from_unix_duration(Duration::from_secs(epoch_seconds))
        .map_err(|_| SamlError::Time(epoch_seconds.to_string()))?;
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        moment.year(),
        moment.month(),
        moment.day(),
        moment.hour(),
        moment.minutes(),
        moment.seconds()
    ))
}
