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

    /// The 36 characters of the UUID's text, written into one buffer rather than a string per byte:
    /// an import makes one per message.
    private static func format(high: UInt64, low: UInt64) -> String {
        var bytes = withUnsafeBytes(of: high.bigEndian, Array.init) + withUnsafeBytes(of: low.bigEndian, Array.init)
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return String(unsafeUninitializedCapacity: 36) { text in
            let digits: StaticString = "0123456789abcdef"
            var at = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[at] = UInt8(ascii: "-")
                    at += 1
                }
                text[at] = digits.utf8Start[Int(byte >> 4)]
                text[at + 1] = digits.utf8Start[Int(byte & 0x0F)]
                at += 2
            }
            return at
        }
    }
}
