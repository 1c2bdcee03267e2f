import Synchronization

/// Whose API keys were, by key hash, as the store last said: what lets a request to a user's own
/// resource read the key and the resource's owner with one statement, in the access check,
/// instead of one in each middleware.
///
/// An entry never lets a request through by itself: a key known here is read again on every
/// request with the resource it asks for, so a key revoked or expired, or a holder disabled, on
/// any server fails at once. An entry lives a minute: then the key is read alone once more,
/// which is when the store notes its use (at most once a minute).
final class APIKeyHolders: Sendable {
    /// Keys remembered at most; past it the memory starts again.
    static let rememberedLimit = 10_000
    static let lifetime = Duration.seconds(60)

    private let holders = Mutex<[String: (userID: String, until: ContinuousClock.Instant)]>([:])

    /// The user whose key `hash` was, while the entry lives.
    func userID(ofKey hash: String, now: ContinuousClock.Instant = .now) -> String? {
        holders.withLock { holders in
            guard let entry = holders[hash] else { return nil }
            guard entry.until > now else {
                holders[hash] = nil
                return nil
            }
            return entry.userID
        }
    }

    func remember(key hash: String, of userID: String, now: ContinuousClock.Instant = .now) {
        holders.withLock { holders in
            if holders.count >= Self.rememberedLimit { holders.removeAll(keepingCapacity: true) }
            holders[hash] = (userID, now + Self.lifetime)
        }
    }
}
