import QlippyModel

/// Refresh tokens, by the SHA-256 of their text, grouped in families: one family per sign-in,
/// whose tokens replace one another (OAuth 2.1 refresh rotation).
public protocol SignInSessions: Sendable {
    /// A new sign-in for the user, with its first refresh token.
    func startSignIn(userID: String, family: String, tokenHash: String, expiresAt: Timestamp) async throws
    /// Spends the token `tokenHash` and stores `nextHash` in its place, in one transaction. A token
    /// spent already, or one of a revoked sign-in, revokes the whole family (``RefreshOutcome/reused``).
    func rotate(tokenHash: String, nextHash: String, expiresAt: Timestamp) async throws -> RefreshOutcome
    /// Ends the sign-in of the family: none of its refresh tokens works again.
    func revokeSignIn(family: String) async throws
    /// Ends every sign-in of the user but `family` (after a password change: the other sessions).
    func revokeSignIns(ofUser userID: String, except family: String?) async throws
}
