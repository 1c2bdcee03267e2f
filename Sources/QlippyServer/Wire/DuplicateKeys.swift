import Foundation

/// Finds a key written twice in a JSON object's top level: `{"username": "a", "username": "b"}`.
///
/// JSON parsers keep one of the two silently (Foundation's keeps the first), so the server could
/// act on a value the client's own parser would have read differently. The contract's bodies are
/// flat objects, so only the top level is checked. Runs on text that already parsed as an object.
enum DuplicateKeys {
    /// The first key that appears twice, unescaped, or `nil`. Takes raw bytes, not a generic
    /// collection: a 10 MB body is scanned byte by byte, in debug builds too.
    static func first(in json: UnsafeRawBufferPointer) -> String? {
        var seen: Set<String> = []
        var depth = 0
        var expectingKey = false
        var index = 0
        while index < json.count {
            let byte = json[index]
            switch byte {
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while json[index] != UInt8(ascii: "\"") {
                    index += json[index] == UInt8(ascii: "\\") ? 2 : 1
                }
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

    /// A quoted JSON string's text, escapes resolved (`"\u0061"` and `"a"` are the same key).
    private static func text(of quoted: Slice<UnsafeRawBufferPointer>) -> String {
        let inner = quoted.dropFirst().dropLast()
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        return (try? JSONDecoder().decode(String.self, from: Data(quoted))) ?? String(decoding: inner, as: UTF8.self)
    }
}
