import Foundation
import Logging
import PostgresNIO
import QlippyPostgres
import Testing

/// Which store this run of the suite tests: SQLite, or PostgreSQL when `QLIPPY_TEST_STORE=postgres`.
///
/// `scripts/test` runs the whole suite twice, the second time beside a throwaway PostgreSQL
/// (`scripts/with-postgres`), so that every API test runs against both stores without being copied.
package enum TestStore: String, Sendable {
    case sqlite, postgres

    package static let current: TestStore = {
        let name = ProcessInfo.processInfo.environment["QLIPPY_TEST_STORE"] ?? "sqlite"
        guard let store = TestStore(rawValue: name) else { fatalError("QLIPPY_TEST_STORE must be sqlite or postgres, not \(name)") }
        return store
    }()
}

extension Trait where Self == ConditionTrait {
    /// For tests of the SQLite file itself (adoption, query plans, crash recovery, raw rows).
    package static var sqliteOnly: Self {
        .enabled(if: TestStore.current == .sqlite, "tests the SQLite file itself; the PostgreSQL run skips it")
    }

    /// For tests of PostgreSQL's own schema (its tables, triggers and migrations).
    package static var postgresOnly: Self {
        .enabled(if: TestStore.current == .postgres, "tests PostgreSQL's own schema; the SQLite run skips it")
    }
}

/// The throwaway PostgreSQL server of `scripts/with-postgres`: each test gets a database of its own.
package enum TestPostgres {
    /// The server's `postgres` database, from `QLIPPY_TEST_POSTGRES_URL`.
    package static var adminURL: String {
        guard let url = ProcessInfo.processInfo.environment["QLIPPY_TEST_POSTGRES_URL"] else {
            fatalError("QLIPPY_TEST_STORE=postgres needs QLIPPY_TEST_POSTGRES_URL: run the suite through scripts/with-postgres")
        }
        return url
    }

    /// The URL of database `name` on the server `server` names (the suite's by default), for a
    /// store with a small pool: a hundred tests run stores side by side on one server.
    package static func url(of name: String, on server: String = adminURL) -> String {
        server.replacingOccurrences(of: "/postgres?", with: "/\(name)?") + "&pool_size=2"
    }

    /// A fresh database name; the database itself is created by ``create(_:)``.
    package static func newDatabaseName() -> String {
        "qlippy_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// Creates the database `url` names, on its server, unless it exists: a copy of a template
    /// migrated once per server and test process (migrating each test's database, a hundred at once
    /// on two cores, took longer than the server's start-up deadline).
    package static func create(_ url: String) async throws {
        let name = try PostgresLocation(url: url).database
        let server = url.replacingOccurrences(of: "/\(name)?", with: "/postgres?")
        let template = try await Templates.shared.template(on: server)
        try await withConnection(server) { connection in
            let exists = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
                .decode(Int.self).contains { _ in true }
            guard !exists else { return }
            // The template's last session may still be exiting for a moment (``Templates``).
            for attempt in 1... {
                do {
                    try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template)"), logger: logger)
                    return
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55006" && attempt < 300 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }

    /// One migrated template database per server, made by the first test that needs it.
    ///
    /// A database is copied only while nothing is connected to it (else 55006). The migrating
    /// session closes asynchronously, and under a full suite's load it can outlast any short wait
    /// in `create`: once migrated, the template takes no connections (autovacuum then passes it
    /// by too) and the one left is ended.
    package actor Templates {
        static let shared = Templates()
        private var made: [String: Task<String, any Error>] = [:]

        func template(on server: String) async throws -> String {
            if let task = made[server] { return try await task.value }
            let task = Task {
                let name = "qlippy_template_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
                try await withConnection(server) { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
                }
                try await withConnection(url(of: name, on: server)) { connection in
                    _ = try await PostgresMigrations.apply(on: connection, logger: logger)
                }
                try await withConnection(server) { connection in
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS false"), logger: logger)
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'"),
                        logger: logger
                    )
                }
                return name
            }
            made[server] = task
            return try await task.value
        }
    }

    /// Row counts of the four tables of the database `url` names.
    package static func rowCounts(_ url: String) async throws -> [String: Int] {
        try await withConnection(url) { connection in
            var counts: [String: Int] = [:]
            for table in ["users", "conversations", "messages", "message_details", "plugins"] {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: logger)
                for try await count in rows.decode(Int.self) { counts[table] = count }
            }
            return counts
        }
    }

    /// The rows of one table.
    package static func count(_ table: String, url: String) async throws -> Int {
        try await withConnection(url) { connection in
            var found = 0
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: logger)
            for try await count in rows.decode(Int.self) { found = count }
            return found
        }
    }

    package static let logger: Logger = {
        var logger = Logger(label: "tests.postgres")
        logger.logLevel = .error
        return logger
    }()

    /// `body` on one connection to `url`, closed afterwards.
    @discardableResult
    package static func withConnection<Value: Sendable>(_ url: String, _ body: @Sendable (PostgresConnection) async throws -> Value)
        async throws -> Value
    {
        var configuration = try PostgresLocation(url: url).clientConfiguration()
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await client.withConnection { connection in try await body(connection) }
        }
    }
}
