import Foundation
import GRDB
import QlippyModel
import QlippyStore
import QlippyTestSupport
import Testing

@testable import QlippySQLite

/// A file no migration has touched takes every migration at once (``SchemaBaseline``), with its
/// search index left to the indexer; it must end exactly as a file migrated step by step.
@Suite("Schema baseline", .sqliteOnly)
struct SchemaBaselineTests {
    /// The original's file, adopted through the baseline and step by step: the same schema and the
    /// same migrations recorded. The search index starts empty with its mark at 0, and the owners of
    /// the messages already there are left to the indexer; once it has taken every message in, every
    /// table the migrations fill holds the same rows, and FTS5's integrity check finds the index
    /// exactly as the messages say.
    @Test func theBaselineEndsAsTheMigrationsOneByOneDo() async throws {
        let stepByStep = try Fixtures.copyOfLegacyDatabase()
        let queue = try DatabaseQueue(path: stepByStep)
        try Migrations.migrator.migrate(queue)
        try queue.close()
        let baseline = try Fixtures.copyOfLegacyDatabase()
        let store = SQLiteStore(database: try AppDatabase.open(path: baseline))

        #expect(try Self.schema(baseline) == Self.schema(stepByStep))
        #expect(try Self.integer(stepByStep, "SELECT count(*) FROM messages") > 0)
        #expect(try Self.integer(stepByStep, SearchIndexSQL.mark) == Self.integer(stepByStep, "SELECT max(rowid) FROM messages"))
        #expect(try Self.integer(baseline, SearchIndexSQL.mark) == 0)
        #expect(try Self.integer(baseline, "SELECT count(*) FROM message_owners") == 0, "the indexer adds them")
        #expect(try await store.ping().searchIndexBehind == Self.integer(baseline, "SELECT max(rowid) FROM messages"))

        while try await store.indexForSearch() > 0 {}
        let filled = try Self.tablesFilledByMigrations(stepByStep)
        #expect(["conversation_stats", "message_owners", "message_search_config", "grdb_migrations"].allSatisfy(filled.contains))
        for table in filled {
            #expect(try Self.rows(baseline, table) == Self.rows(stepByStep, table), "\(table)")
        }
        #expect(try Self.integer(baseline, SearchIndexSQL.mark) == Self.integer(stepByStep, SearchIndexSQL.mark))
        for path in [baseline, stepByStep] {
            try await DatabaseQueue(path: path).write { db in
                try db.execute(sql: "INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 1)")
            }
        }
        #expect(try Self.integer(baseline, Self.indexedMessages) == Self.integer(stepByStep, Self.indexedMessages))
        try await store.close()
    }

    /// Taken once: opening the file again runs nothing, and a file that had migrations already
    /// (here, only the first) goes on step by step and builds its index at once, as before.
    @Test func onlyAnUntouchedFileTakesTheBaseline() async throws {
        let path = try Fixtures.copyOfLegacyDatabase()
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "v1-original-tables")
        try queue.close()
        let store = SQLiteStore(database: try AppDatabase.open(path: path))
        #expect(try await store.ping().searchIndexBehind == 0, "v4 built the index in its own migration")
        try await store.close()

        let fresh = try makeTemporaryDirectory().appendingPathComponent("new.db").path
        let first = try AppDatabase.open(path: fresh)
        #expect(first.schemaVersion == Migrations.all.count)
        try first.pool.close()
        let schema = try Self.schema(fresh)
        let second = try AppDatabase.open(path: fresh)
        #expect(second.schemaVersion == Migrations.all.count)
        try second.pool.close()
        #expect(try Self.schema(fresh) == schema)
    }

    /// A file whose rows break its foreign keys (here a message of no conversation, as the original
    /// backend, writing with its checks off, can leave one) is refused by the baseline as GRDB's
    /// migrator refuses it one migration at a time, and no migration is recorded either way.
    @Test(arguments: [true, false])
    func aFileWithOrphanRowsIsRefusedEitherWay(throughTheBaseline: Bool) throws {
        let path = try Fixtures.copyOfLegacyDatabase()
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(
                sql: "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES (?, ?, 'user', 'orphan', NULL)",
                arguments: [UUID().uuidString.lowercased(), UUID().uuidString.lowercased()])
            if !throughTheBaseline {
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            }
        }
        try queue.close()
        #expect(throws: DatabaseOpenError.self) { try AppDatabase.open(path: path) }
        #expect(try Self.integer(path, "SELECT count(*) FROM sqlite_master WHERE name = 'grdb_migrations'") == (throughTheBaseline ? 0 : 1))
        if !throughTheBaseline { #expect(try Self.integer(path, "SELECT count(*) FROM grdb_migrations") == 0) }
        #expect(try Self.integer(path, "SELECT count(*) FROM sqlite_master WHERE name = 'search_progress'") == 0)
    }

    /// The messages the index holds (one size row each).
    static let indexedMessages = "SELECT count(*) FROM message_search_docsize"

    static func schema(_ path: String) throws -> [String: String] {
        try read(path) { db in
            let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as String, $0["sql"] as String) })
        }
    }

    /// The tables with rows after a step-by-step migration, except the search index's entries and its mark.
    static func tablesFilledByMigrations(_ path: String) throws -> [String] {
        let left: Set = [
            "users", "conversations", "messages", "plugins", "message_search", "message_search_data", "message_search_idx",
            "message_search_docsize", "search_progress",
        ]
        return try read(path) { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").filter { table in
                guard !left.contains(table), !table.hasPrefix("sqlite_") else { return false }
                return try (Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0) > 0
            }
        }
    }

    static func rows(_ path: String, _ table: String) throws -> [String] {
        try read(path) { db in try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map(\.description).sorted() }
    }

    static func integer(_ path: String, _ sql: String) throws -> Int {
        try read(path) { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    private static func read<Value>(_ path: String, _ body: (Database) throws -> Value) throws -> Value {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read(body)
    }
}
