import Foundation

/// Deterministic chat-like text: words drawn with a skewed (Zipf-like) frequency from a fixed
/// vocabulary, so that some words are everywhere and most are rare, as in real conversations.
struct TextGenerator {
    private var random: SplitMix64
    private let vocabulary: [String]

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        var vocabularyRandom = SplitMix64(seed: seed ^ 0x5EED)
        let letters = Array("etaoinshrdlcumwfgypbvkjxqzéü")
        vocabulary = (0..<20_000).map { _ in
            let length = 2 + Int(vocabularyRandom.next() % 9)
            return String((0..<length).map { _ in letters[Int(vocabularyRandom.next() % UInt64(letters.count))] })
        }
    }

    /// A length from 50 to 2 000 characters, log-uniform: most messages short, some long.
    mutating func messageLength() -> Int {
        Int(50 * pow(40, unit()))
    }

    mutating func text(length: Int) -> String {
        var text = ""
        text.reserveCapacity(length + 12)
        var count = 0
        while count < length {
            // u^4 piles most draws onto the first words of the vocabulary.
            let u = unit()
            let word = vocabulary[Int(u * u * u * u * Double(vocabulary.count))]
            if count > 0 {
                text += " "
                count += 1
            }
            text += word
            count += word.unicodeScalars.count
        }
        return text
    }

    mutating func next(_ bound: Int) -> Int {
        Int(random.next() % UInt64(bound))
    }

    private mutating func unit() -> Double {
        Double(random.next() >> 11) / Double(1 << 53)
    }
}

/// SplitMix64: small, fast, deterministic.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
