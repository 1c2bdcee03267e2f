import Foundation
import GRDB
import QlippyModel
import QlippyStore

/// Owns the SQLite connection pool and brings its schema up to date.
///
/// Opening is two-step: a read-only look first refuses files we must not touch (not SQLite, or
/// migrated by a newer binary) before anything is written; only then is the WAL pool opened and
/// migrated: at once (``SchemaBaseline``) when no migration has touched the file, else step by step.
public struct AppDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String
    /// The number of migrations applied: the schema version reported in logs and health checks.
    public let schemaVersion: Int

    public static func open(path: String) throws(DatabaseOpenError) -> AppDatabase {
        try refuseUnusableFile(at: path)
        do {
            var configuration = Configuration()
            // Other processes (the original backend, `sqlite3`, a backup) may hold the lock briefly.
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                // Durable commits: a write acknowledged to a client survives power loss, not only a crash.
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            try SchemaBaseline.applyIfUntouched(pool)
            let migrator = Migrations.migrator
            try migrator.migrate(pool)
            let applied = try pool.read { db in try migrator.appliedIdentifiers(db).count }
            return AppDatabase(pool: pool, path: path, schemaVersion: applied)
        } catch {
            throw .cannotOpen(path: path, reason: Self.reason(error))
        }
    }

    private static func refuseUnusableFile(at path: String) throws(DatabaseOpenError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        if isDirectory.boolValue { throw .cannotOpen(path: path, reason: "it is a directory") }
        let unknown: [String]
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            unknown = try queue.read { db -> [String] in
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
                guard try db.tableExists("grdb_migrations") else { return [] }
                let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                return applied.filter { !Migrations.identifiers.contains($0) }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw .notADatabase(path: path)
        } catch {
            throw .cannotOpen(path: path, reason: Self.reason(error))
        }
        if !unknown.isEmpty { throw .newerSchema(path: path, unknownMigrations: unknown) }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}

/// Why a database file was refused at start. Each description is one line for the operator.
public enum DatabaseOpenError: Error, CustomStringConvertible, Equatable {
    case notADatabase(path: String)
    case newerSchema(path: String, unknownMigrations: [String])
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADatabase(let path):
            "\(path) is not a SQLite database; refusing to open it (the file was not modified)"
        case .newerSchema(let path, let unknown):
            "\(path) was migrated by a newer qlippy-server (unknown migrations: \(unknown.joined(separator: ", "))); upgrade the server (the file was not modified)"
        case .cannotOpen(let path, let reason):
            "cannot open database \(path): \(reason)"
        }
    }
}
