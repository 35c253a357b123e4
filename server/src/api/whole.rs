//! Whole numbers in JSON bodies: `2` and `2.0` are the same integer to JSON Schema, so both are
//! taken; `2.5` is refused like any other wrong type.
use serde::{Deserialize, Deserializer, de::Error};

fn to_whole<'de, D: Deserializer<'de>, T: TryFrom<i64>>(n: serde_json::Number) -> Result<T, D::Error> {
    let whole = match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => Some(i),
        // Past 2^53 every float is whole; `i64::MAX as f64` is 2^63, which no longer fits.
        (None, Some(f)) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => Some(f as i64),
        _ => None,
    };
    whole.and_then(|i| T::try_from(i).ok()).ok_or_else(|| D::Error::custom(format!("{n} is not a whole number in range")))
}

pub fn required<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<T, D::Error> {
    to_whole::<D, T>(serde_json::Number::deserialize(d)?)
}

pub fn optional<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Option<T>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        Some(n) => to_whole::<D, T>(n).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::required")]
        seq: i64,
        #[serde(default, deserialize_with = "super::optional")]
        uses: Option<u32>,
    }

    #[test]
    fn whole_floats_count_and_fractions_do_not() {
        let body: Body = serde_json::from_str(r#"{"seq": 2135.0, "uses": 3}"#).unwrap();
        assert_eq!((body.seq, body.uses), (2135, Some(3)));
        // Whole floats past 2^53 are still integers to JSON Schema (int64), as far as i64 reaches.
        let body: Body = serde_json::from_str(r#"{"seq": -9007199254740992.0}"#).unwrap();
        assert_eq!(body.seq, -9_007_199_254_740_992);
        let body: Body = serde_json::from_str(r#"{"seq": -9.223372036854775808e18}"#).unwrap();
        assert_eq!(body.seq, i64::MIN);
        assert!(serde_json::from_str::<Body>(r#"{"seq": 9.223372036854775808e18}"#).is_err(), "2^63 does not fit");
        for bad in [r#"{"seq": 2.5}"#, r#"{"seq": "2"}"#, r#"{"seq": 1, "uses": -1}"#, r#"{"seq": 1, "uses": 4294967296}"#] {
            assert!(serde_json::from_str::<Body>(bad).is_err(), "{bad}");
        }
    }
}
