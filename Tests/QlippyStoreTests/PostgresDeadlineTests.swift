import Logging
import PostgresNIO
import QlippyModel
import QlippyTestSupport
import Synchronization
import Testing

@testable import QlippyPostgres
@testable import QlippyStore

/// The PostgreSQL store's deadline: requests give up with "unavailable"; long work (a `migrate`
/// batch) runs without one. A copy of a million messages once ended as "unavailable" when a batch's
/// index maintenance ran past the requests' 5 s.
@Suite("PostgreSQL deadlines")
struct PostgresDeadlineTests {
    /// The deadline fires within a tick or so of passing (``Deadlines``), and the caller is
    /// answered then, not when the work ends; the work is cancelled. The bound is "well before the
    /// work's 10 s", not a latency figure: in a full run other suites' work holds the two cooperative
    /// threads for seconds at a time, and the timer waits for one (it answered after 5.25 s and 5.48 s).
    @Test func slowWorkIsUnavailableWithinADeadline() async throws {
        let started = ContinuousClock.now
        let cancelled = Mutex(false)
        await #expect(throws: StoreError.unavailable) {
            try await PostgresStore.within(.milliseconds(50)) {
                do {
                    try await Task.sleep(for: .seconds(10))
                } catch {
                    cancelled.withLock { $0 = true }
                    throw error
                }
                return 1
            }
        }
        #expect(started.duration(to: .now) < .seconds(9))
        try await Task.sleep(for: .milliseconds(100))
        #expect(cancelled.withLock { $0 })
    }

    @Test func withoutADeadlineSlowWorkFinishes() async throws {
        let value = try await PostgresStore.within(nil) {
            try await Task.sleep(for: .milliseconds(400))
            return 7
        }
        #expect(value == 7)
    }

    /// A server's store answers "unavailable" when PostgreSQL takes longer than its deadline; the
    /// store `migrate` opens (no deadline) waits for slow statements such as an index build.
    @Test(.enabled(if: TestStore.current == .postgres, "needs the PostgreSQL run"))
    func aStoreWithoutADeadlineWaitsForSlowStatements() async throws {
        let url = TestPostgres.url(of: TestPostgres.newDatabaseName())
        try await TestPostgres.create(url)
        let logger = Logger(label: "tests.deadline")
        let hasty = try await PostgresStore.open(location: try PostgresLocation(url: url), logger: logger, deadline: .milliseconds(100))
        await #expect(throws: StoreError.unavailable) {
            // The rows are read inside: `query` may return its row sequence before the row arrives.
            // 3 s against 100 ms: deadlines are checked every 200 ms on a pool the suite keeps busy.
            try await hasty.run { connection in
                for try await _ in try await connection.query("SELECT pg_sleep(3)", logger: logger) {}
            }
        }
        try await hasty.close()
        let patient = try await PostgresStore.open(location: try PostgresLocation(url: url), logger: logger, deadline: nil)
        let answer = try await patient.run { connection in
            try await connection.query("SELECT 42 FROM pg_sleep(0.5)", logger: logger).decode(Int.self).first { _ in true }
        }
        #expect(answer == 42)
        try await patient.close()
    }
}
