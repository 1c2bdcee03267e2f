import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyStore
import QlippyTestSupport
import Testing

@Suite("Ordering and previews")
struct OrderingAndPreviewTests {
    @Test func listIsNewestLastUpdatedFirst() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let a = try await client.createConversation(user: user)
            let b = try await client.createConversation(user: user)
            let c = try await client.createConversation(user: user)
            try await client.addMessage(to: a, "bump a")
            _ = try await client.put("/api/conversations/\(b)", #"{"title": "bump b"}"#)
            let ids = try await client.get("/api/users/\(user)/conversations").json.array.map { $0["id"] as? String }
            #expect(ids == [b, a, c])
        }
    }

    @Test(.sqliteOnly) func equalTimestampsKeepCreationOrder() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            // Ids deliberately out of lexical order: only the insertion order may decide.
            let ids = [
                "cccccccc-0000-4000-8000-000000000000", "aaaaaaaa-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000",
            ]
            for (index, id) in ids.enumerated() {
                try await server.execute(
                    "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES (?, ?, 'user', ?, '2026-01-01 00:00:00.000000')",
                    [id, conversation, "m\(index)"]
                )
            }
            let messages = try await client.get("/api/conversations/\(conversation)").json["messages"] as? [[String: Any]]
            #expect(messages?.map { $0["id"] as? String } == ids)
            let preview = try await client.get("/api/users/\(user)/conversations").json.array.first?["last_message_preview"]
            #expect(preview as? String == "m2")
        }
    }

    @Test(arguments: [
        // (content, expected preview)
        (String(repeating: "a", count: 100), String(repeating: "a", count: 100)),
        (String(repeating: "a", count: 101), String(repeating: "a", count: 100) + "..."),
        (String(repeating: "é", count: 150), String(repeating: "é", count: 100) + "..."),
        // A flag is two scalars: 60 flags are 120 characters, cut after 50 flags.
        (String(repeating: "🇫🇷", count: 60), String(repeating: "🇫🇷", count: 50) + "..."),
        // "e" + combining acute is two scalars each.
        (String(repeating: "e\u{301}", count: 51), String(repeating: "e\u{301}", count: 50) + "..."),
        (String(repeating: "e\u{301}", count: 50), String(repeating: "e\u{301}", count: 50)),
    ])
    func previewIsTheFirstHundredScalars(content: String, expected: String) async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            try await client.addMessage(to: conversation, content)
            let preview = try await client.get("/api/users/\(user)/conversations").json.array.first?["last_message_preview"] as? String
            #expect(preview?.unicodeScalars.elementsEqual(expected.unicodeScalars) == true)
        }
    }

    @Test func previewIsTheNewestMessage() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            try await client.addMessage(to: conversation, "older")
            let newest = try await client.addMessage(to: conversation, role: "assistant", "newer")
            var rows = try await client.get("/api/users/\(user)/conversations").json.array
            #expect(rows.first?["last_message_preview"] as? String == "newer")
            _ = try await client.delete("/api/messages/\(#require(newest.string("id")))")
            rows = try await client.get("/api/users/\(user)/conversations").json.array
            #expect(rows.first?["last_message_preview"] as? String == "older")
        }
    }

    /// Text another program stored as invalid UTF-8: the preview is cut from the repaired text,
    /// exactly as `TextPrefix` cuts it (the list decodes only the kept bytes of valid text).
    static let invalidUTF8: [[UInt8]] = {
        let a = UInt8(ascii: "a")
        let b = UInt8(ascii: "b")
        return [
            [UInt8](repeating: a, count: 99) + [0xF0, 0x9F, 0x98] + [UInt8](repeating: b, count: 10),
            [UInt8](repeating: a, count: 99) + [0xC0, 0x80] + [UInt8](repeating: b, count: 10),
            [UInt8](repeating: a, count: 50) + [UInt8](repeating: 0x80, count: 60),
            [UInt8](repeating: a, count: 100) + [0xFF],
            [0xE2, 0x82] + [UInt8](repeating: a, count: 120),
        ]
    }()

    @Test(.sqliteOnly, arguments: invalidUTF8)
    func previewOfInvalidUTF8IsCutFromTheRepairedText(bytes: [UInt8]) async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            try await server.execute(
                "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES (?, ?, 'user', CAST(? AS TEXT), '2026-01-01 00:00:00.000000')",
                ["dddddddd-0000-4000-8000-000000000000", conversation, Data(bytes)]
            )
            let repaired = TextPrefix(of: String(decoding: bytes, as: UTF8.self), length: 100)
            let preview = try await client.get("/api/users/\(user)/conversations").json.array.first?["last_message_preview"] as? String
            #expect(preview?.unicodeScalars.elementsEqual((repaired.text + (repaired.isTruncated ? "..." : "")).unicodeScalars) == true)
        }
    }
}
