/// Ids on the wire: UUIDs in either case, stored lowercase.
public enum UUIDText {
    /// `raw` in lowercase when it is a UUID (8-4-4-4-12 hex digits), else `nil`.
    public static func normalized(_ raw: String) -> String? {
        guard raw.utf8.count == 36 else { return nil }
        var lowered = [UInt8]()
        lowered.reserveCapacity(36)
        for (index, byte) in raw.utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                lowered.append(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): lowered.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): lowered.append(byte + 32)
            default: return nil
            }
        }
        return String(decoding: lowered, as: UTF8.self)
    }
}
