import Metrics

/// How a store's database work goes, for the server's `/metrics`: swift-metrics objects made with
/// the factory the server exports from. The store knows no exporter; tools and tests that open a
/// store without one count nothing (``none``).
public struct StoreMetrics: Sendable {
    /// From asking for the database to starting on it: a write's wait for its batch (SQLite's one
    /// writer), a request's wait for a pooled connection (PostgreSQL).
    package let wait: Timer
    /// The database's part of the work, start to answer: one write batch from its first statement
    /// to its commit (SQLite), one request's statements and commit on its connection (PostgreSQL).
    package let transaction: Timer
    /// Writes committed together by one SQLite transaction (group commit).
    package let writeBatchSize: Recorder

    public static let waitLabel = "qlippy_database_wait_seconds"
    public static let transactionLabel = "qlippy_database_transaction_seconds"
    public static let writeBatchSizeLabel = "qlippy_database_write_batch_size"

    public init(factory: any MetricsFactory) {
        wait = Timer(label: Self.waitLabel, factory: factory)
        transaction = Timer(label: Self.transactionLabel, factory: factory)
        writeBatchSize = Recorder(label: Self.writeBatchSizeLabel, factory: factory)
    }

    public static let none = StoreMetrics(factory: NOOPMetricsHandler.instance)

    /// Runs `body`, recording its duration as a transaction's.
    package func timingTransaction<Value>(_ body: () async throws -> Value) async rethrows -> Value {
        let started = ContinuousClock.now
        defer { transaction.record(duration: started.duration(to: .now)) }
        return try await body()
    }
}
