import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import QlippyJSON
import QlippyTestSupport
import Synchronization
import Testing

@testable import QlippyServer

/// Accounts mode behind an authenticating proxy, and with an OpenID Connect provider's tokens.
@Suite("Single sign-on")
struct SingleSignOnTests {
    @Test func aTrustedProxysHeaderNamesTheUser() async throws {
        try await Accounts.server(["trustedProxies": "127.0.0.1/32, ::1"]).run(.live) { client in
            let me = try await client.executeRequest(
                uri: "/api/auth/me", method: .get, headers: [HTTPField.Name("X-Forwarded-User")!: "carol"], body: nil)
            #expect(me.status == .ok)
            #expect(try me.json.string("username") == "carol" && me.json["has_password"] as? Bool == false, "created on first sight")
            let again = try await client.executeRequest(
                uri: "/api/auth/me", method: .get, headers: [HTTPField.Name("X-Forwarded-User")!: "carol"], body: nil)
            #expect(try again.json.string("id") == me.json.string("id"))
        }
    }

    @Test func theHeaderFromAnyOtherAddressIsIgnored() async throws {
        try await Accounts.server(["trustedProxies": "10.0.0.0/8", "authHeader": "X-Auth-User"]).run(.live) { client in
            let me = try await client.executeRequest(
                uri: "/api/auth/me", method: .get, headers: [HTTPField.Name("X-Auth-User")!: "carol"], body: nil)
            #expect(me.status == .unauthorized && me.errorMessage == "Sign in first: send Authorization: Bearer <access token or API key>")
        }
    }

    @Test func withSignupClosedAProxiedUserMustExist() async throws {
        try await Accounts.server(["trustedProxies": "127.0.0.1", "signup": "closed"]).run(.live) { client in
            let me = try await client.executeRequest(
                uri: "/api/auth/me", method: .get, headers: [HTTPField.Name("X-Forwarded-User")!: "carol"], body: nil)
            #expect(me.status == .unauthorized)
        }
    }

    @Test func addressRangesMatchAsCIDRSays() throws {
        let range = try #require(AddressRange("10.1.0.0/16"))
        #expect(range.contains(try SocketAddress(ipAddress: "10.1.200.3", port: 1)))
        #expect(!range.contains(try SocketAddress(ipAddress: "10.2.0.1", port: 1)))
        #expect(range.contains(try SocketAddress(ipAddress: "::ffff:10.1.0.9", port: 1)), "IPv4 on a dual-stack socket")
        #expect(try #require(AddressRange("fd00::/8")).contains(try SocketAddress(ipAddress: "fd12::1", port: 1)))
        #expect(AddressRange("10.0.0.0/33") == nil && AddressRange("proxy.example") == nil)
    }

    /// The provider: an issuer serving its discovery document and JWKS, with keys it can rotate.
    final class Provider: Sendable {
        let keys = Mutex<[String: P256.Signing.PrivateKey]>(["k1": P256.Signing.PrivateKey()])
        static let audience = "qlippy-web"

        var jwks: String {
            let entries = keys.withLock { keys in
                keys.map { kid, key in
                    let raw = key.publicKey.rawRepresentation
                    return [
                        "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
                        "x": Base64URL.encode(bytes: raw.prefix(32)), "y": Base64URL.encode(bytes: raw.suffix(32)),
                    ]
                }
            }
            return String(decoding: try! JSONSerialization.data(withJSONObject: ["keys": entries]), as: UTF8.self)
        }

        func token(issuer: String, kid: String = "k1", claims extra: [String: Any] = [:], header: [String: Any]? = nil) throws -> String {
            var claims: [String: Any] = [
                "iss": issuer, "aud": Self.audience, "sub": "provider-id-1", "preferred_username": "dora",
                "exp": Date().timeIntervalSince1970 + 300, "iat": Date().timeIntervalSince1970,
            ]
            claims.merge(extra) { $1 }
            let head = Base64URL.encode(
                bytes: try JSONSerialization.data(withJSONObject: header ?? ["alg": "ES256", "kid": kid, "typ": "JWT"]))
            let body = Base64URL.encode(bytes: try JSONSerialization.data(withJSONObject: claims))
            let key = try #require(keys.withLock { $0[kid] } ?? (kid == "k2" ? Self.rotated : nil))
            let signature = try key.signature(for: Data("\(head).\(body)".utf8)).rawRepresentation
            return "\(head).\(body).\(Base64URL.encode(bytes: signature))"
        }

        static let rotated = P256.Signing.PrivateKey()

        func app() -> some ApplicationProtocol {
            let router = Router()
            router.get("/.well-known/openid-configuration") { request, _ -> Response in
                let port = request.head.authority ?? ""
                let body = #"{"issuer": "http://\#(port)", "jwks_uri": "http://\#(port)/jwks"}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            router.get("/jwks") { [self] _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: jwks)))
            }
            return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }
    }

    @Test func anOpenIDConnectProvidersTokensSignUsersIn() async throws {
        let provider = Provider()
        try await provider.app().test(.live) { providerClient in
            let issuer = "http://127.0.0.1:\(try #require(providerClient.port))"
            let server = try Accounts.server(["oidcIssuer": issuer, "oidcAudience": Provider.audience])
            try await server.run { client in
                let valid = try provider.token(issuer: issuer)
                let me = try await client.send(.get, "/api/auth/me", bearer: valid)
                #expect(me.status == .ok, "\(String(buffer: me.body))")
                #expect(try me.json.string("username") == "dora")
                let hmac = try Accounts.jwt(
                    header: ["alg": "HS256", "kid": "k1", "typ": "JWT"],
                    claims: [
                        "iss": issuer, "aud": Provider.audience, "preferred_username": "dora", "exp": Date().timeIntervalSince1970 + 60,
                    ])
                let parts = valid.split(separator: ".").map(String.init)
                var payload = try #require(Base64URL.decode(parts[1]))
                payload = payload.replacingOccurrences(of: "dora", with: "root")
                let refused = [
                    "wrong audience": try provider.token(issuer: issuer, claims: ["aud": "another-client"]),
                    "expired": try provider.token(issuer: issuer, claims: ["exp": Date().timeIntervalSince1970 - 60]),
                    "HS256 under the provider's name": hmac,
                    "alg none": parts[0...1].joined(separator: ".").replacingOccurrences(
                        of: parts[0], with: Base64URL.encode(#"{"alg":"none"}"#)) + ".",
                    "tampered payload": [parts[0], Base64URL.encode(payload), parts[2]].joined(separator: "."),
                    "another issuer's": try provider.token(issuer: "http://127.0.0.1:1"),
                ]
                for (name, token) in refused {
                    #expect(try await client.send(.get, "/api/auth/me", bearer: token).status == .unauthorized, "\(name)")
                }
                // The provider rotates its keys: a token with a new key id makes the server fetch again.
                let rotated = try provider.token(issuer: issuer, kid: "k2")
                try await Task.sleep(for: OpenIDConnect.refetchInterval + .milliseconds(300))
                provider.keys.withLock { $0["k2"] = Provider.rotated }
                let afterRotation = try await client.send(.get, "/api/auth/me", bearer: rotated)
                #expect(afterRotation.status == .ok, "\(String(buffer: afterRotation.body))")
            }
        }
    }
}
