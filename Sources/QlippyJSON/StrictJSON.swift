/// A fast check that bytes are one JSON value as RFC 8259 defines it, for an import that checks a
/// large file's every element before it writes anything.
///
/// `true` means the bytes are plainly JSON: the grammar, UTF-8 that is valid and shortest-form,
/// no control character in a string, no escaped surrogate that is not half of a pair, at most
/// ``maximumDepth`` levels. `false` means "not sure", and the caller asks `JSONDecoder`, whose
/// verdict (and error) stands: so a file is accepted or refused as before, and only the plain
/// case, nearly every file, is decided here, without `JSONDecoder`'s map of every value.
package enum StrictJSON {
    package static let maximumDepth = 256

    package static func isPlainlyValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        var check = Check(bytes: base, count: bytes.count)
        return check.value(depth: 0) && check.atEnd()
    }

    private struct Check {
        let bytes: UnsafePointer<UInt8>
        let count: Int
        var index = 0

        init(bytes: UnsafePointer<UInt8>, count: Int) {
            self.bytes = bytes
            self.count = count
        }

        mutating func atEnd() -> Bool {
            skipBlanks()
            return index == count
        }

        mutating func value(depth: Int) -> Bool {
            skipBlanks()
            guard index < count, depth < maximumDepth else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"): return object(depth: depth + 1)
            case UInt8(ascii: "["): return array(depth: depth + 1)
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        private mutating func object(depth: Int) -> Bool {
            index += 1
            if take(UInt8(ascii: "}")) { return true }
            repeat {
                skipBlanks()
                guard index < count, bytes[index] == UInt8(ascii: "\""), string(), take(UInt8(ascii: ":")), value(depth: depth) else {
                    return false
                }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}"))
        }

        private mutating func array(depth: Int) -> Bool {
            index += 1
            if take(UInt8(ascii: "]")) { return true }
            repeat {
                guard value(depth: depth) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]"))
        }

        /// After blanks, `byte`, passed.
        private mutating func take(_ byte: UInt8) -> Bool {
            skipBlanks()
            guard index < count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipBlanks() {
            while index < count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let length = word.utf8CodeUnitCount
            guard count - index >= length else { return false }
            for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += length
            return true
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        private mutating func number() -> Bool {
            if index < count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < count else { return false }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else if !digits() {
                return false
            }
            if index < count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() else { return false }
            }
            if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                index += 1
                if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() else { return false }
            }
            return true
        }

        /// One or more digits, passed.
        private mutating func digits() -> Bool {
            let start = index
            while index < count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index > start
        }

        /// From the opening quote to past the closing one.
        private mutating func string() -> Bool {
            index += 1
            while index < count {
                let byte = bytes[index]
                if byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                    index += 1
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return true
                case UInt8(ascii: "\\"):
                    guard escape() else { return false }
                case 0x80...:
                    guard scalar() else { return false }
                default:
                    return false
                }
            }
            return false
        }

        /// An escape, from its backslash; a surrogate only as a pair.
        private mutating func escape() -> Bool {
            index += 1
            guard index < count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 1
                return true
            case UInt8(ascii: "u"):
                guard let (_, length) = JSONEscape.unicode(in: UnsafeRawBufferPointer(start: bytes, count: count), at: index + 1) else {
                    return false
                }
                index += 1 + length
                return true
            default:
                return false
            }
        }

        /// A multi-byte UTF-8 sequence, shortest form, no surrogates, at most U+10FFFF (the table of
        /// well-formed sequences in the Unicode standard, 3.9).
        private mutating func scalar() -> Bool {
            let lead = bytes[index]
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, low) = (3, 0xA0)
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: (length, high) = (3, 0x9F)
            case 0xF0: (length, low) = (4, 0x90)
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, high) = (4, 0x8F)
            default: return false
            }
            guard count - index >= length else { return false }
            let second = bytes[index + 1]
            guard second >= low && second <= high else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
            return true
        }
    }
}
