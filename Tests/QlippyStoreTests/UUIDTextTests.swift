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
}
