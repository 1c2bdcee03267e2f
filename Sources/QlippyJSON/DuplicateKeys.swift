import Foundation

/// Finds a key written twice in a JSON object's top level: `{"username": "a", "username": "b"}`.
///
/// JSON parsers keep one of the two silently (Foundation's keeps the first), so the server could
/// act on a value the client's own parser would have read differently. The contract's bodies are
/// flat objects, so only the top level is checked. Runs on text that already parsed as an object.
package enum DuplicateKeys {
    /// The first key that appears twice, unescaped, or `nil`. Takes raw bytes, not a generic
    /// collection, so that indexing costs nothing in debug builds either.
    package static func first(in json: UnsafeRawBufferPointer) -> String? {
        var seen: Set<String> = []
        var depth = 0
        var expectingKey = false
        var index = 0
        while index < json.count {
            let byte = json[index]
            switch byte {
            case UInt8(ascii: "\""):
                let start = index
                // The text parsed as JSON: every string is closed.
                index = endOfString(in: json, from: index + 1) ?? json.count - 1
                if depth == 1 && expectingKey {
                    expectingKey = false
                    let key = Self.text(of: json[start...index])
                    if !seen.insert(key).inserted { return key }
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// The index of the quote that closes the string whose text starts at `start` (`nil`: none): `memchr` finds
    /// each quote, and one preceded by an odd run of backslashes is escaped. Strings are most of a
    /// body's bytes, and a byte-by-byte loop over a 10 MB string took over a second in a debug build.
    package static func endOfString(in json: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while let found = memchr(json.baseAddress! + index, Int32(UInt8(ascii: "\"")), json.count - index) {
            let quote = json.baseAddress!.distance(to: UnsafeRawPointer(found))
            var backslashes = 0
            while quote - backslashes - 1 >= start, json[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
            if backslashes % 2 == 0 { return quote }
            index = quote + 1
        }
        return nil
    }

    /// A quoted JSON string's text, escapes resolved (`"\u0061"` and `"a"` are the same key).
    private static func text(of quoted: Slice<UnsafeRawBufferPointer>) -> String {
        let inner = quoted.dropFirst().dropLast()
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        return (try? JSONDecoder().decode(String.self, from: Data(quoted))) ?? String(decoding: inner, as: UTF8.self)
    }
}
