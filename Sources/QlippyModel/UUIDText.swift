/// Ids on the wire: UUIDs in either case, stored lowercase.
public enum UUIDText {
    /// `raw` in lowercase when it is a UUID (8-4-4-4-12 hex digits), else `nil`. Written into the
    /// result's own storage: every path id of every request passes here.
    public static func normalized(_ raw: String) -> String? {
        guard raw.utf8.count == 36 else { return nil }
        var valid = true
        let lowered = String(unsafeUninitializedCapacity: 36) { lowered in
            for (index, byte) in raw.utf8.enumerated() {
                let separator = index == 8 || index == 13 || index == 18 || index == 23
                switch byte {
                case UInt8(ascii: "-"):
                    lowered[index] = byte
                    valid = separator
                case _ where separator: valid = false
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): lowered[index] = byte
                case UInt8(ascii: "A")...UInt8(ascii: "F"): lowered[index] = byte + 32
                default: valid = false
                }
                guard valid else { return 0 }
            }
            return 36
        }
        return valid ? lowered : nil
    }
}
