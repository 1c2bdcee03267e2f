import Foundation
import HummingbirdTesting
import Logging
import PostgresNIO
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippyMigrate
@testable import QlippyPostgres
@testable import QlippyStore

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
            paths += ["actor", "résumé", "e"].map {
                "/api/users/\(id)/search?q=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            }
            paths += (user["conversations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }.map { "/api/conversations/\($0)" }
        }
        try await Self.expectSameAnswers(paths, sqliteFile: try Fixtures.copyOfLegacyDatabase(), postgres: postgres)
    }

    /// A database written through our API (random users, folders, edits, deletions, plugins and
    /// text from every corner of Unicode but U+0000, which PostgreSQL cannot hold) arrives whole.
    @Test(arguments: [1, 2] as [UInt64])
    func aSeededDatabaseArrivesWholeAndServesTheSameAnswers(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        func text(_ maxLength: Int) -> String {
            String(random.nastyString(maxLength: maxLength).unicodeScalars.filter { $0 != "\0" }.map(Character.init))
        }
        var plan: [(username: String, conversations: [(body: String, messages: [String])], plugins: [String])] = []
        for index in 0..<3 {
            let conversations = try (0..<Int.random(in: 1...6, using: &random)).map { _ in
                var body: [String: Any] = ["title": "t" + text(30)]
                if Bool.random(using: &random) { body["folder"] = text(10) }
                // Every other message with details (the even ones: the one deleted below is odd).
                let messages = try (0..<Int.random(in: 0...12, using: &random)).map { position in
                    var message: [String: Any] = ["role": "user", "content": "m" + text(300)]
                    if position.isMultiple(of: 2) {
                        message["role"] = "assistant"
                        message["model"] = "model-" + text(8)
                        message["usage"] = ["input_tokens": Int.random(in: 0...100_000, using: &random), "output_tokens": position]
                        message["metadata"] = ["k" + text(5): text(40), "trace": text(10)]
                    }
                    return try Self.json(message)
                }
                return (try Self.json(body), messages)
            }
            let plugins = try (0..<Int.random(in: 0...3, using: &random)).map { _ in
                try Self.json(["name": "p" + text(20), "description": text(50), "enabled": Bool.random(using: &random)])
            }
            plan.append(("user-\(index)-" + text(8), conversations, plugins))
        }
        let file = try makeTemporaryDirectory().appendingPathComponent("seeded.db").path
        let paths = try await TestServer(databasePath: file).run { [plan] client in
            var paths: [String] = []
            for user in plan {
                let response = try await client.post("/api/users", try Self.json(["username": user.username]))
                let userID = try #require(try response.json.string("id"))
                paths += ["/api/users/\(userID)", "/api/users/\(userID)/conversations", "/api/users/\(userID)/plugins"]
                paths += [
                    "tags", "shares", "conversations?archived=all", "conversations?tag=SHARED&archived=all", "conversations?pinned=true",
                ].map {
                    "/api/users/\(userID)/\($0)"
                }
                paths += ["a", "é", "日本"].map {
                    "/api/users/\(userID)/search?q=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                }
                for (number, conversation) in user.conversations.enumerated() {
                    let conversationID = try #require(
                        try await client.post("/api/users/\(userID)/conversations", conversation.body).json.string("id"))
                    var messageIDs: [String] = []
                    for (position, message) in conversation.messages.enumerated() {
                        let added = try await client.post("/api/conversations/\(conversationID)/messages", message)
                        messageIDs.append(try #require(try added.json.string("id"), "\(position)"))
                    }
                    if let first = messageIDs.first { _ = try await client.put("/api/messages/\(first)", #"{"content": "edited"}"#) }
                    if messageIDs.count > 1 { _ = try await client.delete("/api/messages/\(messageIDs[1])") }
                    if messageIDs.count > 2 {
                        // An answer regenerated under the first message: a branch, with a parent row and a current message.
                        let regenerated = try Self.json(["role": "assistant", "content": "again", "parent_id": messageIDs[0]])
                        #expect(try await client.post("/api/conversations/\(conversationID)/messages", regenerated).status == .created)
                    }
                    let marks = [
                        #"{"pinned": true, "tags": ["Shared", "ünï ✓"], "expires_at": "2999-01-01T00:00:00Z"}"#,
                        #"{"archived": true, "tags": ["shared"]}"#,
                    ]
                    if number < marks.count {
                        #expect(try await client.put("/api/conversations/\(conversationID)", marks[number]).status == .ok)
                    }
                    if number == 0 {
                        let link = try await client.post("/api/conversations/\(conversationID)/share", "").json.string("share_id")
                        paths.append("/api/shared/\(try #require(link))")
                    }
                    if number == 2 {
                        _ = try await client.delete("/api/conversations/\(conversationID)")
                    } else {
                        paths += ["/api/conversations/\(conversationID)", "/api/conversations/\(conversationID)?branches=all"]
                    }
                }
                for plugin in user.plugins {
                    let pluginID = try #require(try await client.post("/api/users/\(userID)/plugins", plugin).json.string("id"))
                    _ = try await client.put("/api/plugins/\(pluginID)", #"{"enabled": false}"#)
                }
            }
            return paths
        }
        #expect(paths.count >= 3 * 6, "every user's reads, and conversations")
        let postgres = try TestServer()
        let reports = try await Self.copy(file, into: postgres)
        let rows = Dictionary(uniqueKeysWithValues: reports.map { ($0.table, $0.rows) })
        #expect(rows["users"] == 3)
        #expect(rows["conversations"] == plan.map { $0.conversations.count - ($0.conversations.count > 2 ? 1 : 0) }.reduce(0, +))
        let kept = plan.flatMap { $0.conversations.enumerated().filter { $0.offset != 2 }.map(\.element.messages.count) }
        #expect(rows["message_details"] == kept.map { ($0 + 1) / 2 }.reduce(0, +))
        #expect(rows["message_parents"] == kept.filter { $0 > 2 }.count)
        #expect(rows["current_messages"] == kept.filter { $0 > 2 }.count)
        #expect(rows["plugins"] == plan.map(\.plugins.count).reduce(0, +))
        #expect(rows["share_links"] == plan.filter { !$0.conversations.isEmpty }.count)
        #expect(rows["conversation_marks"] == plan.map { min($0.conversations.count, 2) }.reduce(0, +))
        try await Self.expectSameAnswers(paths, sqliteFile: file, postgres: postgres)
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// Every path answers the same status and the same bytes from the file and from PostgreSQL.
    static func expectSameAnswers(_ paths: [String], sqliteFile: String, postgres: TestServer) async throws {
        try await TestServer(databasePath: sqliteFile).run { fromFile in
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
        let index = PostgresMigrations.searchIndex
        #expect(try await Self.indexes(url, of: index.table).contains(index.name))
        try await postgres.execute("DROP INDEX \(index.name)")
        #expect(try await Self.indexes(url, of: index.table).contains(index.name) == false)
        #expect(try await Self.copy(file, into: postgres) == reports)
        #expect(try await Self.indexes(url, of: index.table).contains(index.name))
    }

    static func indexes(_ url: String, of table: String) async throws -> Set<String> {
        try await TestPostgres.withConnection(url) { connection in
            var names = Set<String>()
            for try await name in try await connection.query(
                "SELECT indexname FROM pg_indexes WHERE tablename = \(table)", logger: TestPostgres.logger
            ).decode(String.self) {
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
