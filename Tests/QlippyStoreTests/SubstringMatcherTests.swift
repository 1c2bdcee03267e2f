import QlippyStore
import QlippyTestSupport
import Testing

/// The one-pass matcher against the plain definition: the bytes repaired as `String(decoding:as:)`
/// repairs them, folded, and searched for the folded query position by position.
@Suite("Substring matcher")
struct SubstringMatcherTests {
    static func expected(_ query: String, in bytes: [UInt8]) -> Bool {
        let folded = SearchFolding.fold(query)
        guard !folded.isEmpty else { return false }
        let haystack = SearchFolding.fold(String(decoding: bytes, as: UTF8.self))
        return SearchFolding.firstIndex(of: folded, in: haystack, from: 0) != nil
    }

    static func matches(_ query: String, in bytes: [UInt8]) -> Bool {
        let matcher = SubstringMatcher(query)
        return bytes.withUnsafeBufferPointer { matcher.matches(utf8: $0) }
    }

    @Test func foldsCaseAndResumesAfterPartialMatches() {
        #expect(Self.matches("needle", in: Array("a NEEDLE here".utf8)))
        #expect(Self.matches("aab", in: Array("aaab".utf8)))
        #expect(Self.matches("abab", in: Array("ababab".utf8)))
        #expect(Self.matches("abac", in: Array("ababac".utf8)))
        #expect(!Self.matches("abac", in: Array("ababab".utf8)))
        #expect(!Self.matches("needles", in: Array("needle".utf8)))
        #expect(!Self.matches("", in: Array("anything".utf8)))
        #expect(Self.matches("éclair", in: Array("ÉCLAIR".utf8)))
        #expect(Self.matches("日本", in: Array("こんにちは日本語".utf8)))
        #expect(Self.matches("🚀x", in: Array("go 🚀X".utf8)))
    }

    /// A scalar outside ASCII can fold into it: the Kelvin sign is a `k`.
    @Test func nonASCIIScalarsThatFoldToASCIIMatch() {
        #expect(Self.matches("kilo", in: Array("\u{212A}ILO".utf8)))
        #expect(Self.matches("ok", in: Array("o\u{212A}".utf8)))
    }

    /// Each maximal ill-formed subpart is one U+FFFD, as `String(decoding:as:)` makes it.
    @Test func illFormedBytesAreRepairedAsStringsRepairThem() {
        let cases: [[UInt8]] = [
            [0x61, 0xE2, 0x82, 0x62], [0xF0, 0x9F, 0x9A, 0x61], [0xED, 0xA0, 0x80, 0x61], [0xC0, 0xAF, 0x61], [0xF4, 0x90, 0x80, 0x80],
            [0xE0, 0x80, 0x80], [0xFF, 0xFE, 0x61], [0x80, 0x80, 0x61], [0xE2, 0x82], [0xF0, 0x9F, 0x9A],
        ]
        for bytes in cases {
            #expect(Self.matches("\u{FFFD}a", in: bytes) == Self.expected("\u{FFFD}a", in: bytes), "\(bytes)")
            #expect(Self.matches("\u{FFFD}\u{FFFD}", in: bytes) == Self.expected("\u{FFFD}\u{FFFD}", in: bytes), "\(bytes)")
            #expect(Self.matches("\u{FFFD}", in: bytes) == Self.expected("\u{FFFD}", in: bytes), "\(bytes)")
        }
    }

    /// Random bytes (mostly well-formed UTF-8 from a small alphabet, some bytes of any value) and
    /// queries cut from their repaired text or made up: the same answer as the definition.
    @Test func agreesWithTheDefinitionOnRandomBytes() {
        let alphabet = Array("aAbBkK\u{212A}éÉ日本🚀\u{FFFD}".unicodeScalars)
        var random = SeededRandom(seed: 19)
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                if Int.random(in: 0..<5, using: &random) == 0 {
                    bytes.append(UInt8.random(in: 0x80...0xFF, using: &random))
                } else {
                    bytes.append(contentsOf: String(alphabet.randomElement(using: &random)!).utf8)
                }
            }
            let text = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
            var query = String.UnicodeScalarView()
            if !text.isEmpty, Bool.random(using: &random) {
                let start = Int.random(in: 0..<text.count, using: &random)
                query.append(contentsOf: text[start..<Int.random(in: start + 1...text.count, using: &random)])
            } else {
                for _ in 0..<Int.random(in: 1...3, using: &random) { query.append(alphabet.randomElement(using: &random)!) }
            }
            let queryText = String(query)
            #expect(Self.matches(queryText, in: bytes) == Self.expected(queryText, in: bytes), "\(queryText) in \(bytes)")
        }
    }
}
