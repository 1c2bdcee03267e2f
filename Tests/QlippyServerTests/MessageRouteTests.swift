import Foundation
import GRDB
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

@Suite("Messages: add, edit, delete")
struct MessageRouteTests {
    @Test func addReturnsTheMessageAndBumpsTheConversation() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let response = try await client.post(
                "/api/conversations/\(conversation)/messages", #"{"role": "assistant", "content": "Hi \"there\" 👋"}"#
            )
            #expect(response.status == .created)
            let message = try response.json
            #expect(message.string("conversation_id") == conversation)
            #expect(message.string("role") == "assistant")
            #expect(message.string("content") == "Hi \"there\" 👋")
            #expect(matches(message["id"], uuidPattern))
            #expect(matches(message["timestamp"], wireTimestampPattern))
            #expect(message.object.keys.sorted() == ["content", "conversation_id", "id", "role", "timestamp"])
            let updated = try await client.get("/api/conversations/\(conversation)").json
            #expect(updated.string("last_updated") == message.string("timestamp"))
            #expect(updated.int("message_count") == 1)
        }
    }

    @Test(arguments: [
        (#"{"content": "x"}"#, "Role and content are required"),
        (#"{"role": "user"}"#, "Role and content are required"),
        (#"{"role": "user", "content": ""}"#, "Role and content are required"),
        (#"{"role": "", "content": "x"}"#, "Role and content are required"),
        (#"{"role": "system", "content": "x"}"#, #"Role must be "user" or "assistant""#),
        (#"{"role": "user", "content": 42}"#, "content must be a string"),
        (#"{"role": ["user"], "content": "x"}"#, "role must be a string"),
    ])
    func addRefusesBadBodies(body: String, message: String) async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let response = try await client.post("/api/conversations/\(conversation)/messages", body)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == message)
        }
        #expect(try await server.rowCounts()["messages"] == 0)
    }

    @Test func addToUnknownConversationIs404() async throws {
        try await TestServer().run { client in
            let response = try await client.post("/api/conversations/\(UUID().uuidString)/messages", #"{"role": "user", "content": "x"}"#)
            #expect(response.status == .notFound)
            #expect(response.errorMessage == "Conversation not found")
        }
    }

    @Test func editChangesContentOnly() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let message = try await client.addMessage(to: conversation, "draft")
            let id = try #require(message.string("id"))
            let edited = try await client.put("/api/messages/\(id)", #"{"content": "final"}"#)
            #expect(edited.status == .ok)
            #expect(try edited.json.string("content") == "final")
            #expect(try edited.json.string("timestamp") == message.string("timestamp"))
            #expect(try edited.json.string("role") == "user")
            let unchanged = try await client.put("/api/messages/\(id)", "{}")
            #expect(unchanged.status == .ok)
            #expect(try unchanged.json.string("content") == "final")
        }
    }

    @Test(arguments: [(#"{"content": null}"#, "content must be a string"), (#"{"content": ""}"#, "content must not be empty")])
    func editRefusesBadContent(body: String, message: String) async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let id = try #require(try await client.addMessage(to: conversation, "kept").string("id"))
            let response = try await client.put("/api/messages/\(id)", body)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == message)
            let stored = try await client.get("/api/conversations/\(conversation)").json["messages"] as? [[String: Any]]
            #expect(stored?.first?["content"] as? String == "kept")
        }
    }

    @Test func editAndDeleteOfUnknownMessageAre404() async throws {
        try await TestServer().run { client in
            let id = UUID().uuidString.lowercased()
            let edited = try await client.put("/api/messages/\(id)", #"{"content": "x"}"#)
            #expect(edited.status == .notFound)
            #expect(edited.errorMessage == "Message not found")
            let deleted = try await client.delete("/api/messages/\(id)")
            #expect(deleted.status == .notFound)
            #expect(deleted.errorMessage == "Message not found")
        }
    }

    @Test func deleteRemovesTheMessage() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let id = try #require(try await client.addMessage(to: conversation, "gone").string("id"))
            try await client.addMessage(to: conversation, "stays")
            let response = try await client.delete("/api/messages/\(id)")
            #expect(response.status == .ok)
            #expect(try response.json.object as? [String: String] == ["message": "Message deleted successfully"])
            let detail = try await client.get("/api/conversations/\(conversation)").json
            #expect(detail.int("message_count") == 1)
            #expect((detail["messages"] as? [[String: Any]])?.map { $0["content"] as? String } == ["stays"])
        }
    }
}

@Suite("Message contents survive the round trip")
struct MessageContentRoundTripTests {
    /// A user, a conversation, and the answer to adding `before U+0000 after` to it.
    static func postNULMessage(_ client: any TestClientProtocol) async throws -> (
        user: String, conversation: String, response: TestResponse
    ) {
        let user = try await client.createUser()
        let conversation = try await client.createConversation(user: user)
        let response = try await client.post(
            "/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "before\u0000after"}"#)
        return (user, conversation, response)
    }

    @Test(.sqliteOnly) func aNULCharacterDoesNotCutTheContent() async throws {
        let server = try TestServer()
        try await server.run { client in
            let (user, conversation, created) = try await Self.postNULMessage(client)
            #expect(created.status == .created)
            let messages = try await client.get("/api/conversations/\(conversation)").json["messages"] as? [[String: Any]]
            #expect(messages?.first?["content"] as? String == "before\u{0}after")
            let list = try await client.get("/api/users/\(user)/conversations").json.array
            #expect(list.first?["last_message_preview"] as? String == "before\u{0}after")
        }
        let queue = try DatabaseQueue(path: server.databasePath)
        defer { try? queue.close() }
        let stored = try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT typeof(content) AS type, length(CAST(content AS BLOB)) AS bytes FROM messages")
        }
        #expect(stored?["type"] as String? == "text", "stored as TEXT, as the original stored it")
        #expect(stored?["bytes"] as Int? == 12)
    }

    /// PostgreSQL's text type cannot hold U+0000: the message is refused with a 400 naming the
    /// character, and nothing is stored (not a 500).
    @Test(.enabled(if: TestStore.current == .postgres, "SQLite stores U+0000; the test above checks it"))
    func aNULCharacterIsRefusedWhereTheDatabaseCannotHoldIt() async throws {
        let server = try TestServer()
        try await server.run { client in
            let created = try await Self.postNULMessage(client).response
            #expect(created.status == .badRequest)
            #expect(created.errorMessage == "Text cannot contain the character U+0000 on this server")
        }
        #expect(try await server.rowCounts()["messages"] == 0)
    }
}
