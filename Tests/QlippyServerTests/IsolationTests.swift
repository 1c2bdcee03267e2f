import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// Accounts mode: a user reaches only their own history, on every route of the document.
@Suite("Isolation between users")
struct IsolationTests {
    /// A's resources, named by the path parameters that reach them.
    static func plant(_ client: some TestClientProtocol, for user: SignedInUser) async throws -> [String: String] {
        func post(_ path: String, _ body: String) async throws -> String {
            let response = try await client.send(.post, path, bearer: user.accessToken, body)
            #expect(response.status == .created, "\(path): \(String(buffer: response.body))")
            return try #require(try response.json.string("id"))
        }
        let conversation = try await post("/api/users/\(user.id)/conversations", #"{"title": "A's secret plans", "folder": "work"}"#)
        let message = try await post("/api/conversations/\(conversation)/messages", #"{"role": "user", "content": "the secret plans"}"#)
        let plugin = try await post("/api/users/\(user.id)/plugins", #"{"name": "a-plugin"}"#)
        let key = try await client.createKey(for: user)
        return [
            "user_id": user.id, "conversation_id": conversation, "message_id": message, "plugin_id": plugin, "name": "work",
            "key_id": key.id,
        ]
    }

    /// Everything of A's a reader can see, as A sees it.
    static func snapshot(_ client: some TestClientProtocol, of user: SignedInUser, _ planted: [String: String]) async throws -> [String] {
        var views: [String] = []
        for path in [
            "/api/users/\(user.id)", "/api/users/\(user.id)/conversations", "/api/conversations/\(planted["conversation_id"]!)",
            "/api/users/\(user.id)/plugins", "/api/users/\(user.id)/folders", "/api/auth/keys",
        ] {
            let response = try await client.send(.get, path, bearer: user.accessToken)
            #expect(response.status == .ok, "\(path)")
            views.append(
                String(buffer: response.body).replacingOccurrences(of: #""last_used_at":"[^"]*""#, with: "", options: .regularExpression))
        }
        return views
    }

    /// The matrix: for each operation of the accounts document, B's access token and B's API key
    /// on A's resources get exactly what an unknown id gets (404 with its text) or, on admin-only
    /// operations, 403; without a credential, 401 with `WWW-Authenticate`. A's data is unchanged.
    @Test func anotherUsersCredentialsReachNothingOfA() async throws {
        // Signed up while sign-up is open; the matrix runs with it closed, so that no route is open.
        // Without the per-user rate limit: B sends far more than a burst's worth.
        var server = try Accounts.server(["rateLimit": "0"])
        let (a, b) = try await server.run { client in (try await client.signUp("alice"), try await client.signUp("bob")) }
        server.settings["signup"] = "closed"
        server.createsDatabase = false
        try await server.run { [server] client in
            // The operations this server serves, as its own document lists them.
            let served = try await client.get("/api/openapi.json")
            let document = try #require(try served.json.value as? [String: Any])
            let operations = try OpenAPIOperations.operations(in: document)
            #expect(operations.count >= 37)
            let bKey = try await client.createKey(for: b).key
            let planted = try await Self.plant(client, for: a)
            let unknown = Dictionary(
                uniqueKeysWithValues: planted.map { ($0.key, $0.key == "name" ? "work" : "00000000-0000-4000-8000-000000000000") })
            let before = try await Self.snapshot(client, of: a, planted)
            let counts = try await server.rowCounts()
            var checked = 0
            for operation in operations where !operation.isOpen {
                let body = operation.method == .get || operation.method == .delete ? nil : "{}"
                let anonymous = try await client.send(operation.method, operation.path(with: planted), bearer: nil, body)
                #expect(anonymous.status == .unauthorized, "\(operation) without a credential")
                #expect(anonymous.headers[.wwwAuthenticate] == "Bearer" && anonymous.errorMessage?.isEmpty == false)
                let isAdminOnly = ["GET /api/users", "PATCH /api/users/{user_id}", "DELETE /api/users/{user_id}", "GET /metrics"]
                    .contains(operation.description)
                let namesAResource = operation.path.contains("{") && !operation.path.hasPrefix("/api/auth/")
                guard isAdminOnly || namesAResource else { continue }
                for credential in [b.accessToken, bKey] {
                    let foreign = try await client.send(operation.method, operation.path(with: planted), bearer: credential, body)
                    if isAdminOnly {
                        #expect(foreign.status == .forbidden, "\(operation)")
                        #expect(foreign.errorMessage == "Only an admin may do this")
                        continue
                    }
                    let missing = try await client.send(operation.method, operation.path(with: unknown), bearer: credential, body)
                    #expect(foreign.status == .notFound, "\(operation): \(String(buffer: foreign.body))")
                    #expect(foreign.status == missing.status && foreign.body == missing.body, "\(operation) answers as for an unknown id")
                    checked += 1
                }
            }
            #expect(checked >= 36, "every operation on a user's data was tried with both credentials")
            // B's key on A's key id: "not found", and A's key survives.
            let keyDelete = try await client.send(.delete, "/api/auth/keys/\(planted["key_id"]!)", bearer: bKey)
            #expect(keyDelete.status == .notFound && keyDelete.errorMessage == "API key not found")
            #expect(try await Self.snapshot(client, of: a, planted) == before)
            #expect(try await server.rowCounts() == counts)
        }
    }

    @Test func searchExportAndImportStayWithinTheUser() async throws {
        try await Accounts.server().run { client in
            let a = try await client.signUp("alice")
            let b = try await client.signUp("bob")
            let planted = try await Self.plant(client, for: a)
            let bConversation = try await client.send(
                .post, "/api/users/\(b.id)/conversations", bearer: b.accessToken, #"{"title": "B's"}"#)
            let bID = try #require(try bConversation.json.string("id"))
            _ = try await client.send(
                .post, "/api/conversations/\(bID)/messages", bearer: b.accessToken, #"{"role": "user", "content": "secret plans of B"}"#)
            let found = try await client.send(.get, "/api/users/\(a.id)/search?q=secret", bearer: a.accessToken).json
            let ids = (found["results"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == [planted["conversation_id"]!])
            let export = try await client.send(.get, "/api/users/\(b.id)/export", bearer: b.accessToken)
            #expect(!String(buffer: export.body).contains("A's secret plans"))
            let before = try await client.send(.get, "/api/users/\(b.id)/conversations", bearer: b.accessToken).body
            let exportOfA = String(buffer: try await client.send(.get, "/api/users/\(a.id)/export", bearer: a.accessToken).body)
            let imported = try await client.send(.post, "/api/users/\(a.id)/import", bearer: a.accessToken, exportOfA)
            #expect(imported.status == .ok || imported.status == .created, "\(String(buffer: imported.body))")
            #expect(try await client.send(.get, "/api/users/\(b.id)/conversations", bearer: b.accessToken).body == before)
        }
    }

    @Test func eventStreamsCarryOnlyTheirUsersChanges() async throws {
        try await Accounts.server().run(.live) { client in
            let port = try #require(client.port)
            let a = try await client.signUp("alice")
            let b = try await client.signUp("bob")
            let ticket = try await client.send(.post, "/api/auth/stream-ticket", bearer: a.accessToken)
            #expect(ticket.status == .created)
            let text = try #require(try ticket.json.string("ticket"))
            let stream = try EventStreamClient(port: port, userID: a.id, query: "ticket=\(text)")
            defer { stream.close() }
            try await stream.opened()
            _ = try await client.send(.post, "/api/users/\(b.id)/conversations", bearer: b.accessToken, #"{"title": "B's"}"#)
            let mine = try await client.send(.post, "/api/users/\(a.id)/conversations", bearer: a.accessToken, #"{"title": "A's"}"#)
            let mineID = try #require(try mine.json.string("id"))
            let events = try await stream.wait { !$0.events.isEmpty }
            #expect(events.map(\.event) == ["conversation.created"])
            #expect(events.first?.json["id"] as? String == mineID)
            // The ticket is spent, and no ticket opens another user's stream.
            let again = RawHTTP.parse(
                try await RawHTTP.exchange(
                    port: port, RawHTTP.request("GET", "/api/users/\(a.id)/events?ticket=\(text)"), wait: .seconds(5)
                ).reply)
            #expect(again.status == 401)
            let bTicket = try #require(try await client.send(.post, "/api/auth/stream-ticket", bearer: b.accessToken).json.string("ticket"))
            let foreign = RawHTTP.parse(
                try await RawHTTP.exchange(
                    port: port, RawHTTP.request("GET", "/api/users/\(a.id)/events?ticket=\(bTicket)"), wait: .seconds(5)
                ).reply)
            #expect(foreign.status == 404)
        }
    }
}
