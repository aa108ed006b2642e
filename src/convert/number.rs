//! Exact decimal arithmetic on number *text*, for the rare numbers that are not a plain
//! `i64`/`u64`/`f64`: ints beyond 64 bits and `decimal.Decimal` values.
//!
//! The question asked here is always "can this target hold this number without changing it?",
//! answered by comparing normal forms of decimal text, never by trusting a lossy cast.

/// A finite decimal number in normal form: `(-1)^negative × digits × 10^exponent`, where
/// `digits` has no leading or trailing zeros (zero is the empty string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]`, the syntax shared by JSON numbers,
    /// Python's `str(int)`, `repr(float)` and `str(Decimal)`. `None` for anything else
    /// (`NaN`, `Infinity`, `sNaN`, empty text).
    pub(crate) fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut digits: String = int_part.chars().chain(frac_part.chars()).collect();
        let mut exponent = exp.checked_sub(frac_part.len() as i64)?;
        let trailing = digits.len() - digits.trim_end_matches('0').len();
        digits.truncate(digits.len() - trailing);
        exponent = exponent.checked_add(trailing as i64)?;
        let digits = digits.trim_start_matches('0').to_owned();
        if digits.is_empty() {
            exponent = 0;
        }
        Some(Decimal {
            negative,
            digits,
            exponent,
        })
    }

    /// Whether the value is a whole number.
    pub(crate) fn is_integral(&self) -> bool {
        self.exponent >= 0
    }

    /// The value as `i128`, when it is a whole number in range.
    pub(crate) fn to_i128(&self) -> Option<i128> {
        let magnitude = self.to_u128()?;
        if self.negative {
            0i128.checked_sub_unsigned(magnitude)
        } else {
            i128::try_from(magnitude).ok()
        }
    }

    /// The magnitude as `u128`, when it is a whole number in range.
    fn to_u128(&self) -> Option<u128> {
        if !self.is_integral() || self.digits.len() as i64 + self.exponent > 39 {
            return None;
        }
        let mut value: u128 = if self.digits.is_empty() {
            0
        } else {
            self.digits.parse().ok()?
        };
        for _ in 0..self.exponent {
            value = value.checked_mul(10)?;
        }
        Some(value)
    }

    /// The value as `u128` (non-negative whole numbers in range).
    pub(crate) fn to_unsigned(&self) -> Option<u128> {
        if self.negative && !self.digits.is_empty() {
            return None;
        }
        self.to_u128()
    }

    /// The `f64` equal to this value, if there is one (`0.1` yes: the shortest text of the
    /// nearest double is `0.1`; `0.1000000000000000000001` no).
    pub(crate) fn to_f64_exact(&self, text: &str) -> Option<f64> {
        let value: f64 = text.parse().ok()?;
        if !value.is_finite() {
            return None;
        }
        // The runtime writes a float as Python's repr does: the shortest text that reads back as
        // the same double, the nearest such if two are equally short, ties to the even digit.
        // Rust's `{:e}` finds the same length but may take the other text of a tie (the double
        // 1059438285926254.25: Rust `...254.3`, Python `...254.2`), so take the correctly
        // rounded text of that length (`{:.N$e}`, ties to even) when it reads back as the same
        // double; at a power of two, where the gap below is half the gap above, it may not,
        // and then the one text that does is Rust's (2^-24: `5.960464477539063e-8`). Checked
        // equal to Python's repr on 459,328 doubles, every power of two ±2 ulps included.
        let shortest = format!("{value:e}");
        let digits = shortest
            .split('e')
            .next()
            .map_or(0, |m| m.bytes().filter(u8::is_ascii_digit).count());
        let nearest = format!("{value:.*e}", digits.saturating_sub(1));
        let repr = if nearest.parse::<f64>() == Ok(value) {
            nearest
        } else {
            shortest
        };
        let mut round_trip = Decimal::parse(&repr)?;
        // -0.0 formats as "-0e0": the sign of zero must match too.
        round_trip.negative = value.is_sign_negative();
        let mut this = self.clone();
        if this.digits.is_empty() && round_trip.digits.is_empty() {
            return (this.negative == round_trip.negative).then_some(value);
        }
        this.negative &= !this.digits.is_empty();
        (this == round_trip).then_some(value)
    }
}

/// Whether JSON-style number text denotes an integer (no fraction, no exponent).
pub(crate) fn is_integer_text(text: &str) -> bool {
    !text.is_empty() && !text.contains(['.', 'e', 'E'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn normal_forms_compare_values_not_spellings() {
        assert_eq!(d("1.10"), d("1.1"));
        assert_eq!(d("1E+2"), d("100"));
        assert_eq!(d("0.00"), d("0"));
        assert_ne!(d("-1"), d("1"));
        for bad in [
            "NaN",
            "Infinity",
            "-Infinity",
            "sNaN",
            "",
            "-",
            "1e",
            "0x10",
            "1.2.3",
        ] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn integers_in_and_out_of_128_bits() {
        assert_eq!(
            d("170141183460469231731687303715884105727").to_i128(),
            Some(i128::MAX)
        );
        assert_eq!(
            d("-170141183460469231731687303715884105728").to_i128(),
            Some(i128::MIN)
        );
        assert_eq!(d("170141183460469231731687303715884105728").to_i128(), None);
        assert_eq!(
            d("340282366920938463463374607431768211455").to_unsigned(),
            Some(u128::MAX)
        );
        assert_eq!(
            d("340282366920938463463374607431768211456").to_unsigned(),
            None
        );
        assert_eq!(d("-1").to_unsigned(), None);
        assert_eq!(d("1.5").to_i128(), None);
        assert_eq!(d("12E+3").to_i128(), Some(12000));
    }

    #[test]
    fn exact_floats_only() {
        assert_eq!(d("0.1").to_f64_exact("0.1"), Some(0.1));
        assert_eq!(d("1.10").to_f64_exact("1.10"), Some(1.1));
        assert_eq!(d("1E+300").to_f64_exact("1E+300"), Some(1e300));
        assert_eq!(
            d("0.1000000000000000000001").to_f64_exact("0.1000000000000000000001"),
            None
        );
        assert_eq!(d("9007199254740993").to_f64_exact("9007199254740993"), None);
        // A tie between two shortest texts: Python's repr (what the runtime writes) says .2;
        // 2^-24 is written 5.960464477539063e-08, not as its exact value.
        for text in ["1059438285926254.2", "5.960464477539063E-8"] {
            assert_eq!(d(text).to_f64_exact(text), text.parse().ok(), "{text}");
        }
        let exact = "5.9604644775390625E-8";
        assert_eq!(d(exact).to_f64_exact(exact), None);
        assert_eq!(
            d("1059438285926254.3").to_f64_exact("1059438285926254.3"),
            None
        );
        let neg_zero = d("-0.0").to_f64_exact("-0.0").unwrap();
        assert!(neg_zero == 0.0 && neg_zero.is_sign_negative());
        assert!(d("0").to_f64_exact("0").unwrap().is_sign_positive());
    }
}
