/// A pull reader over one JSON value's bytes, for a format read so often that `JSONDecoder`'s
/// generic containers are most of its cost (a ChatGPT export's conversations).
///
/// It reads only what is plainly JSON: strings whose every byte is valid UTF-8 and whose escapes
/// are whole, finite numbers, keys without escapes. Anything else throws ``JSONReader/Unusual``,
/// and the caller reads that value with `JSONDecoder` instead, so that an odd file reads exactly
/// as it always has. It does not judge whether the bytes are JSON: they were checked before.
package struct JSONReader {
    /// What the reader leaves to `JSONDecoder`: not an error in the file, a case it does not read.
    package struct Unusual: Error {
        package init() {}
    }

    /// The kind of the next value.
    package enum Kind: Equatable { case object, array, string, number, bool, null }

    private let bytes: UnsafeRawBufferPointer
    private var position: Int

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        position = 0
    }

    /// The kind of the value that starts at the next non-blank byte.
    package mutating func kind() throws -> Kind {
        switch try peek() {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        default: throw Unusual()
        }
    }

    /// Reads an object, calling `member` with each key's bytes (no quotes); `member` reads or
    /// skips the value.
    package mutating func object(_ member: (inout JSONReader, UnsafeRawBufferPointer) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            let key = try rawString()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            if try separator(closing: UInt8(ascii: "}")) { return }
        }
    }

    /// Reads an array, calling `element` to read or skip each element.
    package mutating func array(_ element: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try element(&self)
            if try separator(closing: UInt8(ascii: "]")) { return }
        }
    }

    /// Reads a string value, escapes resolved.
    package mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        guard let plain = try plainString() else { return try escapedString(from: start) }
        return try Self.text(plain)
    }

    /// Reads a number value as a `Double`.
    package mutating func number() throws -> Double {
        _ = try peek()
        let start = position
        while position < bytes.count, Self.isNumberByte(bytes[position]) { position += 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw Unusual() }
        return value
    }

    /// Reads `true` or `false`.
    package mutating func bool() throws -> Bool {
        if try literal("true") { return true }
        if try literal("false") { return false }
        throw Unusual()
    }

    /// Reads `null`.
    package mutating func null() throws {
        guard try literal("null") else { throw Unusual() }
    }

    /// Passes over the next value, whatever it is.
    package mutating func skip() throws {
        switch try kind() {
        case .object: try object { reader, _ in try reader.skip() }
        case .array: try array { reader in try reader.skip() }
        case .string: try skipString()
        case .number: _ = try number()
        case .bool: _ = try bool()
        case .null: try null()
        }
    }

    /// Only blanks are left.
    package mutating func expectEnd() throws {
        skipBlanks()
        guard position == bytes.count else { throw Unusual() }
    }

    // MARK: Bytes

    private mutating func skipBlanks() {
        while position < bytes.count, JSONArrayElements.isWhitespace(bytes[position]) { position += 1 }
    }

    private mutating func peek() throws -> UInt8 {
        skipBlanks()
        guard position < bytes.count else { throw Unusual() }
        return bytes[position]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else { throw Unusual() }
        position += 1
    }

    /// After a member or element: `true` at the closing bracket, `false` after a comma.
    private mutating func separator(closing: UInt8) throws -> Bool {
        let byte = try peek()
        position += 1
        if byte == closing { return true }
        guard byte == UInt8(ascii: ",") else { throw Unusual() }
        return false
    }

    private mutating func literal(_ word: StaticString) throws -> Bool {
        _ = try peek()
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return false }
        position += count
        return true
    }

    /// A string's bytes between its quotes, without escapes (a key).
    private mutating func rawString() throws -> UnsafeRawBufferPointer {
        try expect(UInt8(ascii: "\""))
        guard let plain = try plainString() else { throw Unusual() }
        return plain
    }

    /// From just past a string's opening quote: its bytes up to the closing quote (passed), or
    /// `nil` at the first escape (left where it is).
    private mutating func plainString() throws -> UnsafeRawBufferPointer? {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<(position - 1)])
            }
            if byte == UInt8(ascii: "\\") { return nil }
            if byte < 0x20 { throw Unusual() }
            position += 1
        }
        throw Unusual()
    }

    private mutating func skipString() throws {
        try expect(UInt8(ascii: "\""))
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { return }
            if byte == UInt8(ascii: "\\") { position += 1 }
        }
        throw Unusual()
    }

    /// The rest of a string from `start` (just past its quote), at least one escape in it.
    private mutating func escapedString(from start: Int) throws -> String {
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return try out.withUnsafeBytes(Self.text)
            case UInt8(ascii: "\\"):
                try unescape(into: &out)
            case ..<0x20:
                throw Unusual()
            default:
                out.append(byte)
            }
        }
        throw Unusual()
    }

    private mutating func unescape(into out: inout [UInt8]) throws {
        guard position < bytes.count else { throw Unusual() }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            guard let (scalar, length) = JSONEscape.unicode(in: bytes, at: position) else { throw Unusual() }
            position += length
            out.append(contentsOf: UTF8.encode(scalar)!)
        default:
            throw Unusual()
        }
    }

    private static func text(_ utf8: UnsafeRawBufferPointer) throws -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw Unusual() }
        return text
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"),
            UInt8(ascii: "E"):
            true
        default: false
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes are `text`'s UTF-8 (a key compared without making a `String`).
    package func equals(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && elementsEqual(UnsafeRawBufferPointer(start: text.utf8Start, count: count))
    }
}

/// A value read as `try? container.decodeIfPresent(_:forKey:)` reads it: the value, `null` (or
/// no such member, for the caller to start from), or a value of another kind, passed over.
package enum Lenient<Value> {
    case value(Value)
    case null
    case otherKind

    /// The value, `nil` when null or of another kind.
    package var value: Value? {
        if case .value(let value) = self { value } else { nil }
    }

    /// Whether `Decodable` synthesised for an optional field of this type would fail on it.
    package var fails: Bool {
        if case .otherKind = self { true } else { false }
    }
}

extension JSONReader {
    package mutating func lenientString() throws -> Lenient<String> {
        try lenient(.string) { try $0.string() }
    }

    package mutating func lenientNumber() throws -> Lenient<Double> {
        try lenient(.number) { try $0.number() }
    }

    /// The next value as ``Lenient``: read by `read` when of `kind`.
    package mutating func lenient<Value>(_ kind: Kind, _ read: (inout JSONReader) throws -> Value) throws -> Lenient<Value> {
        let found = try self.kind()
        if found == kind { return .value(try read(&self)) }
        if found == .null {
            try null()
            return .null
        }
        try skip()
        return .otherKind
    }
}
