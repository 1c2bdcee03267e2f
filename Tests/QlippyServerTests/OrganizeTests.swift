import Foundation
import HummingbirdTesting
import QlippyTestSupport
import Testing

/// Pins, archive and tags: set by `PUT /api/conversations/{id}`, filtered on the list and the
/// search, and tags as a resource (list, rename or merge, delete).
@Suite("Organizing: pins, archive, tags")
struct OrganizeTests {
    static func organize(_ client: some TestClientProtocol, _ conversation: String, _ body: String) async throws -> JSONDocument {
        let response = try await client.put("/api/conversations/\(conversation)", body)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try response.json
    }

    static func ids(_ client: some TestClientProtocol, _ uri: String) async throws -> [String] {
        let response = try await client.get(uri)
        #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
        return try response.json.array.compactMap { $0["id"] as? String }
    }

    /// Every page of a list, `limit` at a time, following the `Link` header.
    static func pagedIDs(_ client: some TestClientProtocol, _ uri: String, limit: Int) async throws -> [String] {
        var next: String? = uri + (uri.contains("?") ? "&" : "?") + "limit=\(limit)"
        var ids: [String] = []
        while let page = next {
            let response = try await client.get(page)
            #expect(response.status == .ok, "\(page): \(String(buffer: response.body))")
            ids += try response.json.array.compactMap { $0["id"] as? String }
            next = try PaginationTests.next(response)
        }
        return ids
    }

    @Test func organizingKeepsLastUpdatedAndOnlySetMarksAreShown() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user, #"{"title": "plan"}"#)
            let plain = try await client.get("/api/conversations/\(conversation)").json
            #expect(
                plain.object.keys.sorted() == [
                    "created_at", "folder", "id", "last_updated", "message_count", "messages", "title", "user_id",
                ])

            let organized = try await Self.organize(
                client, conversation, #"{"pinned": true, "archived": false, "tags": ["Work", "urgent", "WORK", "Ünïcode ✓"]}"#)
            #expect(organized["pinned"] as? Bool == true)
            #expect(organized["archived"] == nil)
            #expect(organized["tags"] as? [String] == ["Work", "urgent", "Ünïcode ✓"])
            #expect(organized.string("last_updated") == plain.string("last_updated"))
            #expect(organized.string("title") == "plan")

            let read = try await client.get("/api/conversations/\(conversation)").json
            #expect(read["tags"] as? [String] == ["Work", "urgent", "Ünïcode ✓"])
            #expect(read["pinned"] as? Bool == true)
            let listed = try await client.get("/api/users/\(user)/conversations").json.array
            #expect(listed.first?["tags"] as? [String] == ["Work", "urgent", "Ünïcode ✓"])

            let renamed = try await Self.organize(client, conversation, #"{"title": "plan B"}"#)
            #expect(renamed.string("last_updated") != plain.string("last_updated"))
            #expect(renamed["pinned"] as? Bool == true)

            let cleared = try await Self.organize(client, conversation, #"{"pinned": false, "tags": null}"#)
            #expect(cleared.object.keys.sorted() == ["created_at", "folder", "id", "last_updated", "message_count", "title", "user_id"])
            #expect(cleared.string("last_updated") == renamed.string("last_updated"))
        }
    }

    @Test func badMarksAreRefusedWithTheirReason() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let tagsRule = "tags must be an array of at most 20 strings of 1 to 50 characters without control characters"
            let cases: [(String, String)] = [
                (#"{"pinned": "yes"}"#, "pinned must be a boolean"),
                (#"{"archived": null}"#, "archived must be a boolean"),
                (#"{"tags": "work"}"#, "tags must be an array of strings"),
                (#"{"tags": [1]}"#, tagsRule),
                (#"{"tags": [""]}"#, tagsRule),
                (#"{"tags": ["a\u0007b"]}"#, tagsRule),
                (#"{"tags": ["\#(String(repeating: "x", count: 51))"]}"#, tagsRule),
                (#"{"tags": [\#((0...20).map { "\"t\($0)\"" }.joined(separator: ","))]}"#, tagsRule),
            ]
            for (body, error) in cases {
                let response = try await client.put("/api/conversations/\(conversation)", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try response.json.string("error") == error, "\(body)")
            }
            let fifty = String(repeating: "é", count: 50)
            #expect(try await Self.organize(client, conversation, #"{"tags": ["\#(fifty)"]}"#)["tags"] as? [String] == [fifty])
            for (query, error) in [
                ("archived=maybe", "archived must be true, false or all"), ("pinned=1", "pinned must be true or false"),
                ("tag=", "tag must be a tag's name"),
            ] {
                let response = try await client.get("/api/users/\(user)/conversations?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(try response.json.string("error") == error, "\(query)")
                let search = try await client.get("/api/users/\(user)/search?q=x&\(query)")
                #expect(try search.json.string("error") == error, "\(query)")
            }
        }
    }

    /// Every combination of the filters, whole and in pages of two, against the list worked out
    /// here from what each conversation was given; conversations are made oldest first, and
    /// organizing never moves them, so the list is newest first.
    @Test func everyCombinationOfFiltersListsWhatItShould() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            struct Made {
                var id: String
                var folder: String?
                var pinned: Bool
                var archived: Bool
                var tags: [String]
            }
            var made: [Made] = []
            let tagSets: [[String]] = [[], ["a"], ["A", "b"], ["b"], ["c", "a"]]
            for index in 0..<14 {
                let folder: String? = [nil, "f", "g", ""][index % 4]
                let body = folder.map { #"{"folder": "\#($0)"}"# } ?? "{}"
                let id = try await client.createConversation(user: user, body)
                let conversation = Made(
                    id: id, folder: folder, pinned: index % 3 == 0, archived: index % 5 == 1 || index % 5 == 3, tags: tagSets[index % 5])
                let tags = conversation.tags.map { "\"\($0)\"" }.joined(separator: ",")
                _ = try await Self.organize(
                    client, id, #"{"pinned": \#(conversation.pinned), "archived": \#(conversation.archived), "tags": [\#(tags)]}"#)
                made.append(conversation)
            }
            let newestFirst = made.reversed()
            #expect(try await Self.ids(client, "/api/users/\(user)/conversations?archived=all") == newestFirst.map(\.id))
            for archived in [nil, "false", "true", "all"] {
                for pinned in [nil, "true", "false"] {
                    for tag in [nil, "a", "B", "zzz"] {
                        for folder in [nil, "f", ""] {
                            var query: [String] = []
                            if let archived { query.append("archived=\(archived)") }
                            if let pinned { query.append("pinned=\(pinned)") }
                            if let tag { query.append("tag=\(tag)") }
                            if let folder { query.append("folder=\(folder)") }
                            let expected = newestFirst.filter { conversation in
                                switch archived {
                                case "true": if !conversation.archived { return false }
                                case "all": break
                                default: if conversation.archived { return false }
                                }
                                if let pinned, conversation.pinned != (pinned == "true") { return false }
                                if let tag, !conversation.tags.contains(where: { $0.lowercased() == tag.lowercased() }) { return false }
                                if let folder, (conversation.folder ?? "") != folder { return false }
                                return true
                            }.map(\.id)
                            let uri = "/api/users/\(user)/conversations?" + query.joined(separator: "&")
                            #expect(try await Self.ids(client, uri) == expected, "\(uri)")
                            #expect(try await Self.pagedIDs(client, uri, limit: 2) == expected, "\(uri) in pages")
                        }
                    }
                }
            }
        }
    }

    @Test func theListOfAClientThatNeverOrganizesIsTheOriginals() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            for folder in ["a", "b"] { _ = try await client.createConversation(user: user, #"{"folder": "\#(folder)"}"#) }
            let plain = try await client.get("/api/users/\(user)/conversations")
            let all = try await client.get("/api/users/\(user)/conversations?archived=all")
            #expect(plain.body == all.body)
            for summary in try plain.json.array {
                #expect(
                    summary.keys.sorted() == [
                        "created_at", "folder", "id", "last_message_preview", "last_updated", "message_count", "title", "user_id",
                    ])
            }
            #expect(try await client.get("/api/users/\(user)/tags").json.array.isEmpty)
        }
    }

    @Test func tagsAreListedRenamedMergedAndDeleted() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let first = try await client.createConversation(user: user)
            let second = try await client.createConversation(user: user)
            let third = try await client.createConversation(user: user)
            _ = try await Self.organize(client, first, #"{"tags": ["Work", "ideas"]}"#)
            _ = try await Self.organize(client, second, #"{"tags": ["work", "Projects / 2026"]}"#)
            _ = try await Self.organize(client, third, #"{"tags": ["ideas"], "archived": true}"#)
            let before = try await client.get("/api/users/\(user)/conversations?archived=all").json.array

            let tags = try await client.get("/api/users/\(user)/tags").json.array
            #expect(tags.map { $0["name"] as? String } == ["Projects / 2026", "Work", "ideas"])
            #expect(tags.map { $0["conversation_count"] as? Int } == [1, 2, 2])

            let path = "Projects%20%2F%202026"
            let renamed = try await client.put("/api/users/\(user)/tags/\(path)", #"{"name": "Plans"}"#)
            #expect(renamed.status == .ok)
            #expect(try renamed.json.object.keys.sorted() == ["conversation_count", "name"])
            #expect(try renamed.json.string("name") == "Plans")
            #expect(try await client.get("/api/conversations/\(second)").json["tags"] as? [String] == ["work", "Plans"])

            // Merging: "ideas" into "WORK" (another spelling of an existing tag): the first keeps one.
            let merged = try await client.put("/api/users/\(user)/tags/IDEAS", #"{"name": "WORK"}"#)
            #expect(try merged.json.int("conversation_count") == 3)
            #expect(try await client.get("/api/conversations/\(first)").json["tags"] as? [String] == ["Work"])
            #expect(try await client.get("/api/conversations/\(third)").json["tags"] as? [String] == ["WORK"])
            #expect(try await Self.ids(client, "/api/users/\(user)/conversations?archived=all&tag=work").count == 3)

            let after = try await client.get("/api/users/\(user)/conversations?archived=all").json.array
            #expect(after.map { $0["last_updated"] as? String } == before.map { $0["last_updated"] as? String })

            let deleted = try await client.delete("/api/users/\(user)/tags/work")
            #expect(deleted.status == .ok)
            #expect(try deleted.json.string("message") == "Tag deleted successfully")
            #expect(try await client.get("/api/conversations/\(first)").json["tags"] == nil)
            #expect(try await client.get("/api/users/\(user)/tags").json.array.map { $0["name"] as? String } == ["Plans"])

            for (method, uri) in [("PUT", "/api/users/\(user)/tags/nothing"), ("DELETE", "/api/users/\(user)/tags/work")] {
                let response =
                    method == "PUT" ? try await client.put(uri, #"{"name": "x"}"#) : try await client.delete(uri)
                #expect(response.status == .notFound)
                #expect(try response.json.string("error") == "Tag not found")
            }
            let unknownUser = try await client.get("/api/users/\(UUID().uuidString.lowercased())/tags")
            #expect(try unknownUser.json.string("error") == "User not found")
            let badName = try await client.put("/api/users/\(user)/tags/Plans", #"{"name": ""}"#)
            #expect(try badName.json.string("error") == "Tag name is required")
        }
    }

    @Test func searchTakesTagAndArchivedFilters() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            var conversations: [String] = []
            for _ in 0..<3 {
                let conversation = try await client.createConversation(user: user)
                _ = try await client.post(
                    "/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "the needle is here"}"#)
                conversations.append(conversation)
            }
            _ = try await Self.organize(client, conversations[0], #"{"archived": true, "tags": ["x"]}"#)
            _ = try await Self.organize(client, conversations[1], #"{"tags": ["X"]}"#)
            let found = { (query: String) async throws -> Set<String> in
                let results = try await client.get("/api/users/\(user)/search?q=needle\(query)").json["results"] as? [[String: Any]]
                return Set((results ?? []).compactMap { $0["id"] as? String })
            }
            #expect(try await found("") == [conversations[1], conversations[2]])
            #expect(try await found("&archived=all") == Set(conversations))
            #expect(try await found("&archived=true") == [conversations[0]])
            #expect(try await found("&tag=x") == [conversations[1]])
            #expect(try await found("&tag=x&archived=all") == [conversations[0], conversations[1]])
            #expect(try await found("&tag=x&archived=true&pinned=true").isEmpty)
        }
    }
}
