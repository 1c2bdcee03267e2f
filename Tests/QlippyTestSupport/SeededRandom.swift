/// A small deterministic generator (SplitMix64), so that a failing property test can be replayed from its seed.
package struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A string mixing the characters JSON must escape with ASCII, accents, CJK, emoji and other scalars.
    package mutating func nastyString(maxLength: Int = 40) -> String {
        let pools: [[Unicode.Scalar]] = [
            (0x00...0x1F).compactMap(Unicode.Scalar.init),
            ["\"", "\\", "/", "'", "%", "_", "*", "\u{7F}", "\u{2028}", "\u{2029}", "\u{FEFF}"],
            (0x20...0x7E).compactMap(Unicode.Scalar.init),
            Array("éèçñüßÅØ日本語中文한국어🚀🇫🇷👩‍💻e\u{301}".unicodeScalars),
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &self) {
            if Int.random(in: 0..<6, using: &self) == 0 {
                // Any valid scalar: BMP outside the surrogates, or an astral one.
                let value =
                    Bool.random(using: &self)
                    ? UInt32.random(in: 0x80...0xD7FF, using: &self) : UInt32.random(in: 0xE000...0x10FFFF, using: &self)
                scalars.append(Unicode.Scalar(value) ?? "?")
            } else {
                let pool = pools[Int.random(in: 0..<pools.count, using: &self)]
                scalars.append(pool[Int.random(in: 0..<pool.count, using: &self)])
            }
        }
        return String(scalars)
    }
}
