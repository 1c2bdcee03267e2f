import Foundation

/// The byte ranges of a top-level JSON array's elements (or of an object's members, then of an
/// array inside one), found without parsing them: an import decodes one conversation at a time from
/// its range, so a file of a million messages never becomes a million decoded values at once (only
/// the file's bytes, once).
///
/// The scan follows the structure (brackets, strings, commas, colons) and skips strings with
/// `memchr`; whether each element is valid JSON is for its own decode to say (``validate(_:in:pages:)``).
package enum JSONArrayElements {
    /// Throws ``JSONScanError/notJSON(_:)`` with the position where the structure breaks. `pages`,
    /// when `data` is that mapped file's, hears how far the scan has read.
    package static func ranges(in data: Data, pages: (any ScannedPages)? = nil) throws -> [Range<Int>] {
        try scanTopLevel(of: data, opening: "[", named: "array", pages: pages) { try $0.array() }
    }

    /// The elements of the array that is `range` of `data` (a member's value, ``members(in:pages:)``),
    /// positions the file's; `nil` when that value is not an array.
    package static func ranges(in data: Data, ofArrayAt range: Range<Int>, pages: (any ScannedPages)? = nil) throws -> [Range<Int>]? {
        try data.withUnsafeBytes { bytes in
            var scanner = Scanner(json: bytes, data: data, pages: pages, at: range.lowerBound)
            guard scanner.next == UInt8(ascii: "[") else { return nil }
            return try scanner.array()
        }
    }

    /// The members of the top-level object, each key (escapes resolved) with its value's bytes, in
    /// file order; nothing inside the values is decoded, so a large export costs no memory here.
    package static func members(in data: Data, pages: (any ScannedPages)? = nil) throws -> [(key: String, value: Range<Int>)] {
        try scanTopLevel(of: data, opening: "{", named: "object", pages: pages) { try $0.object() }
    }

    /// The file's one value, which must open with `opening`, scanned by `scan`; only whitespace may
    /// follow it; another kind of value is ``JSONScanError/otherValue``.
    private static func scanTopLevel<Value>(
        of data: Data, opening: Unicode.Scalar, named name: String, pages: (any ScannedPages)?, _ scan: (inout Scanner) throws -> Value
    ) throws -> Value {
        guard data.first(where: { !isWhitespace($0) }) == UInt8(ascii: opening) else {
            throw JSONScanError.otherValue
        }
        return try data.withUnsafeBytes { bytes in
            var scanner = Scanner(json: bytes, data: data, pages: pages)
            let value = try scan(&scanner)
            try scanner.expectEnd(after: name)
            return value
        }
    }

    package static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Checks each element's bytes (``StrictJSON``, else `JSONDecoder`), so that a file broken in
    /// its middle is refused before anything is written; says where it broke.
    package static func validate(_ ranges: [Range<Int>], in data: Data, pages: (any ScannedPages)? = nil) throws {
        for range in ranges {
            pages?.reading(at: range.upperBound)
            let element = data.bytes(at: range)
            guard !element.withUnsafeBytes(StrictJSON.isPlainlyValid) else { continue }
            guard (try? JSONDecoder().decode(Skip.self, from: element)) == nil else { continue }
            let inner = JSONSyntaxProblem.find(in: Data(element))?.offset ?? 0
            throw JSONScanError.notJSON(JSONSyntaxProblem(what: "invalid value", offset: range.lowerBound + inner).described(in: data))
        }
    }

    /// Any JSON value, not kept.
    private struct Skip: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}

/// Walks JSON's structure (brackets, strings, commas, colons) from a position, finding where values
/// start and end; says where the structure breaks.
private struct Scanner {
    /// The file's bytes; `data` is for saying where a problem is.
    package let json: UnsafeRawBufferPointer
    package let data: Data
    package let pages: (any ScannedPages)?
    package var index: Int

    package init(json: UnsafeRawBufferPointer, data: Data, pages: (any ScannedPages)?, at start: Int = 0) {
        self.json = json
        self.data = data
        self.pages = pages
        index = start
        skipWhitespace()
    }

    /// The byte at the scan's position, if any.
    package var next: UInt8? { index < json.count ? json[index] : nil }

    package mutating func skipWhitespace() {
        while index < json.count, JSONArrayElements.isWhitespace(json[index]) { index += 1 }
    }

    package func fail(_ what: String) -> JSONScanError {
        let problem = index >= json.count ? .endOfFile(at: json.count) : JSONSyntaxProblem(what: what, offset: index)
        return .notJSON(problem.described(in: data))
    }

    /// From a `[` to just past its `]`: each element's range.
    package mutating func array() throws -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        try items(closing: "]") { ranges.append(try $0.value()) }
        return ranges
    }

    /// From a `{` to just past its `}`: each member's key and value range.
    package mutating func object() throws -> [(key: String, value: Range<Int>)] {
        var members: [(key: String, value: Range<Int>)] = []
        try items(closing: "}") { scanner in
            guard scanner.next == UInt8(ascii: "\"") else { throw scanner.fail("expected a key") }
            let key = try scanner.value()
            scanner.skipWhitespace()
            guard scanner.next == UInt8(ascii: ":") else { throw scanner.fail("expected :") }
            scanner.index += 1
            scanner.skipWhitespace()
            let value = try scanner.value()
            members.append((try JSONDecoder().decode(String.self, from: scanner.data.bytes(at: key)), value))
        }
        return members
    }

    /// From an opening bracket to just past `closing`: `item` reads each item, from its start.
    private mutating func items(closing: Unicode.Scalar, _ item: (inout Scanner) throws -> Void) throws {
        index += 1
        skipWhitespace()
        if next == UInt8(ascii: closing) {
            index += 1
            return
        }
        repeat {
            skipWhitespace()
            try item(&self)
            pages?.reading(at: index)
        } while try separator(closing: closing)
    }

    /// After a value: `true` past a comma (another follows), `false` past the closing bracket.
    private mutating func separator(closing: Unicode.Scalar) throws -> Bool {
        skipWhitespace()
        guard let byte = next else { throw fail("") }
        index += 1
        if byte == UInt8(ascii: closing) { return false }
        guard byte == UInt8(ascii: ",") else {
            index -= 1
            throw fail("expected , or \(closing)")
        }
        return true
    }

    /// One value's range, its inside followed only far enough to find its end.
    package mutating func value() throws -> Range<Int> {
        let start = index
        guard let first = next else { throw fail("") }
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            repeat {
                guard index < json.count else { throw fail("") }
                switch json[index] {
                case UInt8(ascii: "\""):
                    guard let end = DuplicateKeys.endOfString(in: json, from: index + 1) else {
                        index = json.count
                        throw fail("")
                    }
                    index = end
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    // One value may be most of the file (our export's `conversations`).
                    if depth == 1 { pages?.reading(at: index) }
                default: break
                }
                index += 1
            } while depth > 0
        case UInt8(ascii: "\""):
            guard let end = DuplicateKeys.endOfString(in: json, from: index + 1) else {
                index = json.count
                throw fail("")
            }
            index = end + 1
        default:
            while index < json.count, !Self.endsScalar(json[index]) { index += 1 }
            guard index > start else { throw fail("expected a value") }
        }
        return start..<index
    }

    /// Only whitespace may follow the top-level `array` or `object`.
    package mutating func expectEnd(after value: String) throws {
        skipWhitespace()
        guard index == json.count else { throw fail("unexpected text after the \(value)") }
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: ":")
            || JSONArrayElements.isWhitespace(byte)
    }
}

extension Data {
    /// The bytes at offsets `range` from the start (a slice keeps its parent's indices, so offsets
    /// found in a slice are not its indices).
    package func bytes(at range: Range<Int>) -> Data {
        self[startIndex + range.lowerBound..<startIndex + range.upperBound]
    }
}
