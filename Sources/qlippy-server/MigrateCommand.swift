import ArgumentParser
import Foundation
import Logging
import QlippyMigrate
import QlippyPostgres
import QlippyServer
import QlippyStore

/// `qlippy-server migrate --from FILE --to URL`: copy a SQLite database into PostgreSQL.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy every user, conversation, message and plugin of a SQLite file into PostgreSQL.",
        discussion: """
            The file is read, never changed. Rows whose id the target already has are skipped, so an \
            interrupted copy can be run again. Ends by comparing each table's row count and checksum \
            on both sides; exits non-zero if they differ.
            """
    )

    @Option(help: "The SQLite file to copy (the original backend's or this server's).")
    var from: String

    @Option(help: "The PostgreSQL database, as a postgres:// URL; its schema is created if missing.")
    var to: String

    func run() async throws {
        bootstrapCommandLogging()
        try await oneLineErrors {
            guard FileManager.default.fileExists(atPath: from) else { throw CommandFailure(description: "\(from) does not exist") }
            var copy = SQLiteToPostgres(source: from, target: try PostgresLocation(url: to), logger: Logger(label: "qlippy-migrate"))
            let started = ContinuousClock.now
            copy.progress = { progress in
                switch progress {
                case .copied(let table, let copied, let total):
                    guard copied == total || copied % 50_000 == 0 else { return }
                    let percent = total == 0 ? 100 : copied * 100 / total
                    FileHandle.standardError.write(Data("migrate: \(table) \(copied)/\(total) (\(percent) %)\n".utf8))
                case .indexing(let table, let index):
                    FileHandle.standardError.write(Data("migrate: \(table): building \(index)\n".utf8))
                }
            }
            for report in try await copy.run() {
                print("\(report.table): \(report.rows) rows, checksum \(String(report.checksum, radix: 16)) on both sides")
            }
            print("migrate: done in \(started.duration(to: .now))")
        }
    }
}
