import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyJSON
import Testing

/// Accounts mode for tests: a server with open sign-up and a known signing secret (so that tests
/// can forge tokens), and clients that sign up, sign in and send their credential.
enum Accounts {
    static let secret = "a-signing-secret-for-tests-only-0123456789"
    static let password = "a sound passphrase 4 tests"

    static func server(_ settings: [String: String] = [:]) throws -> TestServer {
        try TestServer(settings: ["auth": "accounts", "signup": "open", "authSecret": secret].merging(settings) { $1 })
    }

    /// An HS256 JWT over `claims` with `key`, written by hand: an oracle independent of the server's.
    static func jwt(header: [String: Any] = ["alg": "HS256", "typ": "JWT"], claims: [String: Any], key: String = secret) throws -> String {
        let head = Base64URL.encode(bytes: try JSONSerialization.data(withJSONObject: header))
        let body = Base64URL.encode(bytes: try JSONSerialization.data(withJSONObject: claims))
        let signature = HMAC<SHA256>.authenticationCode(for: Data("\(head).\(body)".utf8), using: SymmetricKey(data: Data(key.utf8)))
        return "\(head).\(body).\(Base64URL.encode(bytes: Data(signature)))"
    }

    /// Claims as the server writes them, for user `userID`, expiring `expiresIn` seconds from now.
    static func claims(userID: String, expiresIn: Double = 600) -> [String: Any] {
        let now = Date().timeIntervalSince1970
        return [
            "iss": "qlippy-server", "aud": "qlippy", "sub": userID, "iat": now, "exp": now + expiresIn, "role": "user",
            "sid": "00000000-0000-0000-0000-000000000000",
        ]
    }
}

/// A signed-in user: their id and credentials.
struct SignedInUser: Sendable {
    var id: String
    var username: String
    var accessToken: String
    var refreshToken: String

    var bearer: HTTPFields { [.authorization: "Bearer \(accessToken)", .contentType: "application/json"] }
}

extension TestClientProtocol {
    /// Signs up (open sign-up) and signs in.
    func signUp(_ username: String, password: String = Accounts.password) async throws -> SignedInUser {
        let created = try await post("/api/users", #"{"username": "\#(username)", "password": "\#(password)"}"#)
        #expect(created.status == .created, "\(String(buffer: created.body))")
        return try await signIn(username, password: password)
    }

    func signIn(_ username: String, password: String = Accounts.password) async throws -> SignedInUser {
        let response = try await post("/api/auth/login", #"{"username": "\#(username)", "password": "\#(password)"}"#)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        let json = try response.json
        let user = try #require(json["user"] as? [String: Any])
        return SignedInUser(
            id: try #require(user["id"] as? String), username: username, accessToken: try #require(json.string("access_token")),
            refreshToken: try #require(json.string("refresh_token")))
    }

    /// A request with `Authorization: Bearer credential` (and a JSON body when given).
    func send(_ method: HTTPRequest.Method, _ uri: String, bearer credential: String?, _ json: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = json == nil ? [:] : jsonHeaders
        if let credential { headers[.authorization] = "Bearer \(credential)" }
        return try await executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// A new API key of the user.
    func createKey(for user: SignedInUser, name: String = "script", expiresAt: String? = nil) async throws -> (id: String, key: String) {
        let body = expiresAt.map { #"{"name": "\#(name)", "expires_at": "\#($0)"}"# } ?? #"{"name": "\#(name)"}"#
        let response = try await send(.post, "/api/auth/keys", bearer: user.accessToken, body)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        let json = try response.json
        return (try #require(json.string("id")), try #require(json.string("key")))
    }
}
