import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Token mode: with `QLIPPY_API_TOKEN` set, every route but health needs `Authorization: Bearer`.
@Suite("API token")
struct APITokenTests {
    static let token = "test-token-0123456789abcdef"

    /// One request per route the server registers (ids need not exist: the token is checked first).
    static let routes: [(HTTPRequest.Method, String, String?)] = [
        (.post, "/api/users", #"{"username": "ada"}"#),
        (.get, "/api/users/00000000-0000-0000-0000-000000000000", nil),
        (.get, "/api/users/00000000-0000-0000-0000-000000000000/conversations", nil),
        (.post, "/api/users/00000000-0000-0000-0000-000000000000/conversations", "{}"),
        (.get, "/api/conversations/00000000-0000-0000-0000-000000000000", nil),
        (.put, "/api/conversations/00000000-0000-0000-0000-000000000000", #"{"title": "x"}"#),
        (.delete, "/api/conversations/00000000-0000-0000-0000-000000000000", nil),
        (.post, "/api/conversations/00000000-0000-0000-0000-000000000000/messages", #"{"role": "user", "content": "x"}"#),
        (.put, "/api/messages/00000000-0000-0000-0000-000000000000", #"{"content": "x"}"#),
        (.delete, "/api/messages/00000000-0000-0000-0000-000000000000", nil),
        (.get, "/api/users/00000000-0000-0000-0000-000000000000/plugins", nil),
        (.post, "/api/users/00000000-0000-0000-0000-000000000000/plugins", #"{"name": "x"}"#),
        (.put, "/api/plugins/00000000-0000-0000-0000-000000000000", #"{"enabled": false}"#),
        (.delete, "/api/plugins/00000000-0000-0000-0000-000000000000", nil),
        (.get, "/api/users/00000000-0000-0000-0000-000000000000/search?q=x", nil),
    ]

    static func send(_ client: some TestClientProtocol, _ route: (HTTPRequest.Method, String, String?), authorization: String?) async throws -> TestResponse {
        var headers: HTTPFields = route.2 == nil ? [:] : jsonHeaders
        if let authorization { headers[.authorization] = authorization }
        return try await client.executeRequest(uri: route.1, method: route.0, headers: headers, body: route.2.map { ByteBuffer(string: $0) })
    }

    @Test func everyRouteButHealthNeedsTheToken() async throws {
        try await TestServer(settings: ["apiToken": Self.token]).run { client in
            for route in Self.routes {
                for authorization in [nil, "Bearer wrong-token-0123456789ab", "Bearer \(Self.token)x", "Basic \(Self.token)", Self.token] {
                    let response = try await Self.send(client, route, authorization: authorization)
                    #expect(response.status == .unauthorized, "\(route.0) \(route.1) with \(authorization ?? "nothing")")
                    #expect(String(buffer: response.body) == #"{"error":"Missing or wrong API token: send Authorization: Bearer <token>"}"#)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                }
                let allowed = try await Self.send(client, route, authorization: "Bearer \(Self.token)")
                #expect(allowed.status != .unauthorized, "\(route.0) \(route.1)")
            }
            #expect(try await client.get("/api/health").status == .ok)
            #expect(try await client.executeRequest(uri: "/api/users", method: .options, headers: [:], body: nil).status == .noContent)
        }
    }

    @Test func withTheTokenTheAPIWorksAsUsual() async throws {
        try await TestServer(settings: ["apiToken": Self.token]).run { client in
            let headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(Self.token)"]
            let created = try await client.post("/api/users", #"{"username": "ada"}"#, headers: headers)
            #expect(created.status == .created)
            let id = try #require(try created.json.string("id"))
            let read = try await client.executeRequest(uri: "/api/users/\(id)", method: .get, headers: headers, body: nil)
            #expect(try read.json.string("username") == "ada")
        }
    }

    @Test func withoutATokenNothingIsAsked() async throws {
        try await TestServer().run { client in
            let response = try await client.post("/api/users", #"{"username": "ada"}"#)
            #expect(response.status == .created)
        }
    }
}
