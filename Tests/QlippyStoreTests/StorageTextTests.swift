import Foundation
import QlippyModel
import QlippyTestSupport
import Testing

/// The text both stores keep of a time: the original's `YYYY-MM-DD HH:MM:SS.ffffff`.
@Suite("Timestamps as stored")
struct StorageTextTests {
    @Test func everyInstantIsWrittenAsTheOriginalDidAndReadsBack() {
        var random = SeededRandom(seed: 18)
        let instants =
            [0, 1, 999_999, 1_000_000, 253_402_300_799_999_999]
            + (0..<2_000).map { _ in
                Int64.random(in: 0...253_402_300_799_999_999, using: &random)
            }
        for micros in instants {
            let timestamp = Timestamp(microsecondsSinceEpoch: micros)
            let c = timestamp.components
            let reference = String(
                format: "%04d-%02d-%02d %02d:%02d:%02d.%06d", c.year, c.month, c.day, c.hour, c.minute, c.second, c.microsecond)
            #expect(timestamp.storageText == reference)
            #expect(Timestamp(iso8601: timestamp.storageText) == timestamp)
        }
    }

    @Test func yearsBeyondFourDigitsKeepAllOfThem() {
        let timestamp = Timestamp(microsecondsSinceEpoch: 327_416_976_550_000_011)
        #expect(timestamp.storageText == "12345-06-07 08:09:10.000011")
    }
}
