import QlippyModel

/// Writes JSON straight into one growing byte array: no intermediate dictionaries, `Data` or
/// `Encoder` containers; the finished bytes are copied once into the response's buffer.
///
/// A plain `[UInt8]` rather than NIO's `ByteBuffer`: profiling showed `ByteBuffer`'s per-call
/// bookkeeping (capacity and exclusivity checks) dominating when JSON is written a byte at a time.
///
/// Commas are placed automatically: `key` and every value written in an array check whether
/// a value already precedes them at this level.
public struct JSONWriter {
    package private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    package mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    package mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    package mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    package mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    package mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        append(name)
        append("\":")
        needsComma = false
    }

    package mutating func value(_ string: String) {
        separate()
        writeEscaped(string)
        needsComma = true
    }

    /// `string` followed by `suffix` (plain ASCII, not escaped) as one JSON string.
    package mutating func value(_ string: String, suffix: StaticString) {
        separate()
        writeEscaped(string, suffix: suffix)
        needsComma = true
    }

    package mutating func value(_ string: String?) {
        guard let string else { return null() }
        value(string)
    }

    package mutating func value(_ number: Int) {
        separate()
        bytes.append(contentsOf: String(number).utf8)
        needsComma = true
    }

    package mutating func value(_ flag: Bool?) {
        guard let flag else { return null() }
        separate()
        append(flag ? "true" : "false")
        needsComma = true
    }

    /// RFC 3339 UTC with microseconds and `Z`: `2026-11-24T20:15:48.364374Z`.
    package mutating func value(_ timestamp: Timestamp?) {
        guard let timestamp else { return null() }
        separate()
        let c = timestamp.components
        bytes.append(UInt8(ascii: "\""))
        writeDigits(c.year, 4)
        bytes.append(UInt8(ascii: "-"))
        writeDigits(c.month, 2)
        bytes.append(UInt8(ascii: "-"))
        writeDigits(c.day, 2)
        bytes.append(UInt8(ascii: "T"))
        writeDigits(c.hour, 2)
        bytes.append(UInt8(ascii: ":"))
        writeDigits(c.minute, 2)
        bytes.append(UInt8(ascii: ":"))
        writeDigits(c.second, 2)
        bytes.append(UInt8(ascii: "."))
        writeDigits(c.microsecond, 6)
        append("Z\"")
        needsComma = true
    }

    package mutating func null() {
        separate()
        append("null")
        needsComma = true
    }

    /// A field whose name is data (a map's key), escaped like any string.
    package mutating func dynamicField(_ name: String, _ number: Int) {
        value(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
        value(number)
    }

    package mutating func dynamicField(_ name: String, _ string: String) {
        value(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
        value(string)
    }

    package mutating func field(_ name: StaticString, _ string: String) {
        key(name)
        value(string)
    }

    package mutating func field(_ name: StaticString, _ string: String?) {
        key(name)
        value(string)
    }

    package mutating func field(_ name: StaticString, _ number: Int) {
        key(name)
        value(number)
    }

    package mutating func field(_ name: StaticString, _ flag: Bool?) {
        key(name)
        value(flag)
    }

    package mutating func field(_ name: StaticString, _ timestamp: Timestamp?) {
        key(name)
        value(timestamp)
    }

    /// The `Content-Type` of every JSON answer, whole or streamed.
    package static let contentType = "application/json; charset=utf-8"

    /// The bytes written so far, leaving the writer empty but where it was in the document: a
    /// document streamed in pieces is written by one writer, taken from after each piece.
    package mutating func takeBytes() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    private mutating func writeDigits(_ value: Int, _ width: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        guard width <= 6, value >= 0, value < 1_000_000 else {
            let text = String(value)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - text.utf8.count)))
            bytes.append(contentsOf: text.utf8)
            return
        }
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            for index in stride(from: width - 1, through: 0, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            bytes.append(contentsOf: buffer[0..<width])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Escapes `"`, `\` and control characters; every other byte is copied as UTF-8, in runs.
    ///
    /// Eight bytes are tested at a time (``needsEscape(_:)``): message text rarely needs escaping, and
    /// testing byte by byte was the writer's largest cost on a conversation GET.
    private mutating func writeEscaped(_ string: String, suffix: StaticString = "") {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                if index + 8 <= utf8.count {
                    let word = UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self)
                    if !Self.needsEscape(word) {
                        index += 8
                        continue
                    }
                }
                let end = min(index + 8, utf8.count)
                while index < end {
                    let byte = utf8[index]
                    if byte < 0x20 || byte == 0x22 || byte == 0x5C {
                        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                        writeEscape(byte)
                        runStart = index + 1
                    }
                    index += 1
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        append(suffix)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscape(_ byte: UInt8) {
        switch byte {
        case 0x22: append("\\\"")
        case 0x5C: append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        default:
            append("\\u00")
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        }
    }

    /// Whether any of the eight bytes is below 0x20, `"` or `\` (the classic "has zero byte" and
    /// "has byte less than" bit tricks: exact about whether one exists, which is all this asks).
    package static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        let quote = (quotes &- ones) & ~quotes
        let backslash = (backslashes &- ones) & ~backslashes
        return (control | quote | backslash) & highBits != 0
    }
}
