import GRDB
import QlippyModel
import QlippyStore

/// Checking and copying a SQLite file, also while a server is writing to it: both read one
/// snapshot on a read-only connection of their own, so they never block the server's writer and
/// never change the file (a legacy file is not adopted by being checked). Both run on GRDB's own
/// dispatch queue, not on the caller's task: a copy of a large file takes seconds.
public enum SQLiteMaintenance {
    /// `PRAGMA integrity_check` and row counts of the file at `path`.
    public static func check(path: String) async throws -> IntegrityReport {
        try await readOnly(path).read { db in
            let results = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            var counts: [String: Int] = [:]
            for table in IntegrityReport.tables {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return IntegrityReport(problems: results == ["ok"] ? [] : results, counts: counts)
        }
    }

    /// Writes a consistent copy of the file at `path` to `destination` (`VACUUM INTO`: the snapshot
    /// of one read transaction, compacted), then checks the copy.
    public static func backup(path: String, to destination: String) async throws -> IntegrityReport {
        // Outside a transaction (VACUUM refuses to run in one); it reads in its own.
        try await readOnly(path).writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [destination]) }
        return try await check(path: destination)
    }

    private static func readOnly(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
