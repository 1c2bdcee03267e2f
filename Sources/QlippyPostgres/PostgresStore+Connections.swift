import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    /// `body` on a pooled connection (autocommit), within the store's deadline.
    @discardableResult
    package func run<Value: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Value) async throws -> Value {
        try await logged {
            try await Self.within(self.deadline) { try await self.againAfterDeadlocks { try await self.withTimedConnection(body) } }
        }
    }

    /// `body` in one transaction, within `deadline`: committed when it returns, rolled
    /// back when it throws. `begin` opens the transaction, so that its mode costs no round trip of
    /// its own (`SET TRANSACTION` after `BEGIN` would).
    @discardableResult
    package func transaction<Value: Sendable>(
        begin: String = "BEGIN", deadline: Duration?, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await logged {
            try await Self.within(deadline) {
                try await self.againAfterDeadlocks {
                    try await self.withTimedConnection { connection in try await self.transact(begin: begin, on: connection, body) }
                }
            }
        }
    }

    /// Work PostgreSQL ended as a deadlock's victim (40P01) was rolled back whole, so it runs
    /// again, up to three times in all. Deleting a message takes its row and then its
    /// conversation's (for the count), deleting the conversation takes them the other way round;
    /// an edit of a message's details takes two rows of the usage totals, in either order.
    private func againAfterDeadlocks<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as PSQLError where error.sqlState == "40P01" && attempt < 3 {
                logger.notice("deadlock, running the work again", metadata: ["attempt": "\(attempt)"])
                attempt += 1
            }
        }
    }

    /// A pooled connection for `body`, recording the wait for it and the work on it.
    private func withTimedConnection<Value: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Value) async throws
        -> Value
    {
        let asked = ContinuousClock.now
        return try await client.withConnection { connection in
            self.metrics.wait.record(duration: asked.duration(to: .now))
            return try await self.metrics.timingTransaction { try await body(connection) }
        }
    }

    /// `begin`, `body`, then COMMIT (ROLLBACK when `body` throws) on one connection.
    private func transact<Value: Sendable>(
        begin: String, on connection: PostgresConnection, _ body: @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await connection.query(PostgresQuery(unsafeSQL: begin), logger: logger)
        let value: Value
        do {
            value = try await body(connection)
        } catch {
            // A broken connection has nothing to roll back; the caller's error is what matters.
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return value
    }

    /// Logs a request the database could not serve (the client gets a 503).
    private func logged<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch StoreError.unavailable {
            logger.warning("PostgreSQL unavailable", metadata: ["database": "\(location.redacted)"])
            throw StoreError.unavailable
        }
    }

    /// `body` in a read-only transaction that sees one snapshot for all of its statements.
    package func snapshot<Value: Sendable>(
        deadline: Duration?, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", deadline: deadline, body)
    }
}
