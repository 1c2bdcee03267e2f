import QlippyModel

/// When a key's use is written down: at most once a minute, so that a script's every request
/// does not become a write.
package enum APIKeyUse {
    package static let interval = Duration.seconds(60)

    package static func isWorthNoting(lastUsed: Timestamp?, now: Timestamp) -> Bool {
        guard let lastUsed else { return true }
        return lastUsed < now.minus(interval)
    }
}
