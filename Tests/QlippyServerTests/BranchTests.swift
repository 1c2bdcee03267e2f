import Foundation
import HTTPTypes
import HummingbirdTesting
import QlippyTestSupport
import Testing

/// Branches: `parent_id` on a new message, `current_message_id` on a conversation, `?branches=all`,
/// and deletes that keep the tree whole.
@Suite("Branches: edits, regenerated answers and switches")
struct BranchTests {
    /// Adds a message, under `parent` when given (`.some(nil)`: a new root), and returns its id.
    static func add(
        _ client: some TestClientProtocol, _ conversation: String, _ role: String, _ content: String, parent: String?? = nil
    ) async throws -> String {
        var body: [String: Any] = ["role": role, "content": content]
        if let parent { body["parent_id"] = parent ?? NSNull() }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let response = try await client.post("/api/conversations/\(conversation)/messages", text)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try #require(try response.json.string("id"))
    }

    static func read(_ client: some TestClientProtocol, _ conversation: String, _ query: String = "") async throws -> JSONDocument {
        let response = try await client.get("/api/conversations/\(conversation)\(query)")
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try response.json
    }

    /// The contents of a read's messages, in order.
    static func contents(_ document: JSONDocument) -> [String] {
        (document["messages"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }
    }

    /// Each message's content with its parent's content (`-` for a root), from `?branches=all`.
    static func tree(_ client: some TestClientProtocol, _ conversation: String) async throws -> [String: String] {
        let messages = try await read(client, conversation, "?branches=all")["messages"] as? [[String: Any]] ?? []
        let contents = Dictionary(uniqueKeysWithValues: messages.map { ($0["id"] as? String ?? "", $0["content"] as? String ?? "") })
        return Dictionary(
            uniqueKeysWithValues: messages.map { message in
                (message["content"] as? String ?? "", (message["parent_id"] as? String).flatMap { contents[$0] } ?? "-")
            })
    }

    static func switchTo(_ client: some TestClientProtocol, _ conversation: String, _ message: String) async throws -> JSONDocument {
        let response = try await client.put("/api/conversations/\(conversation)", #"{"current_message_id": "\#(message)"}"#)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try response.json
    }

    @Test func aLinearConversationAnswersAsTheOriginalDid() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let question = try await Self.add(client, conversation, "user", "q1")
            // Naming the last message as parent keeps the conversation a line.
            let answer = try await Self.add(client, conversation, "assistant", "a1", parent: question)
            let plain = try await client.get("/api/conversations/\(conversation)")
            let current = try await client.get("/api/conversations/\(conversation)?branches=current")
            #expect(plain.body == current.body)
            let detail = try plain.json
            #expect(
                detail.object.keys.sorted() == [
                    "created_at", "folder", "id", "last_updated", "message_count", "messages", "title", "user_id",
                ])
            for message in detail["messages"] as? [[String: Any]] ?? [] {
                #expect(message.keys.sorted() == ["content", "conversation_id", "id", "role", "timestamp"])
            }
            let list = try await client.get("/api/conversations/\(conversation)/messages").json.array
            #expect(list.map { $0.keys.contains("parent_id") } == [false, false])

            let all = try await Self.read(client, conversation, "?branches=all")
            #expect(all.string("current_message_id") == answer)
            let parents = (all["messages"] as? [[String: Any]] ?? []).map { $0["parent_id"] }
            #expect(parents.count == 2)
            #expect(parents.first.map { $0 is NSNull } == true)
            #expect(parents.last as? String == question)
            // Switching within a line changes nothing.
            #expect(try await Self.switchTo(client, conversation, question).string("current_message_id") == nil)
        }
    }

    @Test func editsAndRegeneratedAnswersMakeATreeWithACurrentBranch() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let q1 = try await Self.add(client, conversation, "user", "q1")
            let a1 = try await Self.add(client, conversation, "assistant", "a1")
            let q2 = try await Self.add(client, conversation, "user", "q2")
            let a2 = try await Self.add(client, conversation, "assistant", "a2")
            // The question edited twice: each edit is a sibling of q2, answered in turn.
            let q2b = try await Self.add(client, conversation, "user", "q2b", parent: a1)
            _ = try await Self.add(client, conversation, "assistant", "a2b")
            let q2c = try await Self.add(client, conversation, "user", "q2c", parent: a1)
            let a2c = try await Self.add(client, conversation, "assistant", "a2c")
            // The last answer regenerated three times.
            for attempt in 1...3 { _ = try await Self.add(client, conversation, "assistant", "r\(attempt)", parent: q2c) }

            let branch = try await Self.read(client, conversation)
            #expect(Self.contents(branch) == ["q1", "a1", "q2c", "r3"])
            #expect(branch.int("message_count") == 11, "the count is every message's")
            let shown = branch["messages"] as? [[String: Any]] ?? []
            #expect(shown.first?["parent_id"] is NSNull)
            #expect(shown.dropFirst().first?["parent_id"] as? String == q1)
            #expect(branch.string("current_message_id") == shown.last?["id"] as? String)
            #expect(
                try await Self.tree(client, conversation) == [
                    "q1": "-", "a1": "q1", "q2": "a1", "a2": "q2", "q2b": "a1", "a2b": "q2b", "q2c": "a1", "a2c": "q2c", "r1": "q2c",
                    "r2": "q2c", "r3": "q2c",
                ])
            let all = try await Self.read(client, conversation, "?branches=all")
            #expect(Self.contents(all) == ["q1", "a1", "q2", "a2", "q2b", "a2b", "q2c", "a2c", "r1", "r2", "r3"])
            let listed = try await client.get("/api/users/\(user)/conversations").json.array
            #expect(listed.first?["last_message_preview"] as? String == "r3")
            let found = try await client.get("/api/users/\(user)/search?q=a2b").json
            #expect(found.int("total_results") == 1, "search looks in every branch, not only the current one")

            // Switching to each sibling shows the newest leaf under it.
            #expect(try await Self.switchTo(client, conversation, q2).string("title") == "New Conversation")
            #expect(Self.contents(try await Self.read(client, conversation)) == ["q1", "a1", "q2", "a2"])
            #expect(try await client.get("/api/users/\(user)/conversations").json.array.first?["last_message_preview"] as? String == "a2")
            // The preview follows an edit of the current message, though newer messages exist.
            #expect(try await client.put("/api/messages/\(a2)", #"{"content": "a2 edited"}"#).status == .ok)
            #expect(
                try await client.get("/api/users/\(user)/conversations").json.array.first?["last_message_preview"] as? String == "a2 edited"
            )
            _ = try await Self.switchTo(client, conversation, q2b)
            #expect(Self.contents(try await Self.read(client, conversation)) == ["q1", "a1", "q2b", "a2b"])
            _ = try await Self.switchTo(client, conversation, a2c)
            #expect(Self.contents(try await Self.read(client, conversation)) == ["q1", "a1", "q2c", "a2c"])
            _ = try await Self.switchTo(client, conversation, q2c)
            #expect(Self.contents(try await Self.read(client, conversation)) == ["q1", "a1", "q2c", "r3"])
            let messages = try await client.get("/api/conversations/\(conversation)/messages").json.array
            #expect(messages.compactMap { $0["content"] as? String } == ["q1", "a1", "q2c", "r3"])
            let page = try await client.get("/api/conversations/\(conversation)/messages?limit=3")
            #expect(try page.json.array.compactMap { $0["content"] as? String } == ["q1", "a1", "q2c"])
            let next = try #require(try PaginationTests.next(page))
            #expect(try await client.get(next).json.array.compactMap { $0["content"] as? String } == ["r3"])
            let allPage = try await client.get("/api/conversations/\(conversation)/messages?limit=5&branches=all").json.array
            #expect(allPage.compactMap { $0["content"] as? String } == ["q1", "a1", "q2", "a2 edited", "q2b"])

            // Adding after a switch follows it.
            _ = try await Self.switchTo(client, conversation, q2)
            _ = try await Self.add(client, conversation, "user", "q3")
            #expect(Self.contents(try await Self.read(client, conversation)) == ["q1", "a1", "q2", "a2 edited", "q3"])

            // A switch alone is no edit: the conversation keeps its place in the list.
            let before = try await Self.read(client, conversation).string("last_updated")
            _ = try await Self.switchTo(client, conversation, q2b)
            #expect(try await Self.read(client, conversation).string("last_updated") == before)
        }
    }

    @Test func deletesKeepTheTreeWhole() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            _ = try await Self.add(client, conversation, "user", "q1")
            let a1 = try await Self.add(client, conversation, "assistant", "a1")
            _ = try await Self.add(client, conversation, "user", "q2")
            _ = try await Self.add(client, conversation, "assistant", "a2")
            let q2b = try await Self.add(client, conversation, "user", "q2b", parent: a1)
            _ = try await Self.add(client, conversation, "assistant", "a2b")
            let q2c = try await Self.add(client, conversation, "user", "q2c", parent: a1)
            _ = try await Self.add(client, conversation, "assistant", "a2c")
            _ = try await Self.add(client, conversation, "assistant", "r1", parent: q2c)

            // A middle message alone: its replies hang under its parent.
            #expect(try await client.delete("/api/messages/\(q2c)").status == .ok)
            #expect(
                try await Self.tree(client, conversation) == [
                    "q1": "-", "a1": "q1", "q2": "a1", "a2": "q2", "q2b": "a1", "a2b": "q2b", "a2c": "a1", "r1": "a1",
                ])
            #expect(Self.contents(try await Self.read(client, conversation)) == ["q1", "a1", "r1"])
            // A whole branch.
            #expect(try await client.delete("/api/messages/\(q2b)?with_replies=true").status == .ok)
            #expect(Self.contents(try await Self.read(client, conversation, "?branches=all")) == ["q1", "a1", "q2", "a2", "a2c", "r1"])
            #expect(try await Self.read(client, conversation).int("message_count") == 6)
            // The current message with everything under its parent: the newest leaf left takes over.
            #expect(try await client.delete("/api/messages/\(a1)?with_replies=true").status == .ok)
            #expect(Self.contents(try await Self.read(client, conversation)) == ["q1"])
            #expect(try await client.delete("/api/messages/\(a1)").status == .notFound)
        }
    }

    @Test func aLinearDeleteRemovesExactlyThatMessage() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            var ids: [String] = []
            for content in ["q1", "a1", "q2", "a2"] { ids.append(try await Self.add(client, conversation, "user", content)) }
            #expect(try await client.delete("/api/messages/\(ids[1])").status == .ok)
            let detail = try await Self.read(client, conversation)
            #expect(Self.contents(detail) == ["q1", "q2", "a2"])
            #expect(detail["current_message_id"] == nil)
            #expect(try await client.delete("/api/messages/\(ids[2])?with_replies=true").status == .ok)
            #expect(Self.contents(try await Self.read(client, conversation)) == ["q1"])
        }
    }

    @Test func messagesOfAnotherConversationAndBadParametersAreRefused() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let other = try await client.createConversation(user: user)
            _ = try await Self.add(client, conversation, "user", "here")
            let elsewhere = try await Self.add(client, other, "user", "there")
            let refused = try await client.post(
                "/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "x", "parent_id": "\#(elsewhere)"}"#)
            #expect(refused.status == .badRequest)
            #expect(refused.errorMessage == "parent_id must be a message of this conversation")
            let notAnID = try await client.post(
                "/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "x", "parent_id": "nope"}"#)
            #expect(notAnID.errorMessage == "parent_id must be a message of this conversation")
            let number = try await client.post(
                "/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "x", "parent_id": 7}"#)
            #expect(number.errorMessage == "parent_id must be a string")
            let switched = try await client.put("/api/conversations/\(conversation)", #"{"current_message_id": "\#(elsewhere)"}"#)
            #expect(switched.status == .badRequest)
            #expect(switched.errorMessage == "current_message_id must be a message of this conversation")
            let null = try await client.put("/api/conversations/\(conversation)", #"{"current_message_id": null}"#)
            #expect(null.errorMessage == "current_message_id must be a string")
            #expect(
                try await client.get("/api/conversations/\(conversation)?branches=some").errorMessage == "branches must be current or all")
            #expect(
                try await client.get("/api/conversations/\(conversation)/messages?branches=x").errorMessage
                    == "branches must be current or all")
            #expect(
                try await client.delete("/api/messages/\(elsewhere)?with_replies=yes").errorMessage == "with_replies must be true or false")
            #expect(try await Self.read(client, conversation).int("message_count") == 1, "nothing was written")
        }
    }

    @Test func aNewRootIsAnEditOfTheFirstQuestion() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            _ = try await Self.add(client, conversation, "user", "q1")
            _ = try await Self.add(client, conversation, "assistant", "a1")
            let edited = try await client.post(
                "/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "q1b", "parent_id": null}"#)
            #expect(edited.status == .created)
            #expect(try edited.json["parent_id"] is NSNull)
            _ = try await Self.add(client, conversation, "assistant", "a1b")
            #expect(Self.contents(try await Self.read(client, conversation)) == ["q1b", "a1b"])
            #expect(try await Self.tree(client, conversation) == ["q1": "-", "a1": "q1", "q1b": "-", "a1b": "q1b"])
        }
    }

    /// Events carry the tree: a branch's messages their parents, a switch is `conversation.updated`
    /// with the new current message, and a delete that moves replies updates them.
    @Test func eventsCarryParentsAndSwitches() async throws {
        try await TestServer().run(.live) { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let q1 = try await Self.add(client, conversation, "user", "q1")
            let a1 = try await Self.add(client, conversation, "assistant", "a1")
            let stream = try EventStreamClient(port: try #require(client.port), userID: user)
            try await stream.opened()
            let edit = try await Self.add(client, conversation, "user", "q1b", parent: .some(nil))
            let created = try await stream.wait { $0.events.count >= 1 }.last
            #expect(created?.event == "message.created")
            #expect(created?.json["id"] as? String == edit)
            #expect(created?.json["parent_id"] is NSNull)

            _ = try await Self.switchTo(client, conversation, q1)
            let switched = try await stream.wait { $0.events.count >= 2 }.last
            #expect(switched?.event == "conversation.updated")
            #expect(switched?.json["current_message_id"] as? String == a1)

            _ = try await Self.add(client, conversation, "assistant", "a1b", parent: edit)
            #expect(try await client.delete("/api/messages/\(edit)").status == .ok)
            let events = try await stream.wait { $0.events.count >= 5 }
            #expect(
                events.map(\.event) == ["message.created", "conversation.updated", "message.created", "message.deleted", "message.updated"])
            #expect(events.last?.json["content"] as? String == "a1b")
            #expect(events.last?.json["parent_id"] is NSNull, "the answer moved up to the edit's place: a root")
            stream.close()
        }
    }
}
