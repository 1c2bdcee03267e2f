import Foundation
import HTTPTypes
import HummingbirdTesting
import QlippyTestSupport
import Testing

/// Share links: a snapshot of the current branch, taken again under the same id on each post,
/// readable without a credential as JSON and as a page; revoked or deleted, gone.
@Suite("Share links")
struct ShareTests {
    static func share(_ client: some TestClientProtocol, _ conversation: String, status: HTTPResponse.Status = .created) async throws
        -> JSONDocument
    {
        let response = try await client.post("/api/conversations/\(conversation)/share", "")
        #expect(response.status == status, "\(String(buffer: response.body))")
        return try response.json
    }

    @Test func theSnapshotStaysAsItWasUntilPostedAgain() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user, #"{"title": "Trip plan", "folder": "private folder"}"#)
            let question = try await BranchTests.add(client, conversation, "user", "Where to?")
            let answer = #"{"role": "assistant", "content": "Lisbon.", "model": "model-x"}"#
            #expect(try await client.post("/api/conversations/\(conversation)/messages", answer).status == .created)
            _ = try await BranchTests.add(client, conversation, "assistant", "Porto, on second thought.", parent: question)
            let other = try await client.createConversation(user: user, #"{"title": "secret"}"#)
            try await client.addMessage(to: other, "not for anyone")

            let link = try await Self.share(client, conversation)
            #expect(link.object.keys.sorted() == ["created_at", "share_id", "url"])
            let id = try #require(link.string("share_id"))
            #expect(id.utf8.count == 22)
            #expect(link.string("url")?.hasSuffix("/shared/\(id)") == true)

            let read = try await client.get("/api/shared/\(id)")
            #expect(read.status == .ok)
            let shared = try read.json
            #expect(shared.object.keys.sorted() == ["created_at", "messages", "share_id", "title", "updated_at"])
            #expect(shared.string("title") == "Trip plan")
            let messages = shared["messages"] as? [[String: Any]] ?? []
            #expect(messages.map { $0["content"] as? String } == ["Where to?", "Porto, on second thought."])
            #expect(messages.map { $0.keys.sorted() } == [["content", "role", "timestamp"], ["content", "role", "timestamp"]])
            let body = String(buffer: read.body)
            for hidden in [user, conversation, question, other, "private folder", "not for anyone", "ada", "Lisbon."] {
                #expect(!body.contains(hidden), "\(hidden)")
            }

            // Changes after the snapshot do not show until the owner posts again.
            _ = try await BranchTests.switchTo(
                client, conversation, try #require(try await Self.messageID(client, conversation, "Lisbon.")))
            _ = try await client.put("/api/conversations/\(conversation)", #"{"title": "Trip plan, final"}"#)
            #expect(try await client.get("/api/shared/\(id)").body == read.body)
            let again = try await Self.share(client, conversation, status: .ok)
            #expect(again.string("share_id") == id)
            #expect(again.string("created_at") == link.string("created_at"))
            let updated = try await client.get("/api/shared/\(id)").json
            #expect(updated.string("title") == "Trip plan, final")
            let contents = (updated["messages"] as? [[String: Any]] ?? []).map { $0["content"] as? String }
            #expect(contents == ["Where to?", "Lisbon."])
            #expect((updated["messages"] as? [[String: Any]])?.last?["model"] as? String == "model-x")

            let listed = try await client.get("/api/users/\(user)/shares").json.array
            #expect(listed.map { $0["share_id"] as? String } == [id])
            #expect(listed.first?["conversation_id"] as? String == conversation)
            #expect(listed.first?["title"] as? String == "Trip plan, final")
        }
    }

    static func messageID(_ client: some TestClientProtocol, _ conversation: String, _ content: String) async throws -> String? {
        let all = try await BranchTests.read(client, conversation, "?branches=all")["messages"] as? [[String: Any]] ?? []
        return all.first { $0["content"] as? String == content }?["id"] as? String
    }

    @Test func revokedAndDeletedLinksAnswerNotFound() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let first = try #require(try await Self.share(client, conversation).string("share_id"))
            let revoked = try await client.delete("/api/conversations/\(conversation)/share")
            #expect(try revoked.json.string("message") == "Share link deleted successfully")
            let unknownShare = "AAAAAAAAAAAAAAAAAAAAAA"
            for path in ["/api/shared/\(first)", "/shared/\(first)", "/api/shared/\(unknownShare)", "/api/shared/short", "/shared/%3Cx%3E"]
            {
                let response = try await client.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(try response.json.string("error") == "Share link not found", "\(path)")
            }
            #expect(try await client.delete("/api/conversations/\(conversation)/share").json.string("error") == "Share link not found")
            let second = try #require(try await Self.share(client, conversation).string("share_id"))
            #expect(second != first)
            #expect(try await client.get("/api/shared/\(second)").status == .ok)
            #expect(try await client.delete("/api/conversations/\(conversation)").status == .ok)
            #expect(try await client.get("/api/shared/\(second)").status == .notFound)
            #expect(try await client.get("/api/users/\(user)/shares").json.array.isEmpty)
            let missing = try await client.post("/api/conversations/\(conversation)/share", "")
            #expect(try missing.json.string("error") == "Conversation not found")
        }
    }

    @Test(arguments: [("public", HTTPResponse.Status.ok), ("accounts", .unauthorized), ("off", .notFound)])
    func theSettingDecidesWhoReads(policy: String, anonymous: HTTPResponse.Status) async throws {
        try await TestServer(settings: ["apiToken": "a-test-token-of-some-length", "shareLinks": policy]).run { client in
            let auth: HTTPFields = [.authorization: "Bearer a-test-token-of-some-length", .contentType: "application/json"]
            let user = try #require(try await client.post("/api/users", #"{"username": "ada"}"#, headers: auth).json.string("id"))
            let conversation = try #require(
                try await client.post("/api/users/\(user)/conversations", "{}", headers: auth).json.string("id"))
            let made = try await client.post("/api/conversations/\(conversation)/share", "", headers: auth)
            guard policy != "off" else {
                #expect(made.status == .notFound)
                return
            }
            let id = try #require(try made.json.string("share_id"))
            #expect(try await client.get("/api/shared/\(id)").status == anonymous)
            #expect(try await client.get("/shared/\(id)").status == anonymous)
            #expect(try await client.execute(uri: "/api/shared/\(id)", method: .get, headers: auth).status == .ok)
            #expect(try await client.post("/api/conversations/\(conversation)/share", "").status == .unauthorized)
        }
    }

    /// The page in headless Chromium: markup in a message shows as text, nothing of it runs or
    /// loads, and the title and messages are there; a phone-sized screenshot goes to
    /// `.build/test-output/`.
    @Test func thePageShowsMarkupAsTextInABrowser() async throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile(atPath:))
        else {
            let reason = "Chromium is missing: scripts/ensure-system-packages installs it"
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("\(reason)") } else { print("skipped: \(reason)") }
            return
        }
        let hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
        try await TestServer().run(.live) { client in
            let port = try #require(client.port)
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user, #"{"title": "A \"title\" & <b>bold</b>"}"#)
            try await client.addMessage(to: conversation, hostile)
            try await client.addMessage(to: conversation, "A plain answer, second.")
            let id = try #require(try await Self.share(client, conversation).string("share_id"))

            let page = try await client.get("/shared/\(id)")
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.hasPrefix("default-src 'none'; style-src 'sha256-") && !policy.contains("script-src"))
            #expect(page.headers[HTTPField.Name("X-Robots-Tag")!] == "noindex, nofollow")
            let html = String(buffer: page.body)
            #expect(html.contains(#"<meta name="robots" content="noindex, nofollow">"#))
            #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"))
            #expect(!html.contains("<script") && !html.contains("<img"))

            let output = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/test-output")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let profile = try makeTemporaryDirectory().path
            let browser = [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile)",
            ]
            let url = "http://127.0.0.1:\(port)/shared/\(id)"
            let dom = try await Command.run(chromium, browser + ["--dump-dom", url])
            #expect(dom.status == 0, "\(dom.stderr)")
            // What the browser built: the hostile message as text in a paragraph, no element from it.
            #expect(dom.stdout.contains("<p>&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;</p>"), "\(dom.stdout)")
            #expect(!dom.stdout.contains("<script") && !dom.stdout.contains("<img"), "\(dom.stdout)")
            #expect(dom.stdout.contains("<title>A \"title\" &amp; &lt;b&gt;bold&lt;/b&gt;</title>"), "\(dom.stdout)")
            #expect(dom.stdout.contains("A plain answer, second."))
            let screenshot = output.appendingPathComponent("share-page.png").path
            try? FileManager.default.removeItem(atPath: screenshot)
            let shot = try await Command.run(chromium, browser + ["--window-size=412,915", "--screenshot=\(screenshot)", url])
            #expect(shot.status == 0, "\(shot.stderr)")
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
            #expect(size > 1_000, "screenshot at \(screenshot)")
            print("share page screenshot: \(screenshot)")
        }
    }
}
