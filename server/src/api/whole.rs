//! Whole numbers in JSON bodies: `2` and `2.0` are the same integer to JSON Schema, so both are
//! taken; `2.5` is refused like any other wrong type.
use serde::{Deserialize, Deserializer, de::Error};

fn to_whole<'de, D: Deserializer<'de>, T: TryFrom<i64>>(n: serde_json::Number) -> Result<T, D::Error> {
    let whole = match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => Some(i),
        (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
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
        for bad in [r#"{"seq": 2.5}"#, r#"{"seq": "2"}"#, r#"{"seq": 1, "uses": -1}"#, r#"{"seq": 1, "uses": 4294967296}"#] {
            assert!(serde_json::from_str::<Body>(bad).is_err(), "{bad}");
        }
    }
}
