/// What to look for in a user's conversations, and which part of the results to return.
///
/// Matching is a case-insensitive substring test on Unicode scalars (``SearchFolding``); the text
/// is literal, never a pattern or query syntax. Without the optional filters and paging, the
/// results are the contract's: every matching conversation.
public struct SearchQuery: Sendable, Hashable {
    /// The trimmed, non-empty text to find.
    public var text: String
    /// Which conversations to look in: by default, every one not archived.
    public var conversations: ConversationFilter
    /// Only messages with this role count as matches (titles then do not match).
    public var role: String?
    /// Only messages with a timestamp in `from...to` count as matches (titles then do not match).
    public var from: Timestamp?
    public var to: Timestamp?
    /// At most this many results, after `after` when given.
    public var limit: Int?
    public var after: SearchCursor?

    public init(
        text: String, conversations: ConversationFilter = ConversationFilter(), role: String? = nil, from: Timestamp? = nil,
        to: Timestamp? = nil,
        limit: Int? = nil, after: SearchCursor? = nil
    ) {
        self.text = text
        self.conversations = conversations
        self.role = role
        self.from = from
        self.to = to
        self.limit = limit
        self.after = after
    }

    /// Whether a message filter is set: titles, not being messages, match only without one.
    public var filtersMessages: Bool { role != nil || from != nil || to != nil }
}

/// A position in the results' order (most matches first, then newest `lastUpdated`), for paging:
/// the next page starts after the result it names.
public struct SearchCursor: Sendable, Hashable {
    public var matchCount: Int
    public var lastUpdated: Timestamp?
    public var conversationID: String

    public init(matchCount: Int, lastUpdated: Timestamp?, conversationID: String) {
        self.matchCount = matchCount
        self.lastUpdated = lastUpdated
        self.conversationID = conversationID
    }
}

/// One matching conversation: as the list shows it, with how many of its messages match and the first three.
public struct SearchResult: Sendable, Hashable {
    public var summary: ConversationSummary
    public var matchCount: Int
    /// The conversation's first matching messages, oldest first, at most three.
    public var matchingMessages: [Message]

    public init(summary: ConversationSummary, matchCount: Int, matchingMessages: [Message]) {
        self.summary = summary
        self.matchCount = matchCount
        self.matchingMessages = matchingMessages
    }

    public var cursor: SearchCursor {
        SearchCursor(matchCount: matchCount, lastUpdated: summary.conversation.lastUpdated, conversationID: summary.conversation.id)
    }
}

public struct SearchResults: Sendable, Hashable {
    /// Matching conversations in all, not only on this page.
    public var total: Int
    public var results: [SearchResult]
    /// Whether results follow this page.
    public var hasMore: Bool

    public init(total: Int, results: [SearchResult], hasMore: Bool) {
        self.total = total
        self.results = results
        self.hasMore = hasMore
    }
}
