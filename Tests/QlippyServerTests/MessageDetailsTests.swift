import Foundation
import HTTPTypes
import HummingbirdTesting
import QlippyTestSupport
import Testing

@Suite("Message details: model, usage, finish reason, metadata")
struct MessageDetailsTests {
    static let detailed = #"""
        {"role": "assistant", "content": "Paris.", "model": "gpt-4o-2024-08-06",
         "usage": {"input_tokens": 1200, "output_tokens": 3}, "finish_reason": "stop",
         "metadata": {"trace": "t-1", "b": "ü \"quoted\"", "a": ""}}
        """#

    /// The details of a message as the API writes them (only the fields beyond the original's).
    static func details(_ message: [String: Any]) -> [String: Any] {
        message.filter { !["id", "conversation_id", "role", "content", "timestamp"].contains($0.key) }
    }

    static func expectDetailed(_ message: [String: Any]) {
        #expect(message["model"] as? String == "gpt-4o-2024-08-06")
        #expect(message["usage"] as? [String: Int] == ["input_tokens": 1200, "output_tokens": 3])
        #expect(message["finish_reason"] as? String == "stop")
        #expect(message["metadata"] as? [String: String] == ["trace": "t-1", "b": "ü \"quoted\"", "a": ""])
        #expect(
            message.keys.sorted() == [
                "content", "conversation_id", "finish_reason", "id", "metadata", "model", "role", "timestamp", "usage",
            ])
    }

    @Test func addedDetailsAreReturnedWhereverTheMessageIs() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            try await client.addMessage(to: conversation, "What is the capital of France?")
            let response = try await client.post("/api/conversations/\(conversation)/messages", Self.detailed)
            #expect(response.status == .created)
            Self.expectDetailed(try response.json.object)
            // Metadata keys in byte order, the fields after the original's.
            #expect(String(buffer: response.body).hasSuffix(#""metadata":{"a":"","b":"ü \"quoted\"","trace":"t-1"}}"#))

            let detail = try await client.get("/api/conversations/\(conversation)").json
            let messages = try #require(detail["messages"] as? [[String: Any]])
            #expect(messages.count == 2)
            #expect(Self.details(messages[0]).isEmpty)
            Self.expectDetailed(messages[1])
            let listed = try await client.get("/api/conversations/\(conversation)/messages").json.array
            Self.expectDetailed(try #require(listed.last))
            let page = try await client.get("/api/conversations/\(conversation)/messages?limit=2").json.array
            #expect(page.count == 2)
            #expect(page.first.map(Self.details)?.isEmpty == true)
            Self.expectDetailed(try #require(page.last))
        }
    }

    @Test func editSetsKeepsAndClearsEachDetail() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let id = try #require(try await client.post("/api/conversations/\(conversation)/messages", Self.detailed).json.string("id"))

            let content = try await client.put("/api/messages/\(id)", #"{"content": "Paris, France."}"#).json.object
            #expect(content["content"] as? String == "Paris, France.")
            Self.expectDetailed(content.merging(["content": "Paris."]) { $1 })

            let model = try await client.put("/api/messages/\(id)", #"{"model": "o3", "usage": null}"#).json.object
            #expect(model["model"] as? String == "o3")
            #expect(model["usage"] == nil)
            #expect(model["finish_reason"] as? String == "stop")
            #expect((model["metadata"] as? [String: String])?.count == 3)

            let metadata = try await client.put("/api/messages/\(id)", #"{"metadata": {}, "finish_reason": "length"}"#).json.object
            #expect(Self.details(metadata) as? [String: String] == ["model": "o3", "finish_reason": "length"])
            #expect(try await server.rowCounts()["message_details"] == 1)

            let cleared = try await client.put("/api/messages/\(id)", #"{"model": null, "finish_reason": null, "metadata": null}"#)
            #expect(Self.details(try cleared.json.object).isEmpty)
            let stored = try await client.get("/api/conversations/\(conversation)/messages").json.array
            #expect(stored.map(Self.details).map(\.isEmpty) == [true])
        }
        #expect(try await server.rowCounts()["message_details"] == 0)
    }

    @Test(arguments: [
        (#""model": 5"#, "model must be a string"),
        (#""model": """#, "model must not be empty"),
        (#""model": "\#(String(repeating: "m", count: 201))""#, "model must be at most 200 characters"),
        (#""finish_reason": "\#(String(repeating: "é", count: 65))""#, "finish_reason must be at most 64 characters"),
        (#""usage": 3"#, "usage must be an object with input_tokens and output_tokens"),
        (#""usage": {"input_tokens": 1}"#, "usage must be an object with input_tokens and output_tokens"),
        (
            #""usage": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}"#,
            "usage must be an object with input_tokens and output_tokens"
        ),
        (#""usage": {"input_tokens": -1, "output_tokens": 2}"#, "usage.input_tokens must be a whole number from 0 to 9007199254740991"),
        (#""usage": {"input_tokens": 1, "output_tokens": 2.5}"#, "usage.output_tokens must be a whole number from 0 to 9007199254740991"),
        (#""usage": {"input_tokens": 1, "output_tokens": "2"}"#, "usage.output_tokens must be a whole number from 0 to 9007199254740991"),
        (
            #""usage": {"input_tokens": 9007199254740992, "output_tokens": 2}"#,
            "usage.input_tokens must be a whole number from 0 to 9007199254740991"
        ),
        (#""usage": {"input_tokens": 1, "input_tokens2": 2}"#, "usage.output_tokens must be a whole number from 0 to 9007199254740991"),
        (#""metadata": "x""#, "metadata must be an object of strings"),
        (#""metadata": {\#((0..<17).map { #""k\#($0)": "v""# }.joined(separator: ", "))}"#, "metadata must have at most 16 pairs"),
        (#""metadata": {"\#(String(repeating: "k", count: 65))": "v"}"#, "metadata key must be at most 64 characters"),
        (#""metadata": {"": "v"}"#, "metadata key must not be empty"),
        (#""metadata": {"k": "\#(String(repeating: "v", count: 513))"}"#, "metadata value must be at most 512 characters"),
        (#""metadata": {"k": 5}"#, "metadata value must be a string"),
        (#""metadata": {"k": null}"#, "metadata value must be a string"),
    ])
    func badDetailsAreRefusedNamingTheField(field: String, message: String) async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let added = try await client.post(
                "/api/conversations/\(conversation)/messages", #"{"role": "assistant", "content": "x", \#(field)}"#)
            #expect(added.status == .badRequest)
            #expect(added.errorMessage == message)
            let id = try #require(try await client.addMessage(to: conversation, "kept").string("id"))
            let edited = try await client.put("/api/messages/\(id)", #"{"content": "changed", \#(field)}"#)
            #expect(edited.status == .badRequest)
            #expect(edited.errorMessage == message)
            let stored = try await client.get("/api/conversations/\(conversation)/messages").json.array
            #expect(stored.map { $0["content"] as? String } == ["kept"])
        }
        #expect(try await server.rowCounts()["message_details"] == 0)
    }

    @Test func detailsAtTheirLimitsAreKept() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let model = String(repeating: "м", count: 200)
            let pairs = Dictionary(
                uniqueKeysWithValues: (0..<16).map { index in
                    (String(repeating: "k", count: 62) + String(format: "%02d", index), String(repeating: "v", count: 512))
                })
            let body = try JSONSerialization.data(withJSONObject: [
                "role": "assistant", "content": "x", "model": model, "finish_reason": String(repeating: "r", count: 64),
                "usage": ["input_tokens": 9_007_199_254_740_991, "output_tokens": 0], "metadata": pairs,
            ])
            let response = try await client.post("/api/conversations/\(conversation)/messages", String(decoding: body, as: UTF8.self))
            #expect(response.status == .created)
            let stored = try #require(try await client.get("/api/conversations/\(conversation)/messages").json.array.first)
            #expect(stored["model"] as? String == model)
            #expect(stored["usage"] as? [String: Int] == ["input_tokens": 9_007_199_254_740_991, "output_tokens": 0])
            #expect(stored["metadata"] as? [String: String] == pairs)
        }
    }

    @Test func detailsGoWithTheirMessageAndConversation() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let first = try #require(try await client.post("/api/conversations/\(conversation)/messages", Self.detailed).json.string("id"))
            _ = try await client.post("/api/conversations/\(conversation)/messages", Self.detailed)
            #expect(try await server.rowCounts()["message_details"] == 2)
            #expect(try await client.delete("/api/messages/\(first)").status == .ok)
            #expect(try await server.rowCounts()["message_details"] == 1)
            #expect(try await client.delete("/api/conversations/\(conversation)").status == .ok)
        }
        #expect(try await server.rowCounts()["message_details"] == 0)
    }

    @Test func aRepeatedKeyReplaysOnlyTheSameDetails() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "details-1"]
            let path = "/api/conversations/\(conversation)/messages"
            let first = try await client.post(path, Self.detailed, headers: headers)
            #expect(first.status == .created)
            let again = try await client.post(path, Self.detailed, headers: headers)
            #expect(again.status == .created)
            #expect(again.body == first.body)
            let otherModel = Self.detailed.replacingOccurrences(of: "gpt-4o-2024-08-06", with: "gpt-4o-mini")
            let changed = try await client.post(path, otherModel, headers: headers)
            #expect(changed.status == .unprocessableContent)
            #expect(changed.errorMessage == "Idempotency-Key was already used for a different request")
        }
        #expect(try await server.rowCounts()["messages"] == 1)
    }

    /// An import of our format keeps the details; details out of their limits skip their conversation.
    @Test func ourImportKeepsDetailsAndRefusesBadOnes() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let (kept, refused) = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
            let pairs = (0..<17).map { #""k\#($0)": "v""# }.joined(separator: ", ")
            let file = """
                {"format": "qlippy-export", "version": 1, "conversations": [
                  {"id": "\(kept)", "title": "kept", "folder": null, "created_at": null, "last_updated": null, "messages": [
                    {"id": "\(UUID().uuidString)", "role": "assistant", "content": "a", "timestamp": null, "model": "m1",
                     "usage": {"input_tokens": 4, "output_tokens": 5}, "finish_reason": "stop", "metadata": {"k": "v"}}]},
                  {"id": "\(refused)", "title": "refused", "folder": null, "created_at": null, "last_updated": null, "messages": [
                    {"id": "\(UUID().uuidString)", "role": "assistant", "content": "b", "timestamp": null, "metadata": {\(pairs)}}]}
                ]}
                """
            let report = try await TransferTests.importFile(client, user, Data(file.utf8)).json
            #expect(report.int("conversations_imported") == 1)
            let skipped = report["skipped"] as? [[String: String]] ?? []
            #expect(skipped.map { $0["source_id"] } == [refused])
            #expect(skipped.first?["reason"]?.hasSuffix("metadata must have at most 16 pairs") == true, "\(skipped)")
            let message = try #require(try await client.get("/api/conversations/\(kept)/messages").json.array.first)
            #expect(
                Self.details(message) as NSDictionary == [
                    "model": "m1", "usage": ["input_tokens": 4, "output_tokens": 5],
                    "finish_reason": "stop", "metadata": ["k": "v"],
                ] as NSDictionary)
        }
    }
}
