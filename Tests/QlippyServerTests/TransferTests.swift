import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// Export and import of our own format: exact round trips, idempotent re-imports, never
/// overwriting another user's rows, and a report of what happened.
@Suite("Export and import")
struct TransferTests {
    /// A user with every field in use: Unicode, folders and none, an empty conversation, a message
    /// with details, plugins.
    static func seed(_ client: some TestClientProtocol) async throws -> (user: String, conversations: Int, messages: Int) {
        let user = try await client.createUser("zoë 🦊")
        let work = try await client.createConversation(user: user, #"{"title": "Über naïve ☕️ plans", "folder": "work/𝔘"}"#)
        let loose = try await client.createConversation(user: user, #"{"title": "loose"}"#)
        _ = try await client.createConversation(user: user, #"{"title": "empty", "folder": ""}"#)
        try await client.addMessage(to: work, "e\u{301} and 👩🏽‍💻 and \"quotes\"\nnew line")
        let detailed = try JSONSerialization.data(withJSONObject: [
            "role": "assistant", "content": String(repeating: "long ", count: 500), "model": "gpt-4o ☀︎",
            "usage": ["input_tokens": 12, "output_tokens": 2500], "finish_reason": "length", "metadata": ["run": "r-1", "é": "\"x\""],
        ])
        #expect(
            try await client.post("/api/conversations/\(work)/messages", String(decoding: detailed, as: UTF8.self)).status == .created)
        try await client.addMessage(to: loose, "tab\there")
        #expect(
            try await client.post("/api/users/\(user)/plugins", #"{"name": "calc ∑", "description": "adds", "enabled": false}"#).status
                == .created)
        #expect(try await client.post("/api/users/\(user)/plugins", #"{"name": "plain"}"#).status == .created)
        return (user, 3, 3)
    }

    /// The export's bytes, checked for its status and attachment header.
    static func exportData(_ client: some TestClientProtocol, _ user: String) async throws -> Data {
        let response = try await client.get("/api/users/\(user)/export")
        #expect(response.status == .ok)
        #expect(response.headers[.contentDisposition] == #"attachment; filename="qlippy-export-\#(user).json""#)
        return Data(response.body.readableBytesView)
    }

    static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func export(_ client: some TestClientProtocol, _ user: String) async throws -> [String: Any] {
        try object(try await exportData(client, user))
    }

    static func importFile(_ client: some TestClientProtocol, _ user: String, _ body: Data) async throws -> TestResponse {
        try await client.executeRequest(
            uri: "/api/users/\(user)/import", method: .post, headers: jsonHeaders, body: ByteBuffer(bytes: body))
    }

    /// The export without the moment it was taken, for comparing two exports.
    static func comparable(_ export: [String: Any]) throws -> Data {
        var export = export
        export["exported_at"] = nil
        return try JSONSerialization.data(withJSONObject: export, options: [.sortedKeys])
    }

    @Test func aRoundTripIsExact() async throws {
        let file = try await TestServer().run { client in
            let seeded = try await Self.seed(client)
            let export = try await Self.export(client, seeded.user)
            #expect(export["format"] as? String == "qlippy-export")
            #expect(export["version"] as? Int == 3)
            #expect((export["conversations"] as? [[String: Any]])?.count == seeded.conversations)
            return try await Self.exportData(client, seeded.user)
        }
        let first = try Self.object(file)
        let exported = (first["conversations"] as? [[String: Any]] ?? []).flatMap { $0["messages"] as? [[String: Any]] ?? [] }
        let detailed = try #require(exported.first { $0["model"] != nil })
        #expect(detailed["usage"] as? [String: Int] == ["input_tokens": 12, "output_tokens": 2500])
        #expect(detailed["metadata"] as? [String: String] == ["run": "r-1", "é": "\"x\""])
        let user = try #require(first["user"] as? [String: Any])
        let userID = try #require(user["id"] as? String)
        let createdAt = try #require(user["created_at"] as? String)

        // Another server, where the same user exists (same id, name and creation time).
        let target = try TestServer()
        let second = try await target.run { client in
            // PostgreSQL is sent text, which its timestamp column takes only when told.
            let timestamp = TestStore.current == .postgres ? "?::timestamp" : "?"
            try await target.execute(
                "INSERT INTO users (id, username, created_at) VALUES (?, ?, \(timestamp))",
                [userID, "zoë 🦊", createdAt.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")]
            )
            let response = try await Self.importFile(client, userID, file)
            #expect(response.status == .ok)
            let report = try response.json
            #expect(report.string("format") == "qlippy-export")
            #expect(report.int("conversations_imported") == 3)
            #expect(report.int("messages_imported") == 3)
            #expect(report.int("plugins_imported") == 2)
            #expect((report["skipped"] as? [Any])?.isEmpty == true)
            let found = try await client.get("/api/users/\(userID)/search?q=NAÏVE").json
            #expect(found.int("total_results") == 1, "imported rows are searchable")
            return try await Self.exportData(client, userID)
        }
        #expect(try Self.comparable(first) == Self.comparable(try Self.object(second)))
    }

    @Test func importingTheSameFileTwiceAddsNothing() async throws {
        let server = try TestServer()
        try await server.run { client in
            let seeded = try await Self.seed(client)
            let file = try JSONSerialization.data(withJSONObject: try await Self.export(client, seeded.user))
            let counts = try await server.rowCounts()
            let again = try await Self.importFile(client, seeded.user, file).json
            #expect(again.int("conversations_imported") == 0)
            #expect(again.int("conversations_already_present") == 3)
            #expect(again.int("plugins_already_present") == 2)
            #expect(try await server.rowCounts() == counts)
        }
    }

    /// Into another user on the same server: every id is taken, so every row gets one derived from
    /// it and the user, and the first user's history is untouched; importing the file again finds
    /// those rows and adds nothing.
    @Test func idsOfAnotherUserAreNeverOverwritten() async throws {
        try await TestServer().run { client in
            let seeded = try await Self.seed(client)
            let before = try await Self.export(client, seeded.user)
            let other = try await client.createUser("other")
            let report = try await Self.importFile(client, other, try JSONSerialization.data(withJSONObject: before)).json
            #expect(report.int("conversations_imported") == 3)
            #expect(report.int("plugins_imported") == 2)
            #expect(try Self.comparable(try await Self.export(client, seeded.user)) == Self.comparable(before))
            let copied = try await Self.export(client, other)
            let originalIDs = Set((before["conversations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            let copiedIDs = Set((copied["conversations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            #expect(copiedIDs.count == 3 && copiedIDs.isDisjoint(with: originalIDs))
            let messages = (copied["conversations"] as? [[String: Any]] ?? []).flatMap { $0["messages"] as? [[String: Any]] ?? [] }
            #expect(messages.count == 3)
            let again = try await Self.importFile(client, other, try JSONSerialization.data(withJSONObject: before)).json
            #expect(again.int("conversations_imported") == 0)
            #expect(again.int("conversations_already_present") == 3)
            #expect(again.int("plugins_already_present") == 2)
            #expect(try Self.comparable(try await Self.export(client, other)) == Self.comparable(copied))
        }
    }

    /// A file written by hand may give a reply an earlier time than its parent: the import writes
    /// the messages in the store's order (by time), so the tree reads back as the file has it.
    @Test func messagesListedOutOfTimeOrderKeepTheirTree() async throws {
        let ids = (1...3).map { "00000000-0000-4000-8000-00000000000\($0)" }
        let message = { (index: Int, parent: Any, time: String) -> [String: Any] in
            ["id": ids[index], "role": "user", "content": "m\(index)", "timestamp": time, "parent_id": parent]
        }
        let file = try JSONSerialization.data(withJSONObject: [
            "format": "qlippy-export", "version": 2,
            "conversations": [
                [
                    "id": "00000000-0000-4000-8000-0000000000c1", "title": "by hand", "current_message_id": ids[2],
                    "messages": [
                        // m1 is m0's reply and m2 m1's, but m2's time comes before m1's.
                        message(0, NSNull(), "2024-01-01T00:00:01Z"), message(1, ids[0], "2024-01-01T00:00:03Z"),
                        message(2, ids[1], "2024-01-01T00:00:02Z"),
                    ],
                ]
            ],
        ])
        try await TestServer().run { client in
            let user = try await client.createUser()
            #expect(try await Self.importFile(client, user, file).json.int("messages_imported") == 3)
            let read = try await BranchTests.read(client, "00000000-0000-4000-8000-0000000000c1")
            #expect(BranchTests.contents(read) == ["m0", "m1", "m2"])
            #expect(read.string("current_message_id") == ids[2])
        }
    }

    /// Version 3 carries every branch and the marks: export, import into another server and export
    /// again give the same file; the current branch reads the same there. The same file as version 1 (no
    /// parents, no current message) still imports, as a line.
    @Test func branchesRoundTripAndVersionOneStillImports() async throws {
        let (file, userID, createdAt) = try await TestServer().run { client in
            let user = try await client.createUser("brancher")
            let conversation = try await client.createConversation(user: user, #"{"title": "tree"}"#)
            _ = try await BranchTests.add(client, conversation, "user", "q1")
            let a1 = try await BranchTests.add(client, conversation, "assistant", "a1")
            _ = try await BranchTests.add(client, conversation, "user", "q2")
            _ = try await BranchTests.add(client, conversation, "user", "q2b", parent: a1)
            let details = #"{"role": "assistant", "content": "r", "model": "m", "usage": {"input_tokens": 1, "output_tokens": 2}}"#
            #expect(try await client.post("/api/conversations/\(conversation)/messages", details).status == .created)
            _ = try await BranchTests.add(client, conversation, "user", "root edit", parent: .some(nil))
            _ = try await BranchTests.switchTo(client, conversation, a1)
            let linear = try await client.createConversation(user: user, #"{"title": "line"}"#)
            try await client.addMessage(to: linear, "only")
            _ = try await OrganizeTests.organize(client, conversation, #"{"pinned": true, "tags": ["b", "A"]}"#)
            _ = try await OrganizeTests.organize(client, linear, #"{"archived": true}"#)
            let export = try await Self.export(client, user)
            #expect(export["version"] as? Int == 3)
            let conversations = export["conversations"] as? [[String: Any]] ?? []
            let tree = try #require(conversations.first { $0["title"] as? String == "tree" })
            #expect(tree["pinned"] as? Bool == true)
            #expect(tree["tags"] as? [String] == ["b", "A"])
            #expect(conversations.first { $0["title"] as? String == "line" }?["archived"] as? Bool == true)
            let messages = tree["messages"] as? [[String: Any]] ?? []
            #expect(messages.allSatisfy { $0.keys.contains("parent_id") })
            #expect(tree["current_message_id"] as? String == messages.first { $0["content"] as? String == "r" }?["id"] as? String)
            let userObject = try #require(export["user"] as? [String: Any])
            return (
                try await Self.exportData(client, user), user,
                try #require(userObject["created_at"] as? String)
            )
        }
        let target = try TestServer()
        try await target.run { client in
            let timestamp = TestStore.current == .postgres ? "?::timestamp" : "?"
            try await target.execute(
                "INSERT INTO users (id, username, created_at) VALUES (?, ?, \(timestamp))",
                [userID, "brancher", createdAt.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")])
            let report = try await Self.importFile(client, userID, file).json
            #expect(report.int("messages_imported") == 7)
            #expect(try Self.comparable(try Self.object(file)) == Self.comparable(try await Self.export(client, userID)))
            let list = try await client.get("/api/users/\(userID)/conversations").json.array
            let tree = try #require(list.first { $0["title"] as? String == "tree" }?["id"] as? String)
            #expect(BranchTests.contents(try await BranchTests.read(client, tree)) == ["q1", "a1", "q2b", "r"])
            #expect(list.first { $0["title"] as? String == "tree" }?["last_message_preview"] as? String == "r")
            #expect(list.map { $0["title"] as? String } == ["tree"])
            #expect(try await client.get("/api/users/\(userID)/tags").json.array.map { $0["name"] as? String } == ["A", "b"])

            // The same history as version 1, into a user of its own: a line of every message.
            var old = try Self.object(file)
            old["version"] = 1
            old["conversations"] = (old["conversations"] as? [[String: Any]] ?? []).map { conversation in
                var conversation = conversation
                conversation["current_message_id"] = nil
                conversation["messages"] = (conversation["messages"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "parent_id" } }
                return conversation
            }
            let other = try await client.createUser("older file")
            let imported = try await Self.importFile(client, other, try JSONSerialization.data(withJSONObject: old)).json
            #expect(imported.int("messages_imported") == 7)
            let lines = try await client.get("/api/users/\(other)/conversations").json.array
            let line = try #require(lines.first { $0["title"] as? String == "tree" }?["id"] as? String)
            let read = try await BranchTests.read(client, line)
            #expect(BranchTests.contents(read) == ["q1", "a1", "q2", "q2b", "r", "root edit"])
            #expect(read["current_message_id"] == nil)
        }
    }

    /// Messages are written many to a statement: a conversation longer than one statement keeps
    /// its order (all share one timestamp here, so only the insertion order orders them), and a
    /// message id repeated inside the file gets a new id instead of failing the conversation.
    @Test func aLongConversationKeepsItsOrderAndRepeatedIDsGetNewOnes() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let ids = (0..<300).map { _ in UUID().uuidString.lowercased() }
            let repeated = [10: ids[5], 200: ids[5]]
            let messages = (0..<300).map { index in
                #"{"id": "\#(repeated[index] ?? ids[index])", "role": "user", "content": "m\#(index)", "timestamp": "2024-01-02T03:04:05Z"}"#
            }
            let conversation = UUID().uuidString.lowercased()
            let file =
                #"{"format": "qlippy-export", "version": 1, "conversations": [{"id": "\#(conversation)", "title": "long", "messages": [\#(messages.joined(separator: ","))]}]}"#
            let report = try await Self.importFile(client, user, Data(file.utf8)).json
            #expect(report.int("files_read") == 1)
            #expect(report.int("messages_imported") == 300)
            let exported = try #require(
                (try await Self.export(client, user)["conversations"] as? [[String: Any]])?.first?["messages"] as? [[String: Any]])
            #expect(exported.compactMap { $0["content"] as? String } == (0..<300).map { "m\($0)" })
            let exportedIDs = exported.compactMap { $0["id"] as? String }
            #expect(Set(exportedIDs).count == 300)
            #expect(exportedIDs[5] == ids[5] && exportedIDs[10] != ids[5] && exportedIDs[200] != ids[5])
            #expect(exportedIDs[299] == ids[299])
        }
    }

    /// One conversation that cannot be read is skipped and named; the others still arrive.
    @Test func aBrokenConversationIsSkippedAndReported() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let good = UUID().uuidString.lowercased()
            let bad = UUID().uuidString.lowercased()
            let file = """
                {"format": "qlippy-export", "version": 1, "conversations": [
                  {"id": "\(bad)", "title": "no messages key", "folder": null, "created_at": null, "last_updated": null},
                  {"id": "not-a-uuid", "title": "bad id", "messages": []},
                  {"id": "\(good)", "title": "fine", "folder": null, "created_at": "2024-01-02T03:04:05.000006Z", "last_updated": null,
                   "messages": [{"id": "\(UUID().uuidString)", "role": "user", "content": "hi", "timestamp": "2024-01-02T03:04:05Z"}]}
                ]}
                """
            let report = try await Self.importFile(client, user, Data(file.utf8)).json
            #expect(report.int("conversations_imported") == 1)
            #expect(report.int("messages_imported") == 1)
            let skipped = report["skipped"] as? [[String: String]] ?? []
            #expect(skipped.count == 2)
            #expect(skipped.first == ["source_id": bad, "title": "no messages key", "reason": "missing field messages"])
            #expect(skipped.last?["reason"]?.contains("is not a UUID") == true)
            #expect(try await client.get("/api/conversations/\(good)").json.int("message_count") == 1)
        }
    }

    @Test(arguments: [
        (#"{"format": "qlippy-export", "version": 1, "conversations": [{"id": "#, "Import file is not valid JSON: "),
        (#"{"a": 1, "b": 2}"#, "Unrecognised import format: found a JSON object with keys a, b"),
        ("[1, 2]", "Unrecognised import format: found a JSON array of 2 items; the first is a number, boolean or null"),
        (#""text""#, "Unrecognised import format: found a string"),
        (
            #"{"format": "qlippy-export", "version": 9, "conversations": []}"#,
            "Unsupported qlippy-export version 9: this server reads versions 1 to 3"
        ),
    ])
    func aFileThatCannotBeImportedIs400AndWritesNothing(body: String, message: String) async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let counts = try await server.rowCounts()
            let response = try await Self.importFile(client, user, Data(body.utf8))
            #expect(response.status == .badRequest)
            #expect(response.errorMessage?.hasPrefix(message) == true, "\(response.errorMessage ?? "")")
            #expect(try await server.rowCounts() == counts)
        }
    }

    @Test(arguments: [
        (
            "{\"format\": \"qlippy-export\",\n \"conversations\": [{\"id\": \"x",
            "Import file is not valid JSON: the file ends in the middle of a value, at line 2, column 29 (byte 56)"
        ),
        (
            "{\"format\": \"qlippy-export\",\n \"version\": x}",
            "Import file is not valid JSON: invalid value at line 2, column 13 (byte 40)"
        ),
    ])
    func aFileThatIsNotJSONSaysWhereItBroke(body: String, message: String) async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let response = try await Self.importFile(client, user, Data(body.utf8))
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == message)
        }
    }

    @Test func wrongTypeUnknownUserAndOversizeAreClearErrors() async throws {
        try await TestServer(settings: ["maxImportSize": "64"]).run { client in
            let user = try await client.createUser()
            let text = try await client.post("/api/users/\(user)/import", "{}", headers: [.contentType: "text/plain"])
            #expect(text.status == .unsupportedMediaType)
            #expect(
                text.errorMessage
                    == "Import files are sent as Content-Type: application/json (one file) or application/zip (a ChatGPT export archive)")
            let unknown = try await Self.importFile(client, UUID().uuidString, Data("{}".utf8))
            #expect(unknown.status == .notFound)
            #expect(try await client.get("/api/users/\(UUID().uuidString)/export").status == .notFound)
            let big = try await Self.importFile(client, user, Data((String(repeating: " ", count: 65) + "{}").utf8))
            #expect(big.status == .contentTooLarge)
            #expect(big.errorMessage == "Import file is larger than the limit of 64 bytes (--max-import-size)")
        }
    }
}
