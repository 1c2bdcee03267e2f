import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

/// `GET /api/users/{user_id}/search`: the contract's semantics, the index kept in sync, and our extensions.
@Suite("Search")
struct SearchTests {
    /// Searches for `text` (percent-encoded here), with `parameters` appended as they are.
    static func search(_ client: any TestClientProtocol, _ user: String, _ text: String, _ parameters: String = "") async throws
        -> TestResponse
    {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        let q = text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
        return try await client.get("/api/users/\(user)/search?q=\(q)\(parameters.isEmpty ? "" : "&" + parameters)")
    }

    @Test func missingOrBlankQueryIs400AndUnknownUserIs404() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            for query in ["", "q=", "q=%20%20", "q=+"] {
                let response = try await client.get("/api/users/\(user)/search?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.errorMessage == "Search query is required")
            }
            let unknown = try await client.get("/api/users/00000000-0000-4000-8000-000000000000/search?q=hello")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorMessage == "User not found")
        }
    }

    @Test(arguments: SearchPath.allCases) func answersInTheContractsShape(path: SearchPath) async throws {
        try await TestServer(settings: path.settings).run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user, #"{"title": "Trip", "folder": "travel"}"#)
            let long = "Hello " + String(repeating: "x", count: 200)
            for content in ["say hello", "nothing here", long, "HELLO again", "hello four"] {
                try await client.addMessage(to: conversation, content)
            }
            let response = try await client.get("/api/users/\(user)/search?q=%20hello%20")
            #expect(response.status == .ok)
            let body = try response.json
            #expect(body.object.keys.sorted() == ["query", "results", "total_results"])
            #expect(body.string("query") == "hello")
            #expect(body.int("total_results") == 1)
            let result = try #require((body["results"] as? [[String: Any]])?.first)
            #expect(
                result.keys.sorted() == [
                    "created_at", "folder", "id", "last_message_preview", "last_updated", "match_count", "matching_messages",
                    "message_count", "title", "user_id",
                ])
            #expect(result["id"] as? String == conversation)
            #expect(result["match_count"] as? Int == 4)
            #expect(result["message_count"] as? Int == 5)
            #expect(result["last_message_preview"] as? String == "hello four")
            let matching = try #require(result["matching_messages"] as? [[String: Any]])
            #expect(matching.map { $0["content"] as? String } == ["say hello", long, "HELLO again"])
            #expect(matching[0].keys.sorted() == ["content", "id", "preview", "role", "timestamp"])
            #expect(matching[1]["preview"] as? String == String(long.prefix(150)) + "...")
            #expect(matches(matching[0]["timestamp"], wireTimestampPattern))
        }
    }

    @Test(
        arguments: [
            ("ell", "Hello world", true),
            ("naïve", "a NAÏVE idea", true),
            ("NAÏVE", "so naïve", true),
            ("日本", "東京は日本の首都", true),
            ("🚀", "launch 🚀 now", true),
            ("e", "HELLO", true),
            ("x", "HELLO", false),
            ("50%", "a 50% discount", true),
            ("50%", "a 500 discount", false),
            ("a_b", "a_b", true),
            ("a_b", "axb", false),
            ("\"quoted\"", "say \"quoted\" words", true),
            ("*", "a * b", true),
            ("it's", "IT'S fine", true),
            ("OR", "flavor", true),
            ("NEAR(a b)", "NEAR(a b)", true),
            ("NEAR(a b)", "a b", false),
            ("a AND b", "a and b", true),
            ("a AND b", "a or b", false),
            ("-x", "a -x b", true),
            ("^st", "^start", true),
            ("^st", "start", false),
        ], SearchPath.allCases)
    func matchesLiteralCaseInsensitiveSubstrings(example: (query: String, content: String, found: Bool), path: SearchPath) async throws {
        let (query, content, found) = example
        try await TestServer(settings: path.settings).run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            try await client.addMessage(to: conversation, content)
            let response = try await Self.search(client, user, query)
            #expect(response.status == .ok)
            #expect(try response.json.int("total_results") == (found ? 1 : 0), "\(query) in \(content)")
        }
    }

    @Test(arguments: SearchPath.allCases) func titlesMatchWithoutAnyMatchingMessage(path: SearchPath) async throws {
        try await TestServer(settings: path.settings).run { client in
            let user = try await client.createUser()
            let titled = try await client.createConversation(user: user, #"{"title": "Kubernetes notes"}"#)
            try await client.addMessage(to: titled, "nothing relevant")
            let short = try await client.createConversation(user: user, #"{"title": "Go"}"#)
            for (query, expected) in [("kubern", titled), ("go", short)] {
                let results = try await Self.search(client, user, query).json["results"] as? [[String: Any]]
                #expect(results?.map { $0["id"] as? String } == [expected])
                #expect(results?.first?["match_count"] as? Int == 0)
                #expect((results?.first?["matching_messages"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test(arguments: SearchPath.allCases) func mostMatchesFirstThenNewest(path: SearchPath) async throws {
        try await TestServer(settings: path.settings).run { client in
            let user = try await client.createUser()
            let one = try await client.createConversation(user: user)
            let two = try await client.createConversation(user: user)
            let alsoOne = try await client.createConversation(user: user)
            try await client.addMessage(to: one, "apple")
            try await client.addMessage(to: two, "apple pie")
            try await client.addMessage(to: two, "apple tart")
            try await client.addMessage(to: alsoOne, "green apple")
            let ids = try await Self.search(client, user, "apple").json["results"] as? [[String: Any]]
            #expect(ids?.map { $0["id"] as? String } == [two, alsoOne, one])
        }
    }

    /// On the index path each change is made to a message the index holds (the test waits for the
    /// indexer first), so the index's own upkeep is what answers.
    @Test(arguments: SearchPath.allCases) func theIndexFollowsEditsDeletesAndCascades(path: SearchPath) async throws {
        let server = try TestServer(settings: path.settings)
        try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let message = try #require(try await client.addMessage(to: conversation, "original wording").string("id"))
            func total(_ query: String) async throws -> Int? {
                if path == .index { try await server.waitForSearchIndex() }
                return try await Self.search(client, user, query).json.int("total_results")
            }
            #expect(try await total("wording") == 1)
            _ = try await client.put("/api/messages/\(message)", #"{"content": "rewritten text"}"#)
            #expect(try await total("wording") == 0)
            #expect(try await total("rewritten") == 1)
            _ = try await client.delete("/api/messages/\(message)")
            #expect(try await total("rewritten") == 0)
            try await client.addMessage(to: conversation, "doomed words")
            #expect(try await total("doomed") == 1)
            _ = try await client.delete("/api/conversations/\(conversation)")
            #expect(try await total("doomed") == 0)
        }
    }

    /// Rows another program writes (the original backend, a script), in any order: a message written
    /// before its conversation is found once the conversation exists, and the messages a deleted
    /// conversation leaves behind are not inherited by the next conversation, which reuses its rowid.
    @Test(.sqliteOnly, arguments: SearchPath.allCases) func ownersFollowRowsWrittenInAnyOrder(path: SearchPath) async throws {
        let server = try TestServer(settings: path.settings)
        try await server.run { client in
            let user = try await client.createUser()
            let early = "11111111-1111-4111-8111-111111111111"
            let time = "2025-01-01 00:00:00.000000"
            try await server.execute(
                "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES ('m-early', ?, 'user', 'written before its conversation', ?)",
                [early, time], foreignKeys: false
            )
            #expect(try await Self.search(client, user, "before its").json.int("total_results") == 0)
            try await server.execute(
                "INSERT INTO conversations (id, title, user_id, last_updated, created_at) VALUES (?, 'late', ?, ?, ?)",
                [early, user, time, time]
            )
            #expect(try await Self.search(client, user, "before its").json.int("total_results") == 1)
            try await server.execute("DELETE FROM conversations WHERE id = ?", [early], foreignKeys: false)
            let next = try await client.createConversation(user: user, #"{"title": "successor"}"#)
            #expect(try await Self.search(client, user, "before its").json.int("total_results") == 0)
            let results = try await Self.search(client, user, "successor").json["results"] as? [[String: Any]]
            #expect(results?.map { $0["id"] as? String } == [next])
        }
    }

    @Test(arguments: SearchPath.allCases) func searchesOnlyTheUsersOwnConversations(path: SearchPath) async throws {
        try await TestServer(settings: path.settings).run { client in
            let ada = try await client.createUser("ada")
            let bob = try await client.createUser("bob")
            try await client.addMessage(to: try await client.createConversation(user: ada), "secret plan")
            #expect(try await Self.search(client, bob, "secret").json.int("total_results") == 0)
            #expect(try await Self.search(client, bob, "se").json.int("total_results") == 0)
            #expect(try await Self.search(client, ada, "secret").json.int("total_results") == 1)
        }
    }

    /// A light user (under the scan limit) with the index caught up: a word with fewer hits in the
    /// whole index than the user has messages is read from the index, a word with more (another
    /// user's) makes the search scan the user's own messages; both answer exactly.
    @Test(arguments: [SearchPath.index, .scan]) func aLightUsersRareAndCommonWordsAnswerAlike(path: SearchPath) async throws {
        let server = try TestServer(settings: path.settings)
        try await server.run { client in
            let ada = try await client.createUser("ada")
            let bob = try await client.createUser("bob")
            let mine = try await client.createConversation(user: ada)
            try await client.addMessage(to: mine, "a common word")
            try await client.addMessage(to: mine, "the rare needle")
            try await client.addMessage(to: mine, "nothing else")
            let theirs = try await client.createConversation(user: bob)
            for index in 1...6 { try await client.addMessage(to: theirs, "common \(index), and a needle too") }
            try await server.waitForSearchIndex()
            #expect(try await Self.search(client, ada, "COMMON").json.int("total_results") == 1)
            #expect(try await Self.search(client, ada, "rare needle").json.int("total_results") == 1)
            let needles = try await Self.search(client, ada, "needle").json["results"] as? [[String: Any]]
            #expect(needles?.map { $0["match_count"] as? Int } == [1])
            #expect(try await Self.search(client, bob, "needle").json.int("total_results") == 1)
            #expect(try await Self.search(client, ada, "nothing").json.int("total_results") == 1)
        }
    }

    @Test(arguments: SearchPath.allCases) func pagesWithLimitAndCursor(path: SearchPath) async throws {
        try await TestServer(settings: path.settings).run { client in
            let user = try await client.createUser()
            var expected: [String] = []
            for count in 1...7 {
                let conversation = try await client.createConversation(user: user)
                for _ in 0..<count { try await client.addMessage(to: conversation, "needle") }
                expected.insert(conversation, at: 0)
            }
            for query in ["needle", "ne"] {
                var seen: [String] = []
                var after: String?
                repeat {
                    let body = try await Self.search(client, user, query, "limit=3" + (after.map { "&after=\($0)" } ?? "")).json
                    #expect(body.int("total_results") == 7)
                    seen += (body["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    after = body.string("next_cursor")
                    #expect(body.object.keys.contains("next_cursor"))
                } while after != nil && seen.count < 20
                #expect(seen == expected, "\(query)")
            }
            // An empty cursor is the first page.
            let first = try await Self.search(client, user, "needle", "limit=3&after=").json
            #expect((first["results"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(expected.prefix(3)))
        }
    }

    @Test(arguments: [
        ("limit=0", "limit must be an integer from 1 to 500"),
        ("limit=501", "limit must be an integer from 1 to 500"),
        ("limit=ten", "limit must be an integer from 1 to 500"),
        ("after=nonsense", "after must be a cursor from a previous page"),
        ("role=system", #"role must be "user" or "assistant""#),
        ("from=yesterday", "from must be a date (YYYY-MM-DD) or an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ, or with an offset)"),
        (
            "from=2020-05-01T12:00:00+25:00",
            "from must be a date (YYYY-MM-DD) or an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ, or with an offset)"
        ),
        ("to=2026-13-45", "to must be a date (YYYY-MM-DD) or an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ, or with an offset)"),
        ("highlights=yes", "highlights must be true or false"),
    ])
    func badParametersAre400NamingThem(parameter: String, message: String) async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let response = try await client.get("/api/users/\(user)/search?q=hello&\(parameter)")
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == message)
        }
    }

    @Test(arguments: SearchPath.allCases) func filtersByFolderRoleAndDate(path: SearchPath) async throws {
        let server = try TestServer(settings: path.settings)
        try await server.run { client in
            let user = try await client.createUser()
            let work = try await client.createConversation(user: user, #"{"title": "w", "folder": "work"}"#)
            let loose = try await client.createConversation(user: user, #"{"title": "l"}"#)
            try await client.addMessage(to: work, role: "user", "topic from user")
            try await client.addMessage(to: loose, role: "assistant", "topic from assistant")
            try await server.execute("UPDATE messages SET timestamp = '2020-05-01 12:00:00.000000' WHERE conversation_id = ?", [loose])
            func ids(_ parameters: String) async throws -> [String?] {
                (try await Self.search(client, user, "topic", parameters).json["results"] as? [[String: Any]] ?? []).map {
                    $0["id"] as? String
                }
            }
            #expect(try await ids("folder=work") == [work])
            #expect(try await ids("folder=") == [loose])
            #expect(try await ids("role=assistant") == [loose])
            #expect(try await ids("to=2020-05-01") == [loose])
            #expect(try await ids("from=2020-05-02") == [work])
            #expect(try await ids("from=2020-05-01T12:00:00Z&to=2020-05-01T12:00:00Z") == [loose])
            #expect(try await ids("from=2020-05-01t14:00:00%2B02:00&to=2020-05-01T07:00:00-05:00") == [loose])
            #expect(try await ids("from=2020-05-01T14:00:01%2B02:00&to=2020-05-01T12:00:00z") == [])
        }
    }

    @Test(arguments: SearchPath.allCases) func highlightsAreScalarRangesInThePreview(path: SearchPath) async throws {
        try await TestServer(settings: path.settings).run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            try await client.addMessage(to: conversation, "Ça va? ÇA VA! ça")
            let body = try await Self.search(client, user, "ça", "highlights=true").json
            let message = try #require(((body["results"] as? [[String: Any]])?.first?["matching_messages"] as? [[String: Any]])?.first)
            #expect(message["highlights"] as? [[Int]] == [[0, 2], [7, 9], [14, 16]])
            let plain = try await Self.search(client, user, "ça").json
            let unhighlighted = ((plain["results"] as? [[String: Any]])?.first?["matching_messages"] as? [[String: Any]])?.first
            #expect(unhighlighted?.keys.contains("highlights") == false)
        }
    }
}
