#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A UTC instant with microsecond precision.
///
/// Kept as an integer count of microseconds rather than a `Date`, because the original backend
/// stored microseconds and a `Double` cannot round-trip every one of them: an id-for-id, digit-for-digit
/// adoption of the legacy database needs exact values.
public struct Timestamp: Sendable, Hashable, Comparable, Codable {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// The current wall-clock time.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microsecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }

    /// The instant `duration` (whole seconds) before this one.
    public func minus(_ duration: Duration) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: microsecondsSinceEpoch - duration.components.seconds * 1_000_000)
    }

    public func plus(_ duration: Duration) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: microsecondsSinceEpoch + duration.components.seconds * 1_000_000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// The calendar fields of this instant in UTC (proleptic Gregorian calendar).
    public var components: Components {
        let micros = microsecondsSinceEpoch
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = Self.civilDate(fromDays: days)
        return Components(
            year: Int(year), month: Int(month), day: Int(day),
            hour: Int(secondOfDay / 3_600), minute: Int(secondOfDay % 3_600 / 60), second: Int(secondOfDay % 60),
            microsecond: Int(fraction)
        )
    }

    public init(_ components: Components) {
        let days = Self.days(fromCivilYear: Int64(components.year), month: Int64(components.month), day: Int64(components.day))
        let seconds = days * 86_400 + Int64(components.hour * 3_600 + components.minute * 60 + components.second)
        self.init(microsecondsSinceEpoch: seconds * 1_000_000 + Int64(components.microsecond))
    }

    /// Calendar fields of a UTC instant.
    public struct Components: Sendable, Hashable {
        public var year, month, day, hour, minute, second, microsecond: Int
    }

    // Howard Hinnant's days-from-civil algorithms: exact for every date, no Foundation calendar needed.
    private static func days(fromCivilYear y: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilDate(fromDays z: Int64) -> (Int64, Int64, Int64) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}

extension Timestamp {
    /// Parses `YYYY-MM-DD[ Tt]HH:MM:SS[.f{1,9}][Zz|±HH:MM]`: the original's storage text
    /// (`2026-11-24 20:21:09.503554`), its naive ISO output, our RFC 3339 output, and any RFC 3339
    /// date-time a client sends (an offset is converted to UTC).
    public init?(iso8601 text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    /// Works on the UTF-8 bytes in place: this runs for every timestamp of every row served.
    package static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for offset in index..<index + width {
                let digit = bytes[offset] &- 0x30
                guard digit <= 9 else { return nil }
                value = value * 10 + Int(digit)
            }
            index += width
            return value
        }
        func expect(_ first: UInt8, or second: UInt8? = nil) -> Bool {
            guard index < bytes.count, bytes[index] == first || bytes[index] == second else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(0x2D), let month = number(2), expect(0x2D), let day = number(2),
            expect(0x20, or: 0x54) || expect(0x74), let hour = number(2), expect(0x3A), let minute = number(2), expect(0x3A),
            let second = number(2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var microsecond = 0
        if index < bytes.count, bytes[index] == 0x2E {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] &- 0x30 <= 9 {
                if digits < 6 { microsecond = microsecond * 10 + Int(bytes[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { microsecond *= 10 }
        }
        // RFC 3339 ends with Z or an offset (`+05:30`); stored timestamps have neither and are UTC.
        var offsetMinutes = 0
        if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D {
            let sign = bytes[index] == 0x2D ? -1 : 1
            index += 1
            guard let hours = number(2), expect(0x3A), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offsetMinutes = sign * (hours * 60 + minutes)
        } else {
            _ = expect(0x5A, or: 0x7A)
        }
        guard index == bytes.count else { return nil }
        let local = Timestamp(
            Components(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: microsecond))
        return Timestamp(microsecondsSinceEpoch: local.microsecondsSinceEpoch - Int64(offsetMinutes) * 60_000_000)
    }
}

/// How both stores keep a time: the original backend's encoding, so that an adopted file stays
/// readable by it, and PostgreSQL's `timestamp` takes the same text.
extension Timestamp {
    /// `YYYY-MM-DD HH:MM:SS.ffffff`, naive UTC: how SQLAlchemy stored `DateTime` columns.
    ///
    /// Written digit by digit into the string's own storage: a write stores several and an API key
    /// check binds one on every request. Years outside 0...9999 keep all their digits.
    public var storageText: String {
        let c = components
        guard (0...9999).contains(c.year) else {
            return
                "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(c.microsecond, 6))"
        }
        return String(unsafeUninitializedCapacity: 26) { buffer in
            var index = 0
            func digits(_ value: Int, _ width: Int, then separator: UInt8?) {
                var rest = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[index + offset] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                    rest /= 10
                }
                index += width
                if let separator {
                    buffer[index] = separator
                    index += 1
                }
            }
            digits(c.year, 4, then: 0x2D)
            digits(c.month, 2, then: 0x2D)
            digits(c.day, 2, then: 0x20)
            digits(c.hour, 2, then: 0x3A)
            digits(c.minute, 2, then: 0x3A)
            digits(c.second, 2, then: 0x2E)
            digits(c.microsecond, 6, then: nil)
            return index
        }
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
