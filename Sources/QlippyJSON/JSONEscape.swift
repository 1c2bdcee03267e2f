/// A `\u` escape read as JSON defines it, for both the strict check (``StrictJSON``) and the pull
/// reader (``JSONReader``).
package enum JSONEscape {
    /// The scalar the escape's digits at `index` (just past the `u`) stand for, and how many bytes
    /// they take: 4, or 10 for a surrogate pair (`d83d\ude80`). `nil` for a digit that is not hex
    /// or a surrogate that is not half of a pair.
    package static func unicode(in bytes: UnsafeRawBufferPointer, at index: Int) -> (scalar: Unicode.Scalar, length: Int)? {
        guard let unit = hex4(bytes, at: index) else { return nil }
        switch unit {
        case 0xD800..<0xDC00:
            guard bytes.count - index >= 10, bytes[index + 4] == UInt8(ascii: "\\"), bytes[index + 5] == UInt8(ascii: "u"),
                let low = hex4(bytes, at: index + 6), (0xDC00..<0xE000).contains(low)
            else { return nil }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)).map { ($0, 10) }
        case 0xDC00..<0xE000:
            return nil
        default:
            return Unicode.Scalar(unit).map { ($0, 4) }
        }
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"):
                digit = (byte | 0x20) - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
