//! Phone numbers, parsed against the real numbering plans and kept as E.164.
use crate::error::AppError;

/// Parses what a person typed. Numbers without `+` are read in `default_region` (e.g. "GB").
pub fn parse_phone(raw: &str, default_region: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    let bad = || AppError::invalid("phone", "That doesn’t look like a valid phone number — include the country code, e.g. +44");
    if raw.is_empty() || raw.len() > 32 {
        return Err(bad());
    }
    let region = default_region.parse::<phonenumber::country::Id>().ok();
    let region = if raw.starts_with('+') || raw.starts_with("00") { None } else { region };
    let cleaned = raw.strip_prefix("00").map(|rest| format!("+{rest}")).unwrap_or_else(|| raw.to_owned());
    let number = phonenumber::parse(region, &cleaned).map_err(|_| bad())?;
    if !phonenumber::is_valid(&number) {
        return Err(bad());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// `+447911123456` → `+44 •••• ••3456`: enough to recognise, not enough to read out.
pub fn mask_phone(e164: &str) -> String {
    let tail: String = e164.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let head: String = e164.chars().take(3).collect();
    format!("{head} •••• ••{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_from_several_countries() {
        let valid = [
            ("+44 7911 123456", "GB", "+447911123456"),
            ("07911 123456", "GB", "+447911123456"),
            ("0044 7911 123456", "US", "+447911123456"),
            ("+1 (415) 555-2671", "GB", "+14155552671"),
            ("415-555-2671", "US", "+14155552671"),
            ("+49 151 23456789", "GB", "+4915123456789"),
            ("0151 23456789", "DE", "+4915123456789"),
            ("+33 6 12 34 56 78", "GB", "+33612345678"),
            ("06 12 34 56 78", "FR", "+33612345678"),
            ("+91 98765 43210", "GB", "+919876543210"),
            ("+81 90-1234-5678", "GB", "+819012345678"),
            ("+55 11 91234-5678", "GB", "+5511912345678"),
            ("+61 412 345 678", "GB", "+61412345678"),
            ("+234 803 123 4567", "GB", "+2348031234567"),
        ];
        for (input, region, e164) in valid {
            assert_eq!(parse_phone(input, region).unwrap(), e164, "{input} in {region}");
        }
        let invalid = [
            ("", "GB"),
            ("hello", "GB"),
            ("+44 123", "GB"),
            ("12345", "US"),
            ("+1 555 0100", "US"),
            ("+999 1234567", "GB"),
            ("07911 12345678901", "GB"),
            ("+44 7911 123456 7890123456789012345", "GB"),
        ];
        for (input, region) in invalid {
            assert!(parse_phone(input, region).is_err(), "{input} in {region} should be refused");
        }
    }

    #[test]
    fn masking_keeps_the_country_and_last_four_digits() {
        assert_eq!(mask_phone("+447911123456"), "+44 •••• ••3456");
    }
}
