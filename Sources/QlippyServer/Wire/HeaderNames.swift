import HTTPTypes

/// The header names the server sends or reads beyond those HTTPTypes names.
extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    /// RFC 8288: the next page of a paged list.
    static let link = Self("Link")!
    /// A create's retry key (IETF httpapi draft, Stripe's API), and the answer that marks a replay.
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    /// Server-sent events: the id of the last event a reconnecting client saw.
    static let lastEventID = Self("Last-Event-ID")!
    /// A share page's: no search engine lists it.
    static let robotsTag = Self("X-Robots-Tag")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
