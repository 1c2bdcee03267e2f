@testable import QlippyStore
import Testing

/// The PostgreSQL store's deadline: requests give up with "unavailable"; long work (a `migrate`
/// batch) runs without one. A copy of a million messages once ended as "unavailable" when a batch's
/// index maintenance ran past the requests' 5 s.
@Suite("PostgreSQL deadlines")
struct PostgresDeadlineTests {
    @Test func slowWorkIsUnavailableWithinADeadline() async throws {
        await #expect(throws: StoreError.unavailable) {
            try await PostgresStore.within(.milliseconds(50)) {
                try await Task.sleep(for: .milliseconds(400))
                return 1
            }
        }
    }

    @Test func withoutADeadlineSlowWorkFinishes() async throws {
        let value = try await PostgresStore.within(nil) {
            try await Task.sleep(for: .milliseconds(400))
            return 7
        }
        #expect(value == 7)
    }
}
