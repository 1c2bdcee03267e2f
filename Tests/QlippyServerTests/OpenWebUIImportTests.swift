import Foundation
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// Open WebUI's chat export: the whole tree with `currentId` as the current message, user and
/// assistant turns.
@Suite("Open WebUI import")
struct OpenWebUIImportTests {
    static func message(_ id: String, parent: String?, role: String, _ content: String, at timestamp: Double) -> (String, [String: Any]) {
        (
            id,
            [
                "id": id, "parentId": parent ?? NSNull(), "childrenIds": [], "role": role, "content": content, "timestamp": timestamp,
                "models": ["llama3"],
            ].merging(role == "assistant" ? ["model": "llama3:8b-\(id)"] : [:]) { $1 }
        )
    }

    static func chat(id: String, title: String, current: String, messages: [(String, [String: Any])], created: Double) -> [String: Any] {
        [
            "id": id, "user_id": "owui-user", "title": title, "created_at": created, "updated_at": created + 60, "archived": false,
            "chat": [
                "id": "", "title": title, "models": ["llama3"], "timestamp": created * 1000,
                "history": ["messages": Dictionary(uniqueKeysWithValues: messages), "currentId": current],
                "messages": messages.map(\.1),
            ],
        ]
    }

    /// Two chats: one with a regenerated answer (a branch), one with a system prompt, an empty
    /// answer and times in milliseconds.
    static func export() throws -> Data {
        let branched = chat(
            id: "chat-1", title: "Greetings", current: "m4",
            messages: [
                message("m1", parent: nil, role: "user", "Hi", at: 1_700_000_100),
                message("m2", parent: "m1", role: "assistant", "Hello A", at: 1_700_000_101),
                message("m3", parent: "m1", role: "assistant", "Hello B", at: 1_700_000_102),
                message("m4", parent: "m3", role: "user", "Thanks", at: 1_700_000_103),
            ], created: 1_700_000_100)
        let prompted = chat(
            id: "chat-2", title: " ", current: "a2",
            messages: [
                message("s0", parent: nil, role: "system", "You are terse", at: 1_700_000_200_000),
                message("u1", parent: "s0", role: "user", "Q", at: 1_700_000_201_000),
                message("a1", parent: "u1", role: "assistant", "", at: 1_700_000_202_000),
                message("a2", parent: "a1", role: "assistant", "A", at: 1_700_000_203_500),
            ], created: 1_700_000_200)
        return try JSONSerialization.data(withJSONObject: [branched, prompted])
    }

    @Test func importsTheTreeWithTheCurrentBranch() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let report = try await ChatGPTImportTests.importFile(client, user, try Self.export())
            #expect(report.string("format") == "openwebui")
            #expect(report.int("conversations_imported") == 2)
            #expect(report.int("messages_imported") == 6)
            #expect(report["messages_skipped"] as? [String: Int] == ["system": 1, "empty": 1])
            let greetings = try await ChatGPTImportTests.messages(client, user, title: "Greetings")
            #expect(greetings.map { $0["content"] as? String } == ["Hi", "Hello B", "Thanks"])
            #expect(greetings.map { $0["model"] as? String } == [nil, "llama3:8b-m3", nil])
            let list = try await client.get("/api/users/\(user)/conversations").json.array
            let id = try #require(list.first { $0["title"] as? String == "Greetings" }?["id"] as? String)
            #expect(try await BranchTests.tree(client, id) == ["Hi": "-", "Hello A": "Hi", "Hello B": "Hi", "Thanks": "Hello B"])
            let all = try await BranchTests.read(client, id, "?branches=all")["messages"] as? [[String: Any]] ?? []
            #expect(all.compactMap { $0["model"] as? String } == ["llama3:8b-m2", "llama3:8b-m3"])
            let prompted = try await ChatGPTImportTests.messages(client, user, title: "New Conversation")
            #expect(prompted.map { $0["content"] as? String } == ["Q", "A"])
            #expect(prompted.last?["timestamp"] as? String == "2023-11-14T22:16:43.500000Z")

            let counts = try await server.rowCounts()
            let again = try await ChatGPTImportTests.importFile(client, user, try Self.export())
            #expect(again.int("conversations_already_present") == 2)
            #expect(try await server.rowCounts() == counts)
        }
    }

    /// `format=` decides what the content does not show; content that shows its format is read as
    /// that (the report says which), and one that is no format at all is refused with nothing written.
    @Test func aFormatDecidesWhatTheContentDoesNotShow() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            func post(_ query: String, _ body: Data) async throws -> TestResponse {
                try await client.executeRequest(
                    uri: "/api/users/\(user)/import?\(query)", method: .post, headers: jsonHeaders, body: ByteBuffer(bytes: body))
            }
            #expect(try await post("format=openwebui", try Self.export()).json.int("conversations_imported") == 2)
            let counts = try await server.rowCounts()
            let shown = try await post("format=chatgpt", Data(#"{"format": "qlippy-export", "version": 1, "conversations": []}"#.utf8))
            #expect(try shown.json.string("format") == "qlippy-export", "the content shows its format")
            let listOfOpenWebUI = try await post("format=qlippy-export", try Self.export())
            #expect(try listOfOpenWebUI.json.string("format") == "openwebui")
            #expect(try await post("format=openwebui", Data("[]".utf8)).json.string("format") == "openwebui", "an empty list: the hint")
            #expect(try await post("", Data("[]".utf8)).json.int("conversations_imported") == 0)
            let unmarked = try await post("format=openwebui", Data(#"[{"title": "no marks"}]"#.utf8))
            #expect(try unmarked.json.string("format") == "openwebui")
            #expect(try (unmarked.json["skipped"] as? [Any])?.count == 1)
            let wrong = try await post("format=chatgpt", Data(#"{"format": "qlippy-export", "version": 1}"#.utf8))
            #expect(wrong.status == .badRequest)
            #expect(wrong.errorMessage == "Unrecognised import format: found no conversations field")
            // Found by schemathesis: these were 500s.
            let null = try await post("format=chatgpt", Data("null".utf8))
            #expect(null.errorMessage == "Unrecognised import format: found a number, boolean or null")
            let version = try await post("format=qlippy-export", Data(#"{"version": "1", "conversations": []}"#.utf8))
            #expect(version.errorMessage == "Unrecognised import format: found version: Expected to decode Int but found a string instead.")
            let notArray = try await post("format=qlippy-export", Data(#"{"version": 1, "conversations": {}}"#.utf8))
            #expect(notArray.errorMessage == "Unrecognised import format: found conversations that are not an array")
            let unknown = try await post("format=xml", Data("[]".utf8))
            #expect(unknown.errorMessage == "format must be one of qlippy-export, chatgpt, openwebui")
            #expect(try await server.rowCounts() == counts)
        }
    }
}
