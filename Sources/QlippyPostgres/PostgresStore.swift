import Foundation
import Logging
import PostgresNIO
import QlippyModel
import QlippyStore
import Synchronization

/// The scale-out store: a PostgreSQL database shared by any number of server processes.
///
/// Every method is one statement on a pooled connection (`PostgresClient`), so one round trip and
/// one snapshot, answered after PostgreSQL's commit; only search reads in several statements, in
/// one read-only transaction. (Round trips are what a request costs here: BEGIN, the statements
/// and COMMIT each wait for the server.) Correctness between processes rests on the database, not on this process:
/// message counts are kept by triggers in the statements that add and remove messages;
/// `last_updated` only moves forward (`GREATEST`); usernames are
/// unique by constraint (a race ends in `usernameTaken`, not a 500); messages reference their
/// conversation with `ON DELETE CASCADE`, so a delete racing an insert leaves no orphan (the insert
/// fails as "not found" or the cascade takes it).
public final class PostgresStore: ChatStore {
    let client: PostgresClient
    package let logger: Logger
    let location: PostgresLocation
    private let runner: Task<Void, Never>
    private let schemaVersion: Int
    /// How long each call waits for PostgreSQL (a connection, then its answers) before it fails
    /// as unavailable; `nil`: as long as it takes.
    let deadline: Duration?

    /// A request's deadline: while the database is away the pool keeps trying to reconnect, and
    /// requests should be answered 503 rather than hang. Also how long start-up waits for the
    /// database's first answer.
    public static let requestDeadline: Duration = .seconds(5)

    /// A search's deadline: finding a word in 88 % of 1.1 M messages reads them all (9 s, where an
    /// 11 % word takes 2 s), which is slow, not "unavailable".
    static let searchDeadline: Duration = .seconds(60)

    /// The deadline of each step of an export or import (a page, a conversation): bulk work runs
    /// beside a server's requests and may wait behind them; slow, not unavailable (the request
    /// deadline would answer a long import 503 halfway through under load).
    var bulkDeadline: Duration? { deadline.map { max($0, Self.searchDeadline) } }

    let metrics: StoreMetrics
    /// Users with at most this many messages are searched by scanning their copies, not through
    /// the trigram index (``SearchScan``).
    let searchScanLimit: Int

    private init(
        client: PostgresClient, logger: Logger, location: PostgresLocation, runner: Task<Void, Never>, schemaVersion: Int,
        deadline: Duration?, metrics: StoreMetrics, searchScanLimit: Int
    ) {
        self.client = client
        self.logger = logger
        self.location = location
        self.runner = runner
        self.schemaVersion = schemaVersion
        self.deadline = deadline
        self.metrics = metrics
        self.searchScanLimit = searchScanLimit
    }

    /// Connects, migrates the schema (under an advisory lock) and returns the store. Throws
    /// ``PostgresUnavailableError`` with one line when the database cannot be reached.
    /// `deadline`: each call's, ``requestDeadline`` for a server; `nil` for long work such as
    /// `migrate`, whose batches' index maintenance and final checksum run for many seconds on a
    /// million messages and are slow, not unavailable.
    public static func open(
        location: PostgresLocation, logger: Logger, deadline: Duration? = requestDeadline, metrics: StoreMetrics = .none,
        searchScanLimit: Int = SearchScan.defaultLimit
    ) async throws -> PostgresStore {
        // The pool reports each failed reconnection; the store says once per request what failed.
        var poolLogger = logger
        poolLogger.logLevel = .critical
        let client = PostgresClient(configuration: try location.clientConfiguration(), backgroundLogger: poolLogger)
        let runner = Task { await client.run() }
        do {
            try await within(requestDeadline) {
                try await client.withConnection { connection in try await connection.query("SELECT 1", logger: logger) }
            }
            // Not within the deadline: a migration may build an index over many rows, and other
            // servers starting at the same time wait for the lock while one migrates.
            let version = try await client.withConnection { connection in
                try await PostgresMigrations.apply(on: connection, logger: logger)
            }
            return PostgresStore(
                client: client, logger: logger, location: location, runner: runner, schemaVersion: version, deadline: deadline,
                metrics: metrics, searchScanLimit: searchScanLimit
            )
        } catch {
            runner.cancel()
            throw PostgresUnavailableError(location: location.redacted, reason: Self.reason(error))
        }
    }

    public var description: String {
        "PostgreSQL \(location.redacted) (schema version \(schemaVersion))"
    }

    /// PostgreSQL's search index is kept in the write itself: never behind.
    public func ping() async throws -> StoreStatus {
        try await run { connection in try await connection.query("SELECT 1", logger: self.logger) }
        return StoreStatus(searchIndexBehind: 0)
    }

    public func close() async throws {
        runner.cancel()
    }
}
