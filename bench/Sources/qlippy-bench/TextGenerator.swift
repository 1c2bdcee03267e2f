import Foundation

/// Deterministic chat-like text: words drawn with a skewed (Zipf-like) frequency from a fixed
/// vocabulary, so that some words are everywhere and most are rare, as in real conversations.
///
/// Drawing every word of a million messages one by one was most of the seeder's time, so
/// `message(length:)` cuts a window at a random offset out of a long pre-drawn corpus instead:
/// the same word statistics for the cost of a copy.
struct TextGenerator {
    private var random: SplitMix64
    /// Every word's UTF-8 bytes end to end, and per word its byte range and length in characters
    /// (Unicode scalars): flat arrays, so that drawing a word retains nothing.
    private let wordBytes: [UInt8]
    private let words: [(start: Int, end: Int, characters: Int)]
    private var scratch: [UInt8] = []
    private var corpus: [UInt8] = []

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        var vocabularyRandom = SplitMix64(seed: seed ^ 0x5EED)
        let letters = Array("etaoinshrdlcumwfgypbvkjxqzéü")
        var bytes: [UInt8] = []
        var words: [(Int, Int, Int)] = []
        for _ in 0..<20_000 {
            let length = 2 + Int(vocabularyRandom.next() % 9)
            let word = String((0..<length).map { _ in letters[Int(vocabularyRandom.next() % UInt64(letters.count))] })
            words.append((bytes.count, bytes.count + word.utf8.count, length))
            bytes.append(contentsOf: word.utf8)
        }
        wordBytes = bytes
        self.words = words
    }

    /// The vocabulary's most drawn word: in most messages, the search workloads' common term.
    var commonWord: String {
        String(decoding: wordBytes[words[0].start..<words[0].end], as: UTF8.self)
    }

    /// A length from 50 to 2 000 characters, log-uniform: most messages short, some long.
    mutating func messageLength() -> Int {
        Int(50 * pow(40, unit()))
    }

    /// Built as bytes in a reused buffer: the seeder's speed is mostly this function's.
    mutating func text(length: Int) -> String {
        scratch.removeAll(keepingCapacity: true)
        var count = 0
        wordBytes.withUnsafeBufferPointer { bytes in
            while count < length {
                // u^4 piles most draws onto the first words of the vocabulary.
                let u = unit()
                let word = words[Int(u * u * u * u * Double(words.count))]
                if count > 0 {
                    scratch.append(UInt8(ascii: " "))
                    count += 1
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[word.start..<word.end]))
                count += word.characters
            }
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// A message of about `length` characters (whole words, cut at spaces) from the corpus.
    mutating func message(length: Int) -> String {
        if corpus.isEmpty {
            var built: [UInt8] = []
            built.reserveCapacity(8_000_000)
            while built.count < 8_000_000 {
                built.append(contentsOf: text(length: 10_000).utf8)
                built.append(UInt8(ascii: " "))
            }
            corpus = built
        }
        return corpus.withUnsafeBufferPointer { bytes in
            var start = next(bytes.count - length - 64)
            while bytes[start] != UInt8(ascii: " ") { start += 1 }
            start += 1
            var end = start + length
            while bytes[end] != UInt8(ascii: " ") { end += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
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
