/// What to look for in a user's conversations, and which part of the results to return.
///
/// Matching is a case-insensitive substring test on Unicode scalars (``SearchFolding``); the text
/// is literal, never a pattern or query syntax. Without the optional filters and paging, the
/// results are the contract's: every matching conversation.
public struct SearchQuery: Sendable, Hashable {
    /// The trimmed, non-empty text to find.
    public var text: String
    /// Only conversations in this folder; `""` means conversations without a folder.
    public var folder: String?
    /// Only messages with this role count as matches (titles then do not match).
    public var role: String?
    /// Only messages with a timestamp in `from...to` count as matches (titles then do not match).
    public var from: Timestamp?
    public var to: Timestamp?
    /// At most this many results, after `after` when given.
    public var limit: Int?
    public var after: SearchCursor?

    public init(
        text: String, folder: String? = nil, role: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
        limit: Int? = nil, after: SearchCursor? = nil
    ) {
        self.text = text
        self.folder = folder
        self.role = role
        self.from = from
        self.to = to
        self.limit = limit
        self.after = after
    }

    /// Whether a message filter is set: titles, not being messages, match only without one.
    var filtersMessages: Bool { role != nil || from != nil || to != nil }
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

/// Case folding for search: each Unicode scalar maps to its simple lowercase form when that is a
/// single scalar, as SQLite's FTS5 folds text (so that the indexed path and the scanning path agree).
/// Characters whose lowercase is several scalars (`İ`) stay as they are.
public enum SearchFolding {
    public static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.isASCII {
            return scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 32)! : scalar
        }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        guard lower.count == 1, let first = lower.first else { return scalar }
        return first
    }

    public static func fold(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.map(fold)
    }

    /// Scalar offsets in `text` where `folded` (already folded, non-empty) starts, left to right, not overlapping.
    public static func matches(of folded: [Unicode.Scalar], in text: String) -> [Range<Int>] {
        let haystack = fold(text)
        guard !folded.isEmpty, haystack.count >= folded.count else { return [] }
        var ranges: [Range<Int>] = []
        var start = 0
        while start + folded.count <= haystack.count {
            if haystack[start] == folded[0], haystack[start..<start + folded.count].elementsEqual(folded) {
                ranges.append(start..<start + folded.count)
                start += folded.count
            } else {
                start += 1
            }
        }
        return ranges
    }

    /// Whether `text` contains `folded` (already folded, non-empty); stops at the first hit, without
    /// folding the whole text first: the short-query scan calls this on every message of a user.
    public static func contains(_ folded: [Unicode.Scalar], in text: String) -> Bool {
        guard let first = folded.first else { return false }
        var window: [Unicode.Scalar] = []
        window.reserveCapacity(folded.count)
        for scalar in text.unicodeScalars {
            window.append(fold(scalar))
            if window.count > folded.count { window.removeFirst() }
            if window.count == folded.count, window[0] == first, window == folded { return true }
        }
        return false
    }
}
