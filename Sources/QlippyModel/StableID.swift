/// Ids derived from a name: the same name gives the same id, on any machine, in any run.
///
/// An import gives a conversation from another app the id `StableID.make("chatgpt/<user>/<its id>")`,
/// so importing the same file again finds it (idempotent) without a column for source ids, and two
/// users importing the same export get different ids. The id is a UUID of version 8 (RFC 9562's
/// custom layout) made of two 64-bit FNV-1a hashes of the name: not cryptographic, and it need not
/// be: an id that happens to be taken by another user's row is replaced, never overwritten.
package enum StableID {
    package static func make(_ name: String) -> String {
        format(high: FNV1a.hash(name), low: FNV1a.hash(name, seed: lowSeed))
    }

    /// The id of `name`, a member of `group` (a message of a conversation): its high half is the
    /// group's, so a conversation's messages sort side by side in the `messages.id` index.
    ///
    /// An import then writes a conversation's ids into one or two of the index's pages instead of
    /// one page each, all over a large index: the pages a commit must write to the log, and the
    /// pages the writer must read to find where each id goes, fall by the conversation's length.
    package static func make(_ name: String, in group: String) -> String {
        format(high: FNV1a.hash(group), low: FNV1a.hash(name, seed: lowSeed))
    }

    private static let lowSeed: UInt64 = 0x6C62_272E_07BB_0142

    private static func format(high: UInt64, low: UInt64) -> String {
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
