import Foundation
import JWTKit
import QlippyModel

/// The claims of an access token this server signs.
struct AccessClaims: JWTPayload {
    var iss: IssuerClaim
    var aud: AudienceClaim
    var sub: SubjectClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    /// The user's role when the token was issued; the store's current role decides admin routes.
    var role: String
    /// The sign-in (refresh-token family) the token belongs to: logout ends it.
    var sid: String

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == AccessTokens.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "issuer") }
        try aud.verifyIntendedAudience(includes: AccessTokens.audience)
    }
}

/// Signs and verifies access tokens: HS256 JWTs, checked by signature alone (no database round
/// trip), with the secret every server of the database shares.
///
/// Only HS256 is accepted: the header is read before the signature, and a token naming any other
/// algorithm (`none`, a switched one) is refused without being handed to a verifier.
struct AccessTokens: Sendable {
    static let issuer = "qlippy-server"
    static let audience = "qlippy"
    static let algorithm = "HS256"

    let lifetime: Duration
    private let keys: JWTKeyCollection

    init(secret: String, lifetime: Duration) async {
        self.lifetime = lifetime
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    func issue(userID: String, role: Role, signIn: String, now: Date = Date()) async throws -> String {
        let claims = AccessClaims(
            iss: .init(value: Self.issuer), aud: .init(value: [Self.audience]), sub: .init(value: userID), iat: .init(value: now),
            exp: .init(value: now.addingTimeInterval(TimeInterval(lifetime.components.seconds))), role: role.rawValue, sid: signIn)
        return try await keys.sign(claims)
    }

    /// The claims of a valid token; `nil` for anything else (expired, tampered, other algorithm).
    func verify(_ token: String) async -> AccessClaims? {
        guard Self.headerAlgorithm(of: token) == Self.algorithm else { return nil }
        return try? await keys.verify(token, as: AccessClaims.self)
    }

    /// The `alg` of a JWT's header, or `nil` when the text is not a JWT.
    static func headerAlgorithm(of token: String) -> String? {
        JWTParts.header(of: token)?["alg"] as? String
    }
}
