import Foundation
import HummingbirdTesting
import Logging
import PostgresNIO
@testable import QlippyStore
import Testing

/// `qlippy-server migrate`: a SQLite file copied into PostgreSQL arrives whole, and the API on
/// PostgreSQL then answers exactly what the API on the file answers.
@Suite("Moving up: SQLite to PostgreSQL", .enabled(if: TestStore.current == .postgres, "needs the PostgreSQL run"))
struct PostgresMigrateTests {
    /// Copies `file` into the PostgreSQL database of `target`, returning the verified tables.
    static func copy(_ file: String, into target: TestServer) async throws -> [SQLiteToPostgres.TableReport] {
        let url = try #require(target.postgresURL)
        try await TestPostgres.create(url)
        return try await SQLiteToPostgres(source: file, target: PostgresLocation(url: url), logger: Logger(label: "tests.migrate")).run()
    }

    @Test func theLegacyFixtureArrivesWholeAndServesTheSameAnswers() async throws {
        let file = try Fixtures.copyOfLegacyDatabase()
        let postgres = try TestServer()
        let reports = try await Self.copy(file, into: postgres)
        #expect(reports.map(\.table) == ["users", "conversations", "messages", "plugins"])
        let expectations = try Fixtures.legacyExpectations()
        let users = try #require(expectations["users"] as? [[String: Any]])
        #expect(reports[0].rows == users.count)
        #expect(reports[1].rows == users.map { ($0["conversations"] as? [Any])?.count ?? 0 }.reduce(0, +))

        // The file is only read: copying it again from the same bytes must leave it as it was.
        let fileBefore = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(try await Self.copy(file, into: postgres) == reports, "a second run skips every row and verifies the same")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == fileBefore)

        var paths: [String] = []
        for user in users {
            let id = try #require(user["id"] as? String)
            paths += ["/api/users/\(id)", "/api/users/\(id)/conversations", "/api/users/\(id)/plugins"]
            paths += ["actor", "résumé", "e"].map { "/api/users/\(id)/search?q=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
            paths += (user["conversations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }.map { "/api/conversations/\($0)" }
        }
        let sqlite = try TestServer(databasePath: try Fixtures.copyOfLegacyDatabase())
        try await sqlite.run { [paths] fromFile in
            try await postgres.run { fromPostgres in
                for path in paths {
                    let expected = try await fromFile.get(path)
                    let actual = try await fromPostgres.get(path)
                    #expect(actual.status == expected.status, "\(path)")
                    #expect(String(buffer: actual.body) == String(buffer: expected.body), "\(path)")
                }
            }
        }
    }

    /// The search index is built after the messages are in; a run that stopped before building it
    /// (simulated by dropping it) gets it back from the next run, which has nothing else to copy.
    @Test func theSearchIndexIsBuiltAfterTheCopyAndRestoredByARerun() async throws {
        let file = try Fixtures.copyOfLegacyDatabase()
        let postgres = try TestServer()
        let url = try #require(postgres.postgresURL)
        let reports = try await Self.copy(file, into: postgres)
        #expect(try await Self.indexes(url).contains("messages_content_trigrams"))
        try await postgres.execute("DROP INDEX messages_content_trigrams")
        #expect(try await Self.indexes(url).contains("messages_content_trigrams") == false)
        #expect(try await Self.copy(file, into: postgres) == reports)
        #expect(try await Self.indexes(url).contains("messages_content_trigrams"))
    }

    static func indexes(_ url: String) async throws -> Set<String> {
        try await TestPostgres.withConnection(url) { connection in
            var names = Set<String>()
            for try await name in try await connection.query("SELECT indexname FROM pg_indexes WHERE tablename = 'messages'", logger: TestPostgres.logger).decode(String.self) {
                names.insert(name)
            }
            return names
        }
    }

    @Test func aTargetWithOtherRowsFailsTheComparison() async throws {
        let postgres = try TestServer()
        try await postgres.run { client in _ = try await client.createUser("already-here") }
        await #expect(throws: CopyError.self) { try await Self.copy(try Fixtures.copyOfLegacyDatabase(), into: postgres) }
    }
}
