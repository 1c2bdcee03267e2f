/// Tests texts for one folded query, straight from their UTF-8 bytes (as SQLite hands them over),
/// in one pass: each scalar is decoded, folded and fed to a Knuth–Morris–Pratt automaton over the
/// folded query, so nothing is stored per text and no position is read twice. A scanning search
/// tests every message of the user's with it, and every search tests every title.
///
/// ASCII bytes fold by arithmetic, and while nothing has matched yet, bytes that cannot start a
/// match are skipped in a tight loop. Other scalars are decoded by hand with the same repairs as
/// `String(decoding:as:)`: each maximal ill-formed subpart becomes one U+FFFD (Unicode's
/// recommended practice), so the answer is the one ``SearchFolding`` gives for the repaired text.
package struct SubstringMatcher {
    package let folded: [Unicode.Scalar]
    /// For each length `n` of a matched prefix, the length of the longest proper prefix of the
    /// query that is also a suffix of those `n` scalars: where matching resumes after a mismatch.
    private let fallback: [Int]
    /// The query's first scalar when it is ASCII: a byte that folds to anything else starts no match.
    private let firstASCII: UInt8?

    package init(_ text: String) {
        folded = SearchFolding.fold(text)
        fallback = Self.fallbacks(of: folded)
        firstASCII = folded.first.flatMap { $0.isASCII ? UInt8($0.value) : nil }
    }

    package func matches(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !folded.isEmpty else { return false }
        var matched = 0
        var index = 0
        let count = bytes.count
        while index < count {
            if matched == 0, let first = firstASCII {
                while index < count, bytes[index] < 0x80, Self.foldASCII(bytes[index]) != first { index += 1 }
                guard index < count else { return false }
            }
            let scalar: Unicode.Scalar
            let byte = bytes[index]
            if byte < 0x80 {
                scalar = Unicode.Scalar(Self.foldASCII(byte))
                index += 1
            } else {
                let (decoded, length) = Self.decode(bytes, at: index)
                scalar = SearchFolding.fold(decoded)
                index += length
            }
            while matched > 0, folded[matched] != scalar { matched = fallback[matched - 1] }
            if folded[matched] == scalar {
                matched += 1
                if matched == folded.count { return true }
            }
        }
        return false
    }

    private static func foldASCII(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    private static func fallbacks(of query: [Unicode.Scalar]) -> [Int] {
        var table = [Int](repeating: 0, count: query.count)
        var length = 0
        for position in query.indices.dropFirst() {
            while length > 0, query[position] != query[length] { length = table[length - 1] }
            if query[position] == query[length] { length += 1 }
            table[position] = length
        }
        return table
    }

    /// The scalar whose UTF-8 starts at `start` (a byte of 0x80 or more) and how many bytes it
    /// takes; U+FFFD and the length of the maximal ill-formed subpart when the bytes are not UTF-8.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (Unicode.Scalar, Int) {
        let lead = bytes[start]
        let replacement: Unicode.Scalar = "\u{FFFD}"
        func continuation(_ offset: Int, in range: ClosedRange<UInt8> = 0x80...0xBF) -> UInt32? {
            let index = start + offset
            guard index < bytes.count, range.contains(bytes[index]) else { return nil }
            return UInt32(bytes[index] & 0x3F)
        }
        switch lead {
        case 0xC2...0xDF:
            guard let second = continuation(1) else { return (replacement, 1) }
            return (Unicode.Scalar(UInt32(lead & 0x1F) << 6 | second)!, 2)
        case 0xE0...0xEF:
            let range: ClosedRange<UInt8> = lead == 0xE0 ? 0xA0...0xBF : lead == 0xED ? 0x80...0x9F : 0x80...0xBF
            guard let second = continuation(1, in: range) else { return (replacement, 1) }
            guard let third = continuation(2) else { return (replacement, 2) }
            return (Unicode.Scalar(UInt32(lead & 0x0F) << 12 | second << 6 | third)!, 3)
        case 0xF0...0xF4:
            let range: ClosedRange<UInt8> = lead == 0xF0 ? 0x90...0xBF : lead == 0xF4 ? 0x80...0x8F : 0x80...0xBF
            guard let second = continuation(1, in: range) else { return (replacement, 1) }
            guard let third = continuation(2) else { return (replacement, 2) }
            guard let fourth = continuation(3) else { return (replacement, 3) }
            return (Unicode.Scalar(UInt32(lead & 0x07) << 18 | second << 12 | third << 6 | fourth)!, 4)
        default:
            return (replacement, 1)
        }
    }
}
