import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// Token mode: with `QLIPPY_API_TOKEN` set, every route but health needs `Authorization: Bearer`.
@Suite("API token")
struct APITokenTests {
    static let token = "test-token-0123456789abcdef"

    static func send(_ client: some TestClientProtocol, _ operation: OpenAPIOperations.Operation, authorization: String?) async throws
        -> TestResponse
    {
        var headers: HTTPFields = [:]
        if let authorization { headers[.authorization] = authorization }
        return try await client.executeRequest(uri: operation.samplePath, method: operation.method, headers: headers, body: nil)
    }

    /// Every operation the OpenAPI document lists (which a test holds to the router's routes);
    /// ids need not exist and bodies are not needed: the token is checked first. Open: health,
    /// the document, and share links (`--share-links public`, the default).
    @Test func everyRouteButHealthNeedsTheToken() async throws {
        let operations = try OpenAPIOperations.all()
        #expect(
            operations.filter(\.isOpen).map(\.description) == [
                "GET /api/health", "GET /api/openapi.json", "GET /api/shared/{share_id}", "GET /shared/{share_id}",
            ])
        try await TestServer(settings: ["apiToken": Self.token]).run { client in
            for operation in operations where !operation.isOpen {
                for authorization in [nil, "Bearer wrong-token-0123456789ab", "Bearer \(Self.token)x", "Basic \(Self.token)", Self.token] {
                    let response = try await Self.send(client, operation, authorization: authorization)
                    #expect(response.status == .unauthorized, "\(operation) with \(authorization ?? "nothing")")
                    #expect(String(buffer: response.body) == #"{"error":"Missing or wrong API token: send Authorization: Bearer <token>"}"#)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                }
                let allowed = try await Self.send(client, operation, authorization: "Bearer \(Self.token)")
                #expect(allowed.status != .unauthorized, "\(operation)")
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
