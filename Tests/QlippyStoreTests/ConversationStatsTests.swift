import Foundation
import GRDB
import QlippyModel
import QlippySQLite
import QlippyStore
import QlippyTestSupport
import Testing

/// Counts and newest messages kept by triggers agree with the messages themselves.
@Suite("Conversation stats", .sqliteOnly)
struct ConversationStatsTests {
    /// What the stats must be, computed the slow way.
    private func recomputed(_ db: Database) throws -> [String: [String?]] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT c.id, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS n,
                       (SELECT m.id FROM messages m WHERE m.conversation_id = c.id ORDER BY m.timestamp DESC, m.rowid DESC LIMIT 1) AS last,
                       (SELECT substr(CAST(m.content AS BLOB), 1, 804) FROM messages m WHERE m.conversation_id = c.id
                        ORDER BY m.timestamp DESC, m.rowid DESC LIMIT 1) AS head
                FROM conversations c
                """)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["id"], [String($0["n"] as Int), $0["last"], $0["head"]]) })
    }

    private func maintained(_ db: Database) throws -> [String: [String?]] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT conversation_id, message_count, last_message_id, last_message_head FROM conversation_stats")
        return Dictionary(
            uniqueKeysWithValues: rows.map {
                ($0["conversation_id"], [String($0["message_count"] as Int), $0["last_message_id"], $0["last_message_head"]])
            })
    }

    @Test func adoptionBackfillsTheLegacyRows() throws {
        let database = try AppDatabase.open(path: Fixtures.copyOfLegacyDatabase())
        defer { try? database.pool.close() }
        let (stats, expected) = try database.pool.read { db in (try maintained(db), try recomputed(db)) }
        do {
            #expect(stats.count == 4)
            #expect(stats == expected)
            #expect(
                stats["c53f8279-ab60-4874-b858-15f896ddff51"] == [
                    "4", "942da6a2-e57c-474b-81be-f11305f11dda", "Sendable marks types that are safe to share across concurrency domains.",
                ])
            #expect(stats["f19cd627-97ba-4e7e-8f7d-d5f528532752"] == ["0", nil, nil])
        }
    }

    @Test(arguments: 0..<5)
    func randomOperationsKeepStatsExact(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let path = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        let database = try AppDatabase.open(path: path)
        let store = SQLiteStore(database: database)
        let user = try await store.createUser(username: "u")
        var conversations: [String] = []
        var messages: [String] = []
        for _ in 0..<300 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1:
                conversations.append(try await store.createConversation(userID: user.id, title: "c", folder: nil).id)
            case 2 where !conversations.isEmpty:
                let index = Int.random(in: 0..<conversations.count, using: &random)
                try await store.deleteConversation(id: conversations.remove(at: index))
            case 3 where !messages.isEmpty:
                let index = Int.random(in: 0..<messages.count, using: &random)
                do { try await store.deleteMessage(id: messages.remove(at: index)) } catch StoreError.notFound(.message) {}
            case 5 where !messages.isEmpty:
                let id = messages[Int.random(in: 0..<messages.count, using: &random)]
                do {
                    _ = try await store.updateMessage(id: id, content: "edited \(Int.random(in: 0...99, using: &random))")
                } catch StoreError.notFound(.message) {}
            case 4 where !messages.isEmpty:
                // The original backend (or sqlite3) writing the file directly: triggers keep up.
                let id = messages[Int.random(in: 0..<messages.count, using: &random)]
                try await database.pool.write { db in
                    try db.execute(sql: "UPDATE messages SET timestamp = '2000-01-01 00:00:00.000000' WHERE id = ?", arguments: [id])
                }
            default:
                guard let conversation = conversations.randomElement(using: &random) else { continue }
                messages.append(try await store.addMessage(conversationID: conversation, role: "user", content: "x").id)
            }
        }
        let (kept, expected) = try await database.pool.read { db in (try maintained(db), try recomputed(db)) }
        #expect(kept == expected, "seed \(seed)")
        try await store.close()
    }
}
