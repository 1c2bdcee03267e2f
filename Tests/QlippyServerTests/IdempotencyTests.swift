import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// `Idempotency-Key` on every POST: a repeat replays the first answer and writes nothing.
@Suite("Idempotency keys on every POST")
struct IdempotencyTests {
    static func headers(_ key: String) -> HTTPFields {
        var headers = jsonHeaders
        headers[HTTPField.Name("Idempotency-Key")!] = key
        return headers
    }

    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    static func post(_ client: LoopbackClient, _ path: String, _ body: String, _ key: String?) async throws -> TestClient.Response {
        try await client.post(path, headers: key.map(headers) ?? jsonHeaders, body: ByteBuffer(string: body))
    }

    @Test func theSameKeyTwiceStoresOneMessageAndAnswersAlike() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let body = #"{"role": "user", "content": "only once"}"#
            let first = try await client.post("/api/conversations/\(conversation)/messages", body, headers: Self.headers("retry-1"))
            let second = try await client.post("/api/conversations/\(conversation)/messages", body, headers: Self.headers("retry-1"))
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first.headers[Self.replayed] == nil)
            #expect(second.headers[Self.replayed] == "true")
            #expect(second.headers[.contentType] == "application/json; charset=utf-8")
            #expect(String(buffer: first.body) == String(buffer: second.body))
            #expect(try first.json.string("content") == "only once")
            let stored = try await client.get("/api/conversations/\(conversation)").json
            #expect(stored.int("message_count") == 1)
            // Without a key, the same body is a new message, as in the original.
            _ = try await client.post("/api/conversations/\(conversation)/messages", body)
            #expect(try await client.get("/api/conversations/\(conversation)").json.int("message_count") == 2)
        }
    }

    @Test func everyCreateReplays() async throws {
        try await TestServer().run { client in
            let user = try await client.post("/api/users", #"{"username": "keyed"}"#, headers: Self.headers("u"))
            let again = try await client.post("/api/users", #"{"username": "keyed"}"#, headers: Self.headers("u"))
            #expect(user.status == .created)
            #expect(again.status == .created)
            #expect(again.headers[Self.replayed] == "true")
            let id = try #require(try user.json.string("id"))
            #expect(try again.json.string("id") == id)
            for (path, body) in [("/api/users/\(id)/conversations", #"{"title": "t"}"#), ("/api/users/\(id)/plugins", #"{"name": "p"}"#)] {
                let created = try await client.post(path, body, headers: Self.headers("k-\(path.count)"))
                let repeated = try await client.post(path, body, headers: Self.headers("k-\(path.count)"))
                #expect(created.status == .created)
                #expect(repeated.headers[Self.replayed] == "true")
                #expect(String(buffer: created.body) == String(buffer: repeated.body))
            }
            #expect(try await client.get("/api/users/\(id)/conversations").json.array.count == 1)
            #expect(try await client.get("/api/users/\(id)/plugins").json.array.count == 1)
            // A taken username without a replay is still 409.
            #expect(try await client.post("/api/users", #"{"username": "keyed"}"#, headers: Self.headers("other")).status == .conflict)
        }
    }

    @Test func theKeyWithADifferentRequestIs422() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let other = try await client.createConversation(user: user)
            let path = "/api/conversations/\(conversation)/messages"
            #expect(try await client.post(path, #"{"role": "user", "content": "a"}"#, headers: Self.headers("k")).status == .created)
            for (target, body) in [
                (path, #"{"role": "user", "content": "b"}"#), (path, #"{"role": "assistant", "content": "a"}"#),
                ("/api/conversations/\(other)/messages", #"{"role": "user", "content": "a"}"#),
                ("/api/users/\(user)/plugins", #"{"name": "a"}"#),
            ] {
                let response = try await client.post(target, body, headers: Self.headers("k"))
                #expect(response.status == .unprocessableContent)
                #expect(response.errorMessage == "Idempotency-Key was already used for a different request")
            }
            #expect(try await client.get("/api/conversations/\(conversation)").json.int("message_count") == 1)
            #expect(try await client.get("/api/conversations/\(other)").json.int("message_count") == 0)
            // Keys are per user: another user's "k" is a key of its own.
            let grace = try await client.createUser("grace")
            #expect(try await client.post("/api/users/\(grace)/plugins", #"{"name": "a"}"#, headers: Self.headers("k")).status == .created)
        }
    }

    @Test func badKeysAreRefused() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            for key in [String(repeating: "k", count: 256), "with space", "naïve"] {
                let response = try await client.post("/api/users/\(user)/plugins", #"{"name": "a"}"#, headers: Self.headers(key))
                #expect(response.status == .badRequest)
                #expect(response.errorMessage == "Idempotency-Key must be 1 to 255 visible ASCII characters")
            }
            #expect(try await client.get("/api/users/\(user)/plugins").json.array.isEmpty)
        }
    }

    /// Repeats sent together: one runs; each other one is told it is still running (409) or, if
    /// it came after, gets the replay. One message in the end.
    @Test func concurrentRepeatsWriteOnce() async throws {
        try await TestServer().run(.live) { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let body = #"{"role": "user", "content": "together"}"#
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await client.post(
                            "/api/conversations/\(conversation)/messages", body, headers: Self.headers("same"))
                        return (response.status, response.headers[Self.replayed])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.filter { $0 == (.created, nil) }.count == 1)
            #expect(answers.allSatisfy { $0.0 == .conflict || $0 == (.created, nil) || $0 == (.created, "true") })
            #expect(try await client.get("/api/conversations/\(conversation)").json.int("message_count") == 1)
        }
    }

    static func importHeaders(_ type: String, _ key: String) -> HTTPFields {
        [.contentType: type, HTTPField.Name("Idempotency-Key")!: key]
    }

    /// A keyed import's repeat gets the first report again (an unkeyed repeat reports the
    /// conversations as already present: the replay is not a second run); another file, or the
    /// same file with another `format=`, under the key is 422 with nothing written.
    @Test func aKeyedImportReplaysItsReport() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let file = ByteBuffer(bytes: try ChatGPTImportTests.export())
            let path = "/api/users/\(user)/import"
            let first = try await client.executeRequest(
                uri: path, method: .post, headers: Self.importHeaders("application/json", "imp"), body: file)
            let second = try await client.executeRequest(
                uri: path, method: .post, headers: Self.importHeaders("application/json", "imp"), body: file)
            #expect(first.status == .ok)
            #expect(try first.json.int("conversations_imported") == 5)
            #expect(first.headers[Self.replayed] == nil)
            #expect(second.status == .ok)
            #expect(second.headers[Self.replayed] == "true")
            #expect(second.headers[.contentType] == "application/json; charset=utf-8")
            #expect(String(buffer: second.body) == String(buffer: first.body))
            let unkeyed = try await client.executeRequest(uri: path, method: .post, headers: jsonHeaders, body: file).json
            #expect(unkeyed.int("conversations_already_present") == 5)

            let other = ByteBuffer(
                bytes: try ChatGPTFixture.file([
                    ChatGPTFixture.conversation(
                        id: "other-1", title: "Other",
                        nodes: [
                            ("root", nil, nil), ("u1", "root", ChatGPTFixture.message("user", ChatGPTFixture.text("Hello"))),
                        ], current: "u1")
                ]))
            for (uri, body) in [(path, other), (path + "?format=chatgpt", file)] {
                let refused = try await client.executeRequest(
                    uri: uri, method: .post, headers: Self.importHeaders("application/json", "imp"), body: body)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.errorMessage == "Idempotency-Key was already used for a different request")
            }
            #expect(try await client.get("/api/users/\(user)/conversations").json.array.count == 5)
        }
    }

    @Test func aKeyedArchiveImportReplaysItsReport() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let archive = ByteBuffer(bytes: try ChatGPTArchiveTests.splitArchive())
            let path = "/api/users/\(user)/import"
            let first = try await client.executeRequest(
                uri: path, method: .post, headers: Self.importHeaders("application/zip", "zip"), body: archive)
            let second = try await client.executeRequest(
                uri: path, method: .post, headers: Self.importHeaders("application/zip", "zip"), body: archive)
            #expect(try first.json.int("conversations_imported") == 5)
            #expect(second.headers[Self.replayed] == "true")
            #expect(String(buffer: second.body) == String(buffer: first.body))
            // The same bytes as JSON are another request.
            let asJSON = try await client.executeRequest(
                uri: path, method: .post, headers: Self.importHeaders("application/json", "zip"), body: archive)
            #expect(asJSON.status == .unprocessableContent)
        }
    }

    /// A retried backup answers with the first snapshot instead of writing another.
    @Test(.sqliteOnly) func aKeyedBackupWritesOneSnapshot() async throws {
        let folder = try makeTemporaryDirectory()
        let server = try TestServer(
            databasePath: folder.appendingPathComponent("live.db").path, settings: ["apiToken": AdminBackupTests.token])
        try await server.run { client in
            var headers = AdminBackupTests.headers
            headers[HTTPField.Name("Idempotency-Key")!] = "nightly-1"
            let first = try await client.executeRequest(uri: "/api/admin/backup", method: .post, headers: headers, body: nil)
            let second = try await client.executeRequest(uri: "/api/admin/backup", method: .post, headers: headers, body: nil)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.headers[Self.replayed] == "true")
            #expect(String(buffer: second.body) == String(buffer: first.body))
            let snapshots = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("live.db-backups").path)
            #expect(snapshots.count == 1)
            #expect(try await AdminBackupTests.post(client, "/api/admin/backup").status == .created)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("live.db-backups").path).count == 2)
        }
    }

    /// The issue's crash case: SIGKILL right after a 201, a new process on the same database, the
    /// same request again: the stored 201, still one message.
    @Test func aReplayAfterAKillAnswersTheStoredReply() async throws {
        let setup = try TestServer()
        if let url = setup.postgresURL { try await TestPostgres.create(url) }
        let first = try await ServerProcess(database: setup.database)
        let body = #"{"role": "assistant", "content": "acknowledged before the crash"}"#
        let (conversation, answered) = try await LoopbackClient.withClient(port: first.port) { client in
            let user = try #require(
                try JSONDocument(try await Self.post(client, "/api/users", #"{"username": "ada"}"#, nil).body ?? ByteBuffer()).string("id"))
            let created = try await Self.post(client, "/api/users/\(user)/conversations", "{}", nil)
            let conversation = try #require(try JSONDocument(created.body ?? ByteBuffer()).string("id"))
            let response = try await Self.post(client, "/api/conversations/\(conversation)/messages", body, "crash-key")
            #expect(response.status == .created)
            return (conversation, String(buffer: response.body ?? ByteBuffer()))
        }
        #expect(try await first.stop(SIGKILL) == SIGKILL)
        let second = try await ServerProcess(database: setup.database)
        try await LoopbackClient.withClient(port: second.port) { client in
            let replay = try await Self.post(client, "/api/conversations/\(conversation)/messages", body, "crash-key")
            #expect(replay.status == .created)
            #expect(replay.headers[Self.replayed] == "true")
            #expect(String(buffer: replay.body ?? ByteBuffer()) == answered)
            let detail = try JSONDocument(try await client.get("/api/conversations/\(conversation)").body ?? ByteBuffer())
            #expect(detail.int("message_count") == 1)
        }
        _ = try await second.stop()
    }
}
