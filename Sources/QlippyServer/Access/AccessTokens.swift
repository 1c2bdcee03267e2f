import Foundation
import JWTKit
import QlippyModel
import Synchronization

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

/// Who an access token names: what a verified token says.
struct VerifiedToken: Sendable {
    var userID: String
    var signIn: String
    var expires: Date
}

/// Signs and verifies access tokens: HS256 JWTs, checked by signature alone (no database round
/// trip), with the secret every server of the database shares.
///
/// Only HS256 is accepted: the header is read before the signature, and a token naming any other
/// algorithm (`none`, a switched one) is refused without being handed to a verifier. A token
/// verified once is remembered (by its exact text) until it expires, so that a client's next
/// requests cost a dictionary lookup instead of a JSON decode and an HMAC: decoding cost a read
/// of a conversation a third of its speed (bench/README.md).
final class AccessTokens: Sendable {
    static let issuer = "qlippy-server"
    static let audience = "qlippy"
    static let algorithm = "HS256"
    /// Tokens remembered at most; past it the memory starts again (each is verified anew once).
    static let rememberedLimit = 10_000

    let lifetime: Duration
    private let keys: JWTKeyCollection
    private let verified = Mutex<[String: VerifiedToken]>([:])

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

    /// What a valid token says; `nil` for anything else (expired, tampered, other algorithm).
    func verify(_ token: String, now: Date = Date()) async -> VerifiedToken? {
        if let known = verified.withLock({ $0[token] }) {
            return known.expires > now ? known : nil
        }
        guard Self.headerAlgorithm(of: token) == Self.algorithm, let claims = try? await keys.verify(token, as: AccessClaims.self) else {
            return nil
        }
        let result = VerifiedToken(userID: claims.sub.value, signIn: claims.sid, expires: claims.exp.value)
        verified.withLock { table in
            if table.count >= Self.rememberedLimit { table.removeAll(keepingCapacity: true) }
            table[token] = result
        }
        return result
    }

    /// The `alg` of a JWT's header, or `nil` when the text is not a JWT.
    static func headerAlgorithm(of token: String) -> String? {
        JWTParts.header(of: token)?["alg"] as? String
    }
}
