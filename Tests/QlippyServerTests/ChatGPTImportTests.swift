import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

/// ChatGPT exports: every branch with `current_node` as the current message, user and assistant
/// turns only, everything left out counted, a broken conversation skipped and named, and a second
/// import adding nothing.
@Suite("ChatGPT import")
struct ChatGPTImportTests {
    typealias F = ChatGPTFixture

    /// Six conversations covering the format's corners (see each one's title).
    static func export() throws -> Data {
        let plain = F.conversation(
            id: "plain-1", title: "Plain",
            nodes: [
                ("root", nil, nil),
                ("sys", "root", F.message("system", F.text(""), hidden: true)),
                ("u1", "sys", F.message("user", F.text("Hello"), time: 1_700_000_001.5)),
                ("a1", "u1", F.message("assistant", F.text("Hi ", "there"), time: 1_700_000_002, model: "o3")),
                (
                    "u2", "a1",
                    F.message(
                        "user",
                        [
                            "content_type": "multimodal_text",
                            "parts": [
                                ["content_type": "image_asset_pointer", "asset_pointer": "file-service://file-1", "width": 10],
                                "What is this?",
                            ],
                        ], time: 1_700_000_003)
                ),
                (
                    "a2", "u2",
                    F.message("assistant", ["content_type": "code", "language": "python", "text": "print(1)"], time: 1_700_000_004)
                ),
            ], current: "a2")
        let branches = F.conversation(
            id: "branch-1", title: "Edited",
            nodes: [
                ("root", nil, nil),
                ("q1", "root", F.message("user", F.text("first wording"), time: 1_700_000_010)),
                ("r1", "q1", F.message("assistant", F.text("first answer"), time: 1_700_000_011)),
                ("q2", "root", F.message("user", F.text("second wording"), time: 1_700_000_020)),
                ("r2", "q2", F.message("assistant", F.text("second answer"), time: 1_700_000_021)),
            ], current: "r2")
        let hidden = F.conversation(
            id: "hidden-1", title: "  ",
            nodes: [
                ("root", nil, nil),
                (
                    "ctx", "root",
                    F.message(
                        "user", ["content_type": "user_editable_context", "user_profile": "I am Ada", "user_instructions": "be brief"],
                        hidden: true)
                ),
                ("u", "ctx", F.message("user", F.text("Think hard"), time: nil)),
                (
                    "t", "u",
                    F.message(
                        "assistant", ["content_type": "thoughts", "thoughts": [["summary": "s", "content": "c"]]], time: 1_700_000_031)
                ),
                ("rr", "t", F.message("assistant", ["content_type": "reasoning_recap", "content": "Thought for 3s"], time: 1_700_000_032)),
                ("tool", "rr", F.message("tool", ["content_type": "execution_output", "text": "42"], time: 1_700_000_033)),
                ("e", "tool", F.message("assistant", F.text(""), time: 1_700_000_034)),
                ("a", "e", F.message("assistant", ["content_type": "some_future_type", "parts": ["The answer"]], time: nil)),
            ], current: "a", created: 1_700_000_030)
        let noChildren = F.conversation(
            id: "nochildren-1", title: "No children",
            nodes: [
                ("root", nil, nil),
                ("u", "root", F.message("user", F.text("up the parents"), time: 1_700_000_040)),
                ("a", "u", F.message("assistant", F.text("found"), time: 1_700_000_041)),
            ], current: "a", withChildren: false)
        let noCurrent = F.conversation(
            id: "nocurrent-1", title: "Newest leaf",
            nodes: [
                ("root", nil, nil),
                ("u", "root", F.message("user", F.text("q"), time: 1_700_000_050)),
                ("old", "u", F.message("assistant", F.text("older"), time: 1_700_000_051)),
                ("new", "u", F.message("assistant", F.text("newer"), time: 1_700_000_052)),
            ], current: nil)
        let broken = F.conversation(id: "broken-1", title: "Broken", nodes: [("root", nil, nil)], current: "gone")
        var nameless = F.conversation(id: "x", title: "No id", nodes: [("root", nil, nil)], current: "root")
        nameless["conversation_id"] = nil
        nameless["id"] = nil
        return try F.file([plain, branches, hidden, noChildren, noCurrent, broken, nameless])
    }

    static func importFile(_ client: some TestClientProtocol, _ user: String, _ data: Data) async throws -> JSONDocument {
        let response = try await TransferTests.importFile(client, user, data)
        #expect(response.status == .ok)
        return try response.json
    }

    static func messages(_ client: some TestClientProtocol, _ user: String, title: String) async throws -> [[String: Any]] {
        let list = try await client.get("/api/users/\(user)/conversations").json.array
        let id = try #require(list.first { $0["title"] as? String == title }?["id"] as? String, "\(title)")
        return try await client.get("/api/conversations/\(id)").json["messages"] as? [[String: Any]] ?? []
    }

    @Test func importsEveryBranchAndReportsEverythingLeftOut() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let report = try await Self.importFile(client, user, try Self.export())
            #expect(report.string("format") == "chatgpt")
            #expect(report.int("conversations_imported") == 5)
            #expect(report.int("messages_imported") == 4 + 4 + 2 + 2 + 3)
            let skipped = report["skipped"] as? [[String: String]] ?? []
            #expect(skipped.count == 2)
            #expect(
                skipped.first == [
                    "source_id": "broken-1", "title": "Broken", "reason": "current_node gone is not in the conversation's messages",
                ])
            #expect(skipped.last?["reason"] == "missing field conversation_id")
            #expect(
                report["messages_skipped"] as? [String: Int] == [
                    "system": 1, "hidden": 1, "thoughts": 1, "reasoning_recap": 1, "tool": 1, "empty": 1,
                ])

            let plain = try await Self.messages(client, user, title: "Plain")
            #expect(
                plain.map { $0["content"] as? String } == ["Hello", "Hi \nthere", "[image]\nWhat is this?", "```python\nprint(1)\n```"])
            #expect(plain.map { $0["role"] as? String } == ["user", "assistant", "user", "assistant"])
            #expect(plain.first?["timestamp"] as? String == "2023-11-14T22:13:21.500000Z")
            // An answer's model: its own `model_slug`, else the conversation's `default_model_slug`; none for a question.
            #expect(plain.map { $0["model"] as? String } == [nil, "o3", nil, "gpt-4o"])

            let edited = try await Self.messages(client, user, title: "Edited")
            #expect(edited.map { $0["content"] as? String } == ["second wording", "second answer"])

            let hidden = try await Self.messages(client, user, title: "New Conversation")
            #expect(hidden.map { $0["content"] as? String } == ["Think hard", "The answer"])
            // No time of its own: the conversation's; then the previous message's.
            #expect(hidden.map { $0["timestamp"] as? String } == ["2023-11-14T22:13:50.000000Z", "2023-11-14T22:13:54.000000Z"])

            #expect(
                try await Self.messages(client, user, title: "No children").map { $0["content"] as? String } == ["up the parents", "found"])
            #expect(try await Self.messages(client, user, title: "Newest leaf").map { $0["content"] as? String } == ["q", "newer"])
            let found = try await client.get("/api/users/\(user)/search?q=parents").json
            #expect(found.int("total_results") == 1, "imported messages are searchable")
        }
    }

    /// Three answers to one question, hidden and tool nodes between kept ones, and the user last on
    /// a side branch: every kept message under its nearest kept ancestor, the current branch
    /// ChatGPT's, each answer's model kept.
    @Test func everyBranchArrivesWithItsParentsAndTheCurrentOne() async throws {
        let file = try F.file([
            F.conversation(
                id: "tree-1", title: "Tree",
                nodes: [
                    ("root", nil, nil),
                    ("q", "root", F.message("user", F.text("question"), time: 1_700_000_100)),
                    ("a1", "q", F.message("assistant", F.text("answer one"), time: 1_700_000_101, model: "o1")),
                    ("tool", "a1", F.message("tool", ["content_type": "execution_output", "text": "42"], time: 1_700_000_102)),
                    ("hid", "tool", F.message("user", F.text("hidden"), time: 1_700_000_103, hidden: true)),
                    ("f1", "hid", F.message("user", F.text("follow-up one"), time: 1_700_000_104)),
                    ("a2", "q", F.message("assistant", F.text("answer two"), time: 1_700_000_105)),
                    ("f2", "a2", F.message("user", F.text("follow-up two"), time: 1_700_000_106)),
                    ("a3", "q", F.message("assistant", F.text("answer three"), time: 1_700_000_107, model: "o3")),
                    ("sys", "a3", F.message("system", F.text("note"), time: 1_700_000_108)),
                    ("f3", "sys", F.message("user", F.text("follow-up three"), time: 1_700_000_109)),
                    ("f3b", "a3", F.message("user", F.text("follow-up three, edited"), time: 1_700_000_110)),
                ], current: "f2"),
            // The user last saw a tool call: its nearest kept ancestor is the current message.
            F.conversation(
                id: "tree-2", title: "Seen a tool",
                nodes: [
                    ("root", nil, nil), ("q", "root", F.message("user", F.text("run it"), time: 1_700_000_200)),
                    ("a", "q", F.message("assistant", F.text("running"), time: 1_700_000_201)),
                    ("t", "a", F.message("tool", ["content_type": "execution_output", "text": "ok"], time: 1_700_000_202)),
                    ("b", "q", F.message("assistant", F.text("other answer"), time: 1_700_000_203)),
                ], current: "t"),
            // Parent links that loop, though not on the seen branch: the conversation is refused.
            F.conversation(
                id: "loop-1", title: "Loop",
                nodes: [
                    ("root", nil, nil), ("q", "root", F.message("user", F.text("fine"), time: 1_700_000_300)),
                    ("x", "y", F.message("user", F.text("x"), time: 1_700_000_301)),
                    ("y", "x", F.message("assistant", F.text("y"), time: 1_700_000_302)),
                ], current: "q"),
        ])
        try await TestServer().run { client in
            let user = try await client.createUser()
            let report = try await Self.importFile(client, user, file)
            #expect(report.int("messages_imported") == 8 + 3)
            #expect(
                report["skipped"] as? [[String: String]] == [
                    ["source_id": "loop-1", "title": "Loop", "reason": "the parent links form a cycle at y"]
                ])
            #expect(report["messages_skipped"] as? [String: Int] == ["tool": 2, "hidden": 1, "system": 1])
            let list = try await client.get("/api/users/\(user)/conversations").json.array
            let tree = try #require(list.first { $0["title"] as? String == "Tree" }?["id"] as? String)
            #expect(
                try await BranchTests.tree(client, tree) == [
                    "question": "-", "answer one": "question", "follow-up one": "answer one", "answer two": "question",
                    "follow-up two": "answer two", "answer three": "question", "follow-up three": "answer three",
                    "follow-up three, edited": "answer three",
                ])
            let current = try await BranchTests.read(client, tree)
            #expect(BranchTests.contents(current) == ["question", "answer two", "follow-up two"])
            let all = try await BranchTests.read(client, tree, "?branches=all")["messages"] as? [[String: Any]] ?? []
            #expect(all.compactMap { $0["model"] as? String } == ["o1", "gpt-4o", "o3"])
            #expect(try await Self.messages(client, user, title: "Seen a tool").map { $0["content"] as? String } == ["run it", "running"])
        }
    }

    @Test func theSameExportTwiceAddsNothing() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            _ = try await Self.importFile(client, user, try Self.export())
            let counts = try await server.rowCounts()
            let again = try await Self.importFile(client, user, try Self.export())
            #expect(again.int("conversations_imported") == 0)
            #expect(again.int("conversations_already_present") == 5)
            #expect(try await server.rowCounts() == counts)
            // Another user importing the same export gets conversations of their own.
            let other = try await client.createUser("other")
            #expect(try await Self.importFile(client, other, try Self.export()).int("conversations_imported") == 5)
        }
    }

    @Test func aCutExportIs400AndWritesNothing() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let whole = try Self.export()
            let counts = try await server.rowCounts()
            let response = try await TransferTests.importFile(client, user, whole.prefix(whole.count / 2))
            #expect(response.status == .badRequest)
            #expect(response.errorMessage?.hasPrefix("Import file is not valid JSON: ") == true)
            #expect(try await server.rowCounts() == counts)
        }
    }
}
