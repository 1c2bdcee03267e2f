import ArgumentParser
import Foundation
import Logging
import QlippyModel
import QlippyPostgres
import QlippySQLite
import QlippyServer
import QlippyStore

/// `qlippy-server check`: SQLite's integrity check and the row counts, safe beside a running server.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a SQLite database's integrity and count its rows (safe while a server uses it).",
        discussion: "Exits 1 when SQLite reports a problem. Reads only: a file in the original's layout is not adopted."
    )

    @Option(help: "The SQLite file. (env: QLIPPY_DATABASE, default: ./qlippy.db)")
    var database: String?

    func run() async throws {
        try await oneLineErrors {
            let path = try sqliteFile(database)
            try report(try await SQLiteMaintenance.check(path: path), of: path)
        }
    }
}

/// `qlippy-server backup PATH`: a consistent copy of a live SQLite database.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of a SQLite database to PATH, while a server keeps using it, then check the copy.",
        discussion: "The copy is one snapshot (VACUUM INTO). For PostgreSQL use pg_dump."
    )

    @Argument(help: "Where to write the copy; must not exist.")
    var path: String

    @Option(help: "The SQLite file. (env: QLIPPY_DATABASE, default: ./qlippy.db)")
    var database: String?

    func run() async throws {
        try await oneLineErrors {
            let source = try sqliteFile(database)
            guard !FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure(description: "\(path) exists; choose a new path")
            }
            let started = ContinuousClock.now
            let checked = try await SQLiteMaintenance.backup(path: source, to: path)
            print("backup: \(source) → \(path) in \(started.duration(to: .now))")
            try report(checked, of: path)
        }
    }
}

/// The SQLite file a maintenance command works on: the flag, else the server's variable, else
/// the server's default; a PostgreSQL URL or a missing file is a one-line failure.
private func sqliteFile(_ flag: String?) throws -> String {
    let path = commandDatabase(flag)
    if PostgresLocation.isURL(path) {
        throw CommandFailure(description: "this command works on a SQLite file; for PostgreSQL use pg_dump and its own checks")
    }
    guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure(description: "\(path) does not exist") }
    return path
}

/// Prints a check's outcome; exits 1 when the file has problems.
private func report(_ report: IntegrityReport, of path: String) throws {
    print("integrity: " + (report.isSound ? "ok" : report.problems.joined(separator: "; ")))
    for table in IntegrityReport.tables {
        print("\(table): \(report.counts[table] ?? 0)")
    }
    if !report.isSound { throw ExitCode.failure }
}
