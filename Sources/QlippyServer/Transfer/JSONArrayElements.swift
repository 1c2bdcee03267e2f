import Foundation

/// The byte ranges of a top-level JSON array's elements, found without parsing them: an import
/// decodes one conversation at a time from its range, so a file of a million messages never
/// becomes a million decoded values at once (only the file's bytes, once).
///
/// The scan follows the structure (brackets, strings, commas) and skips strings with `memchr`;
/// whether each element is valid JSON is for its own decode to say (``validate(_:in:)``).
enum JSONArrayElements {
    /// Throws ``ImportError/notJSON(_:)`` with the position where the structure breaks. `pages`,
    /// when `data` is that mapped file's, hears how far the scan has read.
    static func ranges(in data: Data, pages: MappedFile? = nil) throws -> [Range<Int>] {
        guard data.first(where: { !isWhitespace($0) }) == UInt8(ascii: "[") else {
            // Not an array at all: say what it is (or where it stops being JSON).
            throw ImportError.unrecognised(found: try Importer.decode(Shape.self, from: data).name)
        }
        return try data.withUnsafeBytes { bytes in try scan(bytes, of: data, pages: pages) }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Decodes each element's bytes once, only to check that it is JSON, so that a file broken
    /// in its middle is refused before anything is written; says where it broke.
    static func validate(_ ranges: [Range<Int>], in data: Data, pages: MappedFile? = nil) throws {
        for range in ranges {
            pages?.reading(at: range.upperBound)
            let element = data[data.startIndex + range.lowerBound..<data.startIndex + range.upperBound]
            guard (try? JSONDecoder().decode(Skip.self, from: element)) == nil else { continue }
            let inner = JSONSyntaxProblem.find(in: Data(element))?.offset ?? 0
            throw ImportError.notJSON(JSONSyntaxProblem(what: "invalid value", offset: range.lowerBound + inner).described(in: data))
        }
    }

    /// Any JSON value, not kept.
    private struct Skip: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    /// `json` is `data`'s bytes; `data` is for saying where a problem is.
    private static func scan(_ json: UnsafeRawBufferPointer, of data: Data, pages: MappedFile?) throws -> [Range<Int>] {
        var index = 0
        func skipWhitespace() {
            while index < json.count, isWhitespace(json[index]) { index += 1 }
        }
        func fail(_ what: String) -> ImportError {
            let problem = index >= json.count ? .endOfFile(at: json.count) : JSONSyntaxProblem(what: what, offset: index)
            return .notJSON(problem.described(in: data))
        }
        skipWhitespace()
        index += 1  // the "[" that ranges(in:) found
        var ranges: [Range<Int>] = []
        skipWhitespace()
        if index < json.count, json[index] == UInt8(ascii: "]") { return ranges }
        while true {
            skipWhitespace()
            let start = index
            guard index < json.count else { throw fail("") }
            switch json[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                repeat {
                    guard index < json.count else { throw fail("") }
                    switch json[index] {
                    case UInt8(ascii: "\""):
                        guard let end = DuplicateKeys.endOfString(in: json, from: index + 1) else { index = json.count; throw fail("") }
                        index = end
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                    default: break
                    }
                    index += 1
                } while depth > 0
            case UInt8(ascii: "\""):
                guard let end = DuplicateKeys.endOfString(in: json, from: index + 1) else { index = json.count; throw fail("") }
                index = end + 1
            default:
                while index < json.count, !Self.endsScalar(json[index]) { index += 1 }
                guard index > start else { throw fail("expected a value") }
            }
            ranges.append(start..<index)
            pages?.reading(at: index)
            skipWhitespace()
            guard index < json.count else { throw fail("") }
            if json[index] == UInt8(ascii: "]") { break }
            guard json[index] == UInt8(ascii: ",") else { throw fail("expected , or ]") }
            index += 1
        }
        index += 1
        skipWhitespace()
        guard index == json.count else { throw fail("unexpected text after the array") }
        return ranges
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || isWhitespace(byte)
    }
}
