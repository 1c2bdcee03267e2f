import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

@Suite("Conversations: list, create, get, update, delete")
struct ConversationRouteTests {
    @Test func createUsesTheDefaults() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let response = try await client.post("/api/users/\(user)/conversations", "{}")
            #expect(response.status == .created)
            let conversation = try response.json
            #expect(conversation.string("title") == "New Conversation")
            #expect(conversation["folder"] is NSNull)
            #expect(conversation.string("user_id") == user)
            #expect(conversation.int("message_count") == 0)
            #expect(matches(conversation["id"], uuidPattern))
            #expect(matches(conversation["created_at"], wireTimestampPattern))
            #expect(conversation.string("last_updated") == conversation.string("created_at"))
            #expect(
                conversation.object.keys.sorted() == ["created_at", "folder", "id", "last_updated", "message_count", "title", "user_id"])
        }
    }

    @Test func createWithoutABodyUsesTheDefaults() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let response = try await client.executeRequest(uri: "/api/users/\(user)/conversations", method: .post, headers: [:], body: nil)
            #expect(response.status == .created)
            #expect(try response.json.string("title") == "New Conversation")
        }
    }

    @Test func createWithTitleAndFolder() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let response = try await client.post("/api/users/\(user)/conversations", #"{"title": "Plans ✨", "folder": "work"}"#)
            #expect(response.status == .created)
            #expect(try response.json.string("title") == "Plans ✨")
            #expect(try response.json.string("folder") == "work")
        }
    }

    @Test func createAndListForAnUnknownUserAre404() async throws {
        let server = try TestServer()
        try await server.run { client in
            let missing = UUID().uuidString.lowercased()
            let created = try await client.post("/api/users/\(missing)/conversations", "{}")
            #expect(created.status == .notFound)
            #expect(created.errorMessage == "User not found")
            let listed = try await client.get("/api/users/\(missing)/conversations")
            #expect(listed.status == .notFound)
            #expect(listed.errorMessage == "User not found")
        }
        #expect(try await server.rowCounts()["conversations"] == 0)
    }

    @Test func listShowsCountsAndPreviews() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let empty = try await client.createConversation(user: user, #"{"title": "empty"}"#)
            let chat = try await client.createConversation(user: user, #"{"title": "chat", "folder": "f"}"#)
            try await client.addMessage(to: chat, "first")
            try await client.addMessage(to: chat, role: "assistant", "second")
            let list = try await client.get("/api/users/\(user)/conversations")
            #expect(list.status == .ok)
            let rows = try list.json.array
            #expect(rows.map { $0["id"] as? String } == [chat, empty])
            #expect(rows[0]["message_count"] as? Int == 2)
            #expect(rows[0]["last_message_preview"] as? String == "second")
            #expect(rows[0]["folder"] as? String == "f")
            #expect(rows[1]["message_count"] as? Int == 0)
            #expect(rows[1]["last_message_preview"] as? String == "")
        }
    }

    @Test func getReturnsMessagesOldestFirst() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let first = try await client.addMessage(to: conversation, "one")
            let second = try await client.addMessage(to: conversation, role: "assistant", "two")
            let response = try await client.get("/api/conversations/\(conversation)")
            #expect(response.status == .ok)
            let detail = try response.json
            #expect(detail.int("message_count") == 2)
            let messages = detail["messages"] as? [[String: Any]] ?? []
            #expect(messages.map { $0["id"] as? String } == [first.string("id"), second.string("id")])
            #expect(messages.map { $0["content"] as? String } == ["one", "two"])
            #expect(messages.map { $0["role"] as? String } == ["user", "assistant"])
        }
    }

    @Test func getUnknownConversationIs404() async throws {
        try await TestServer().run { client in
            let response = try await client.get("/api/conversations/\(UUID().uuidString)")
            #expect(response.status == .notFound)
            #expect(response.errorMessage == "Conversation not found")
        }
    }

    @Test func updateChangesOnlyThePresentKeysAndBumpsLastUpdated() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let created = try await client.post("/api/users/\(user)/conversations", #"{"title": "old", "folder": "keep"}"#).json
            let id = try #require(created.string("id"))
            try await Task.sleep(for: .milliseconds(2))
            let renamed = try await client.put("/api/conversations/\(id)", #"{"title": "new"}"#)
            #expect(renamed.status == .ok)
            let body = try renamed.json
            #expect(body.string("title") == "new")
            #expect(body.string("folder") == "keep")
            #expect(body.string("created_at") == created.string("created_at"))
            #expect(try #require(body.string("last_updated")) > #require(created.string("last_updated")))

            let cleared = try await client.put("/api/conversations/\(id)", #"{"folder": null}"#).json
            #expect(cleared["folder"] is NSNull)
            #expect(cleared.string("title") == "new")
        }
    }

    @Test(arguments: [
        (#"{"title": null}"#, "title must be a string"),
        (#"{"title": ""}"#, "title must not be empty"),
        (#"{"title": 5}"#, "title must be a string"),
        (#"{"folder": 7}"#, "folder must be a string"),
    ])
    func updateRefusesBadFields(body: String, message: String) async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let id = try await client.createConversation(user: user, #"{"title": "kept"}"#)
            let response = try await client.put("/api/conversations/\(id)", body)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == message)
            #expect(try await client.get("/api/conversations/\(id)").json.string("title") == "kept")
        }
    }

    @Test func updateUnknownConversationIs404() async throws {
        try await TestServer().run { client in
            let response = try await client.put("/api/conversations/\(UUID().uuidString)", #"{"title": "x"}"#)
            #expect(response.status == .notFound)
            #expect(response.errorMessage == "Conversation not found")
        }
    }

    @Test func deleteRemovesTheConversationAndItsMessages() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let doomed = try await client.createConversation(user: user)
            let kept = try await client.createConversation(user: user)
            let message = try await client.addMessage(to: doomed, "bye")
            try await client.addMessage(to: kept, "stay")
            let response = try await client.delete("/api/conversations/\(doomed)")
            #expect(response.status == .ok)
            #expect(try response.json.object as? [String: String] == ["message": "Conversation deleted successfully"])
            #expect(try await client.get("/api/conversations/\(doomed)").status == .notFound)
            #expect(try await client.delete("/api/messages/\(#require(message.string("id")))").status == .notFound)
            #expect(try await client.get("/api/users/\(user)").json.int("conversation_count") == 1)
            let again = try await client.delete("/api/conversations/\(doomed)")
            #expect(again.status == .notFound)
            #expect(again.errorMessage == "Conversation not found")
        }
        #expect(try await server.rowCounts() == ["users": 1, "conversations": 1, "messages": 1, "message_details": 0, "plugins": 0])
    }
}
