import Foundation
import GRDB
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

/// The original backend's database, adopted in place and served unchanged.
@Suite("Legacy database adoption", .sqliteOnly)
struct LegacyAdoptionTests {
    @Test func everyLegacyRowIsServedUnchanged() async throws {
        let server = try TestServer(databasePath: Fixtures.copyOfLegacyDatabase())
        try await server.run { client in
            let users = try #require(try Fixtures.legacyExpectations()["users"] as? [[String: Any]])
            #expect(users.count == 3)
            for legacyUser in users {
                let userID = try #require(legacyUser["id"] as? String)
                let user = try await client.get("/api/users/\(userID)")
                #expect(user.status == .ok)
                #expect(try user.json.string("username") == legacyUser["username"] as? String)
                #expect(try user.json.int("conversation_count") == legacyUser["conversation_count"] as? Int)
                #expect(try user.json.string("created_at") == (legacyUser["created_at"] as? String).map { $0 + "Z" })

                let legacyConversations = try #require(legacyUser["conversations"] as? [[String: Any]])
                let listed = try await client.get("/api/users/\(userID)/conversations").json.array
                #expect(Set(listed.compactMap { $0["id"] as? String }) == Set(legacyConversations.compactMap { $0["id"] as? String }))
                for legacy in legacyConversations {
                    let id = try #require(legacy["id"] as? String)
                    let row = try #require(listed.first { $0["id"] as? String == id })
                    for key in ["title", "last_message_preview", "user_id"] {
                        #expect(row[key] as? String == legacy[key] as? String, "\(key) of \(id)")
                    }
                    #expect(row["message_count"] as? Int == legacy["message_count"] as? Int)
                    #expect((row["folder"] as? String) == (legacy["folder"] as? String))
                    #expect((row["folder"] is NSNull) == (legacy["folder"] is NSNull))
                    #expect(row["last_updated"] as? String == (legacy["last_updated"] as? String).map { $0 + "Z" })

                    let detail = try await client.get("/api/conversations/\(id)").json
                    let messages = detail["messages"] as? [[String: Any]] ?? []
                    let legacyMessages = legacy["messages"] as? [[String: Any]] ?? []
                    for key in ["id", "content", "role", "conversation_id"] {
                        #expect(
                            messages.map { $0[key] as? String } == legacyMessages.map { $0[key] as? String }, "\(key) of messages in \(id)")
                    }
                    #expect(
                        messages.map { $0["timestamp"] as? String } == legacyMessages.map { ($0["timestamp"] as? String).map { $0 + "Z" } })
                }

                let legacyPlugins = try #require(legacyUser["plugins"] as? [[String: Any]])
                let plugins = try await client.get("/api/users/\(userID)/plugins").json.array
                #expect(plugins.count == legacyPlugins.count)
                for legacy in legacyPlugins {
                    let plugin = try #require(plugins.first { $0["id"] as? String == legacy["id"] as? String })
                    #expect(plugin["name"] as? String == legacy["name"] as? String)
                    #expect(plugin["description"] as? String == legacy["description"] as? String)
                    #expect(plugin["enabled"] as? Bool == legacy["enabled"] as? Bool)
                }
            }
        }
    }

    /// Adoption leaves the index to the indexer: the server answers at once with every message the
    /// original wrote still to index (and searches scan them, below); the indexer then takes them in.
    @Test func adoptionLeavesTheSearchIndexToTheIndexer() async throws {
        let server = try TestServer(databasePath: Fixtures.copyOfLegacyDatabase(), settings: SearchPath.behind.settings)
        let messages = try await server.run { client in
            let health = try await client.get("/api/health").json
            #expect(try await server.sqliteInteger(TestServer.messagesNotIndexed) == server.sqliteInteger("SELECT count(*) FROM messages"))
            return try #require(health.int("search_index_behind"))
        }
        #expect(messages > 0)
        #expect(try await server.sqliteInteger("SELECT max(rowid) FROM messages") == messages)
        let indexing = server.onSameDatabase(settings: SearchPath.index.settings)
        try await indexing.run { client in
            try await indexing.waitForSearchIndex()
            #expect(try await client.get("/api/health").json.int("search_index_behind") == 0)
        }
    }

    /// Every row the original wrote is found by search, whether the indexer has reached it or not.
    @Test(arguments: SearchPath.allCases)
    func adoptedMessagesAreSearchable(path: SearchPath) async throws {
        let server = try TestServer(databasePath: Fixtures.copyOfLegacyDatabase(), settings: path.settings)
        try await server.run { client in
            let users = try #require(try Fixtures.legacyExpectations()["users"] as? [[String: Any]])
            let searches = [
                ("résumé", "résumé"), ("RÉSUMÉ", "résumé"), ("drop table", "drop table"), ("actor", "actor"),
                ("serialize", "serialize"), ("NAÏVE", "naïve"), ("🚀", "🚀"),
            ]
            for (query, needle) in searches {
                var found = 0
                defer { #expect(found > 0, "the fixture holds \(needle)") }
                for legacyUser in users {
                    let userID = try #require(legacyUser["id"] as? String)
                    let conversations = try #require(legacyUser["conversations"] as? [[String: Any]])
                    let expected = conversations.compactMap { conversation -> (String, Int)? in
                        let hits = (conversation["messages"] as? [[String: Any]] ?? []).filter {
                            ($0["content"] as? String)?.lowercased().contains(needle) == true
                        }.count
                        let titled = (conversation["title"] as? String)?.lowercased().contains(needle) == true
                        return hits > 0 || titled ? (conversation["id"] as? String ?? "", hits) : nil
                    }
                    let body = try await SearchTests.search(client, userID, query).json
                    let results = body["results"] as? [[String: Any]] ?? []
                    found += results.count
                    #expect(body.int("total_results") == expected.count, "\(query) for \(userID)")
                    #expect(
                        Dictionary(uniqueKeysWithValues: results.map { ($0["id"] as? String ?? "", $0["match_count"] as? Int ?? -1) })
                            == Dictionary(uniqueKeysWithValues: expected), "\(query) for \(userID)"
                    )
                }
            }
        }
    }

    @Test func newWritesLandInTheOriginalTablesInTheOriginalFormat() async throws {
        let path = try Fixtures.copyOfLegacyDatabase()
        let originalSchema = try tableDefinitions(path)
        let server = try TestServer(databasePath: path)
        let ada = "a60d0ab1-39af-4e02-8f34-6649aa2135c5"
        let (conversationID, messageID, pluginID) = try await server.run { client in
            let conversation = try await client.createConversation(user: ada, #"{"title": "After adoption", "folder": "new"}"#)
            let message = try await client.addMessage(to: conversation, role: "assistant", "Written by the Swift server")
            let plugin = try await client.post("/api/users/\(ada)/plugins", #"{"name": "Swift", "enabled": false}"#).json
            return try (conversation, #require(message.string("id")), #require(plugin.string("id")))
        }
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try await queue.read { db in
            let conversation = try #require(
                try Row.fetchOne(db, sql: "SELECT * FROM conversations WHERE id = ?", arguments: [conversationID]))
            #expect(conversation["title"] as String == "After adoption")
            #expect(conversation["user_id"] as String == ada)
            #expect(conversation["folder"] as String == "new")
            #expect(matches(conversation["created_at"] as String, storageTimestampPattern))
            #expect(matches(conversation["last_updated"] as String, storageTimestampPattern))

            let message = try #require(try Row.fetchOne(db, sql: "SELECT * FROM messages WHERE id = ?", arguments: [messageID]))
            #expect(message["conversation_id"] as String == conversationID)
            #expect(message["role"] as String == "assistant")
            #expect(message["content"] as String == "Written by the Swift server")
            #expect(matches(message["timestamp"] as String, storageTimestampPattern))

            let plugin = try #require(
                try Row.fetchOne(
                    db, sql: "SELECT name, description, enabled, typeof(enabled) AS type FROM plugins WHERE id = ?", arguments: [pluginID]))
            #expect(plugin["enabled"] as Int == 0)
            #expect(plugin["type"] as String == "integer")
            #expect(plugin["description"] as String == "")

            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") == 9)
        }
        #expect(try tableDefinitions(path) == originalSchema, "the original's tables keep their exact definitions")
    }

    @Test func theFixtureItselfIsNeverOpenedForWriting() throws {
        // Guard for the suite: every test works on a copy.
        let fixture = Fixtures.directory.appendingPathComponent("legacy-qlippy.db").path
        #expect(!FileManager.default.fileExists(atPath: fixture + "-wal"))
        let queue = try DatabaseQueue(
            path: fixture,
            configuration: {
                var c = Configuration()
                c.readonly = true
                return c
            }())
        defer { try? queue.close() }
        #expect(try queue.read { db in try db.tableExists("grdb_migrations") } == false)
    }

    private func tableDefinitions(_ path: String) throws -> [String: String] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let rows = try Row.fetchAll(
                db,
                sql:
                    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'conversations', 'messages', 'plugins')"
            )
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as String, $0["sql"] as String) })
        }
    }
}
