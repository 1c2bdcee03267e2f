import Hummingbird
import NIOCore
import QlippyStore

/// Writes JSON straight into the response's byte buffer: no intermediate dictionaries or `Data`.
///
/// Commas are placed automatically: `key` and every value written in an array check whether
/// a value already precedes them at this level.
public struct JSONWriter {
    private(set) var buffer: ByteBuffer
    private var needsComma = false

    public init(capacity: Int = 256) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func beginObject() {
        separate()
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        buffer.writeInteger(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        buffer.writeInteger(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        buffer.writeInteger(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func key(_ name: StaticString) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(name)
        buffer.writeStaticString("\":")
        needsComma = false
    }

    mutating func value(_ string: String) {
        separate()
        writeEscaped(string)
        needsComma = true
    }

    mutating func value(_ string: String?) {
        guard let string else { return null() }
        value(string)
    }

    mutating func value(_ number: Int) {
        separate()
        buffer.writeString(String(number))
        needsComma = true
    }

    mutating func value(_ flag: Bool?) {
        guard let flag else { return null() }
        separate()
        buffer.writeStaticString(flag ? "true" : "false")
        needsComma = true
    }

    /// RFC 3339 UTC with microseconds and `Z`: `2026-11-24T20:15:48.364374Z`.
    mutating func value(_ timestamp: Timestamp?) {
        guard let timestamp else { return null() }
        separate()
        let c = timestamp.components
        buffer.writeInteger(UInt8(ascii: "\""))
        writeDigits(c.year, 4)
        buffer.writeInteger(UInt8(ascii: "-"))
        writeDigits(c.month, 2)
        buffer.writeInteger(UInt8(ascii: "-"))
        writeDigits(c.day, 2)
        buffer.writeInteger(UInt8(ascii: "T"))
        writeDigits(c.hour, 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeDigits(c.minute, 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeDigits(c.second, 2)
        buffer.writeInteger(UInt8(ascii: "."))
        writeDigits(c.microsecond, 6)
        buffer.writeStaticString("Z\"")
        needsComma = true
    }

    mutating func null() {
        separate()
        buffer.writeStaticString("null")
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ string: String) {
        key(name)
        value(string)
    }

    mutating func field(_ name: StaticString, _ string: String?) {
        key(name)
        value(string)
    }

    mutating func field(_ name: StaticString, _ number: Int) {
        key(name)
        value(number)
    }

    mutating func field(_ name: StaticString, _ flag: Bool?) {
        key(name)
        value(flag)
    }

    mutating func field(_ name: StaticString, _ timestamp: Timestamp?) {
        key(name)
        value(timestamp)
    }

    /// The finished document as a response with `Content-Type: application/json`.
    func response(status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    private mutating func separate() {
        if needsComma { buffer.writeInteger(UInt8(ascii: ",")) }
    }

    private mutating func writeDigits(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        if rest >= divisor * 10 { buffer.writeString(String(rest / (divisor * 10))); rest %= divisor * 10 }
        while divisor > 0 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Escapes `"`, `\` and control characters; everything else is copied as UTF-8.
    private mutating func writeEscaped(_ string: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                switch byte {
                case 0x22: buffer.writeStaticString("\\\"")
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                default:
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(Self.hexDigits[Int(byte >> 4)])
                    buffer.writeInteger(Self.hexDigits[Int(byte & 0x0F)])
                }
                runStart = index + 1
            }
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}

extension Response {
    /// A JSON response whose body `write` produces.
    static func json(_ status: HTTPResponse.Status, capacity: Int = 256, _ write: (inout JSONWriter) -> Void) -> Response {
        var json = JSONWriter(capacity: capacity)
        write(&json)
        return json.response(status: status)
    }
}
