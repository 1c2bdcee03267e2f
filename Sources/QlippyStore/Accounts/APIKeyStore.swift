import QlippyModel

/// API keys, stored as the SHA-256 of their text, so that the database never holds one usable key.
public protocol APIKeyStore: Sendable {
    func createAPIKey(userID: String, name: String, prefix: String, keyHash: String, expiresAt: Timestamp?) async throws -> APIKey
    /// The user's keys, oldest first.
    func apiKeys(ofUser userID: String) async throws -> [APIKey]
    /// Revokes the key; "not found" unless the user has a key with this id.
    func deleteAPIKey(id: String, userID: String) async throws
    /// Who holds the unexpired key `keyHash`, read at the moment of asking (so a key revoked or a
    /// user disabled on another server fails at once); notes the use, at most once a minute.
    func apiKeyHolder(keyHash: String, at now: Timestamp) async throws -> Principal?
}
