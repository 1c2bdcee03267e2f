import Foundation
import JWTKit
import Logging

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The registered claims an OpenID Connect provider's token must carry; the user claim is read
/// from the verified payload by name (``OpenIDConnect/userClaim``).
struct ProviderClaims: JWTPayload {
    var iss: IssuerClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Bearer tokens from an OpenID Connect provider (`--oidc-issuer`, `--oidc-audience`,
/// `--oidc-user-claim`).
///
/// The provider's keys come from its JWKS (found through `/.well-known/openid-configuration`),
/// fetched on first use and again when a token names a key id not among them (the provider
/// rotated its keys), at most once in ``refetchInterval``. Only asymmetric algorithms are accepted:
/// a token saying HS256 could be signed with the provider's public key as an HMAC secret.
actor OpenIDConnect {
    static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
    static let refetchInterval = Duration.seconds(5)

    nonisolated let issuer: String
    let audience: String
    let userClaim: String
    private let logger: Logger
    private var keys: JWTKeyCollection?
    private var kids: Set<String> = []
    private var fetched: ContinuousClock.Instant?

    init(issuer: String, audience: String, userClaim: String, logger: Logger) {
        self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.audience = audience
        self.userClaim = userClaim
        self.logger = logger
    }

    /// Whether `token` says it is this provider's (its unverified `iss`): which verifier is asked.
    nonisolated func claimsToBeFrom(_ token: String) -> Bool {
        (JWTParts.payload(of: token)?["iss"] as? String).map { $0 == issuer || $0 == issuer + "/" } ?? false
    }

    /// The username the verified token names; `nil` when it is not a valid token of the provider.
    func username(in token: String) async -> String? {
        guard let header = JWTParts.header(of: token), let algorithm = header["alg"] as? String, Self.algorithms.contains(algorithm) else {
            return nil
        }
        let kid = header["kid"] as? String
        do {
            if keys == nil || kid.map({ !kids.contains($0) }) == true { try await refetch() }
            guard let keys else { return nil }
            let claims = try await keys.verify(token, as: ProviderClaims.self)
            guard claims.iss.value == issuer || claims.iss.value == issuer + "/" else { return nil }
            try claims.aud.verifyIntendedAudience(includes: audience)
            return JWTParts.payload(of: token)?[userClaim] as? String
        } catch {
            logger.notice("OpenID Connect token refused", metadata: ["reason": "\(type(of: error))"])
            return nil
        }
    }

    /// Fetches the provider's keys, unless that was done less than ``refetchInterval`` ago.
    private func refetch() async throws {
        if let fetched, fetched.duration(to: .now) < Self.refetchInterval { return }
        fetched = .now
        let discovery = try await Self.json(at: issuer + "/.well-known/openid-configuration")
        guard let jwksURI = discovery["jwks_uri"] as? String else { throw OpenIDConnectError.noJWKSURI }
        let data = try await Self.data(at: jwksURI)
        let jwks = try JSONDecoder().decode(JWKS.self, from: data)
        let collection = JWTKeyCollection()
        try await collection.add(jwks: jwks)
        keys = collection
        kids = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        logger.info("fetched the OpenID Connect provider's keys", metadata: ["keys": "\(kids.count)", "issuer": "\(issuer)"])
    }

    private static func data(at url: String) async throws -> Data {
        guard let url = URL(string: url) else { throw OpenIDConnectError.badURL }
        let (data, response) = try await URLSession.shared.data(from: url)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw OpenIDConnectError.fetchFailed }
        return data
    }

    private static func json(at url: String) async throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: try await data(at: url)) as? [String: Any] else {
            throw OpenIDConnectError.fetchFailed
        }
        return object
    }
}

enum OpenIDConnectError: Error {
    case badURL, fetchFailed, noJWKSURI
}
