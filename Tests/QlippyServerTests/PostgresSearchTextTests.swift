import Foundation
import HummingbirdTesting
import PostgresNIO
import QlippyTestSupport
import Testing

/// PostgreSQL's search reads `message_search_text`, a lower-cased copy of each message kept by
/// triggers: the copy must follow every write, and a database from before it must get one.
@Suite("PostgreSQL's folded search text")
struct PostgresSearchTextTests {
    /// The number of messages whose copy is missing, left over, or differs from the message (its text
    /// lower-cased, its owner, conversation, role, time and order), then the number of copies.
    static let mismatches = """
        SELECT count(*) FILTER (
                   WHERE m.id IS NULL OR f.message_id IS NULL OR f.folded IS DISTINCT FROM lower(m.content)
                   OR f.user_id IS DISTINCT FROM c.user_id OR f.conversation_id IS DISTINCT FROM m.conversation_id
                   OR f.role IS DISTINCT FROM m.role OR f.timestamp IS DISTINCT FROM m.timestamp OR f.seq IS DISTINCT FROM m.seq),
               count(f.message_id)
        FROM messages m FULL JOIN message_search_text f ON f.message_id = m.id LEFT JOIN conversations c ON c.id = m.conversation_id
        """

    static func check(_ server: TestServer) async throws -> [Int] {
        let url = try #require(server.postgresURL)
        return try await TestPostgres.withConnection(url) { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: mismatches), logger: TestPostgres.logger)
            for try await (mismatched, copies) in rows.decode((Int, Int).self) { return [mismatched, copies] }
            return []
        }
    }

    /// Adds one at a time and by import (a statement of many rows), an edit, deletes of a
    /// message, a conversation and a user, a conversation given to another user: afterwards
    /// every message has exactly its copy.
    @Test(.postgresOnly) func theCopyFollowsEveryWrite() async throws {
        typealias F = ChatGPTFixture
        let server = try TestServer()
        try await server.run { client async throws in
            let ada = try await client.createUser()
            let bob = try await client.createUser("bob")
            let kept = try await client.createConversation(user: ada)
            let edited = try #require(try await client.addMessage(to: kept, "Ünïcode CASE Ärger").string("id"))
            let deleted = try #require(try await client.addMessage(to: kept, role: "assistant", "short-lived").string("id"))
            try await client.addMessage(to: kept, "stays AS IS")
            let doomed = try await client.createConversation(user: ada)
            try await client.addMessage(to: doomed, "goes with its conversation")
            let nodes: [F.Node] = [
                ("root", nil, nil), ("a", "root", F.message("user", F.text("Imported ONE"), time: 1_700_000_000)),
                ("b", "a", F.message("assistant", F.text("Imported TWO"), time: 1_700_000_001)),
            ]
            let file = try F.file([F.conversation(id: "imp-1", title: "Imported", nodes: nodes, current: "b")])
            #expect(try await ChatGPTImportTests.importFile(client, ada, file).int("messages_imported") == 2)
            let bobs = try await client.createConversation(user: bob)
            try await client.addMessage(to: bobs, "Bob's WORDS")
            #expect(try await Self.check(server) == [0, 7])

            _ = try await client.put("/api/messages/\(edited)", #"{"content": "NOW Different"}"#)
            _ = try await client.delete("/api/messages/\(deleted)")
            _ = try await client.delete("/api/conversations/\(doomed)")
            #expect(try await Self.check(server) == [0, 5])
            #expect(try await SearchIndexTests.total(client, ada, "now diff") == 1)
            #expect(try await SearchIndexTests.total(client, ada, "ärger") == 0)

            // No route gives a conversation to another user; a script may.
            try await server.execute("UPDATE conversations SET user_id = ? WHERE id = ?", [bob, kept])
            #expect(try await Self.check(server) == [0, 5])
            #expect(try await SearchIndexTests.total(client, ada, "now diff") == 0)
            #expect(try await SearchIndexTests.total(client, bob, "now diff") == 1)

            // As deleting an account does (accounts mode): the users row, and the cascade from it.
            try await server.execute("DELETE FROM users WHERE id = ?", [bob])
            #expect(try await Self.check(server) == [0, 2])
        }
    }

    /// A database migrated before the copy existed (its migration undone by hand, the old index
    /// back): the next start fills the copy from the messages there, and search finds them.
    @Test(.postgresOnly) func aDatabaseFromBeforeTheCopyGetsOne() async throws {
        let server = try TestServer()
        let user = try await server.run { client async throws in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            try await client.addMessage(to: conversation, "Written BEFORE the upgrade")
            try await client.addMessage(to: conversation, "also before")
            return user
        }
        for statement in [
            "DROP TABLE message_search_text",
            "DROP TRIGGER messages_folded ON messages", "DROP TRIGGER messages_refolded ON messages",
            "DROP TRIGGER conversations_reowned ON conversations", "DROP FUNCTION qlippy_fold_added_messages()",
            "DROP FUNCTION qlippy_fold_changed_message()", "DROP FUNCTION qlippy_fold_reowned_conversation()",
            "CREATE INDEX messages_content_trigrams ON messages USING gin (content gin_trgm_ops)",
            "DELETE FROM qlippy_migrations WHERE name = 'v9-folded-search-text'",
        ] {
            try await server.execute(statement)
        }
        let upgraded = server.onSameDatabase()
        try await upgraded.run { client async throws in
            #expect(try await Self.check(upgraded) == [0, 2])
            #expect(try await SearchIndexTests.total(client, user, "before the UPGRADE") == 1)
            #expect(try await SearchIndexTests.matches(client, user, "before") == 2)
        }
    }
}
