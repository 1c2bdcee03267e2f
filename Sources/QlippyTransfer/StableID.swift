import QlippyModel
import QlippyStore

/// Ids derived from a name: the same name gives the same id, on any machine, in any run.
///
/// An import gives a conversation from another app the id `StableID.make("chatgpt/<user>/<its id>")`,
/// so importing the same file again finds it (idempotent) without a column for source ids, and two
/// users importing the same export get different ids. The id is a UUID of version 8 (RFC 9562's
/// custom layout) made of two 64-bit FNV-1a hashes of the name: not cryptographic, and it need not
/// be: an id that happens to be taken by another user's row is replaced, never overwritten.
package enum StableID {
    package static func make(_ name: String) -> String {
        let high = FNV1a.hash(name)
        let low = FNV1a.hash(name, seed: 0x6C62_272E_07BB_0142)
        var bytes = withUnsafeBytes(of: high.bigEndian, Array.init) + withUnsafeBytes(of: low.bigEndian, Array.init)
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        let hex = bytes.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}
