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
    /// The holder of the unexpired key `keyHash` and the owner of `resource`, read by one
    /// statement at the moment of asking: `nil` when the key is not valid, `owner` `nil` when the
    /// resource does not exist. Does not note the use.
    func apiKeyHolder(keyHash: String, at now: Timestamp, ownerOf resource: OwnedResource) async throws -> KeyHolderAndOwner?
}

/// What ``APIKeyStore/apiKeyHolder(keyHash:at:ownerOf:)`` reads: whose the key is, and whose the resource.
public struct KeyHolderAndOwner: Sendable, Equatable {
    public var holder: Principal
    public var owner: Principal?

    public init(holder: Principal, owner: Principal?) {
        self.holder = holder
        self.owner = owner
    }
}
