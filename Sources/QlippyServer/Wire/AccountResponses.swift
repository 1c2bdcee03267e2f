import QlippyJSON
import QlippyModel

/// The JSON shapes of accounts mode. An account is the contract's user object with `role`,
/// `disabled` and `has_password` after its fields; no shape ever holds a hash.
extension JSONWriter {
    mutating func write(_ account: Account) {
        beginObject()
        field("id", account.user.id)
        field("username", account.user.username)
        field("created_at", account.user.createdAt)
        field("conversation_count", account.user.conversationCount)
        field("role", account.role.rawValue)
        field("disabled", account.disabled)
        field("has_password", account.hasPassword)
        endObject()
    }

    /// `{"access_token", "token_type": "Bearer", "expires_in", "refresh_token", "user"}` (RFC 6749, 5.1).
    mutating func write(_ signedIn: SignedIn) {
        beginObject()
        field("access_token", signedIn.accessToken)
        field("token_type", "Bearer")
        field("expires_in", signedIn.expiresIn)
        field("refresh_token", signedIn.refreshToken)
        key("user")
        write(signedIn.account)
        endObject()
    }

    mutating func write(_ key: APIKey) {
        beginObject()
        writeFields(of: key)
        endObject()
    }

    /// A new key: its fields and, this once, the key itself.
    mutating func write(_ key: APIKey, secret: String) {
        beginObject()
        writeFields(of: key)
        field("key", secret)
        endObject()
    }

    private mutating func writeFields(of key: APIKey) {
        field("id", key.id)
        field("name", key.name)
        field("prefix", key.prefix)
        field("created_at", key.createdAt)
        field("last_used_at", key.lastUsedAt)
        field("expires_at", key.expiresAt)
    }

    /// `{"ticket", "expires_in"}`: a single-use event-stream ticket.
    mutating func writeTicket(_ ticket: String, expiresIn seconds: Int) {
        beginObject()
        field("ticket", ticket)
        field("expires_in", seconds)
        endObject()
    }
}
