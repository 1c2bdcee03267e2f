import QlippyModel

/// Finding text in a user's conversations.
public protocol ConversationSearch: Sendable {
    /// The user's conversations containing the query's text in a message or the title (see ``SearchQuery``),
    /// most matching messages first, then newest `lastUpdated`; previews as in
    /// ``ChatResources/conversations(ofUser:filter:previewLength:)``.
    func search(userID: String, query: SearchQuery, previewLength: Int) async throws -> SearchResults
}

/// When a search scans a user's own messages instead of asking the trigram index, on both stores.
public enum SearchScan {
    /// Users with at most this many messages are searched by scanning them: the index lists every
    /// user's hits, so a light user's search for a common word would check the whole database's
    /// candidates, while a scan of their own messages is bounded by their number (about 10 ms).
    /// On SQLite the index is read first, and answers when it holds at most as many hits as the
    /// user has messages and the search filters by no role or date.
    public static let defaultLimit = 2_000
}
