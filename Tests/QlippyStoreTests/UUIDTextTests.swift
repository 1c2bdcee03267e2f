import Foundation
import QlippyModel
import Testing

/// Ids on the wire: a UUID in either case names the row stored in lowercase; anything else is no id.
@Suite("UUID text")
struct UUIDTextTests {
    @Test func uuidsInEitherCaseAreLowered() {
        for _ in 0..<200 {
            let uuid = UUID().uuidString
            #expect(UUIDText.normalized(uuid) == uuid.lowercased())
            #expect(UUIDText.normalized(uuid.lowercased()) == uuid.lowercased())
        }
    }

    @Test(arguments: [
        "", "0123456789abcdef0123456789abcdef0123", "0123456-89ab-cdef-0123-456789abcdef", "01234567-89ab-cdef-0123-456789abcdeg",
        "01234567-89ab-cdef-0123_456789abcdef", "01234567-89ab-cdef-0123-456789abcde", "01234567-89ab-cdef-0123-456789abcdef0",
        "0123456é-89ab-cdef-0123-456789abcde", "01234567-89ab-cdef-0123-456789abcd-f",
    ])
    func anythingElseIsNoID(raw: String) {
        #expect(UUIDText.normalized(raw) == nil)
    }

    /// New ids are version-7 UUIDs whose first twelve digits are the time in milliseconds, so
    /// that ids made later sort later; the rest is random.
    @Test func newIDsAreVersion7AndSortByTime() async throws {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let first = newID()
        try await Task.sleep(for: .milliseconds(3))
        let second = newID()
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        for id in [first, second] {
            #expect(UUIDText.normalized(id) == id)
            let digits = Array(id.replacing("-", with: ""))
            #expect(digits[12] == "7")
            #expect("89ab".contains(digits[16]))
            let milliseconds = try #require(UInt64(String(digits[0..<12]), radix: 16))
            #expect((before...after).contains(milliseconds))
        }
        #expect(first < second)
        let many = (0..<10_000).map { _ in newID() }
        #expect(Set(many).count == many.count)
    }
}
