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

/// A matching conversation's place in the results' order: most matches first, then newest
/// `lastUpdated` (none last), then by id, so that pages are stable.
struct SearchRank {
    var matchCount: Int
    var lastUpdated: Timestamp?
    var conversationID: String

    static func precedes(_ lhs: SearchRank, _ rhs: SearchRank) -> Bool {
        if lhs.matchCount != rhs.matchCount { return lhs.matchCount > rhs.matchCount }
        switch (lhs.lastUpdated, rhs.lastUpdated) {
        case let (l?, r?) where l != r: return l > r
        case (_?, nil): return true
        case (nil, _?): return false
        default: return lhs.conversationID < rhs.conversationID
        }
    }
}

extension SearchQuery {
    /// The matching conversations in the results' order, cut to the page this query asks for
    /// (after its cursor, at most its limit), and whether more follow.
    func page<Item>(of items: [Item], rank: (Item) -> SearchRank) -> (items: [Item], hasMore: Bool) {
        var ordered = items.sorted { SearchRank.precedes(rank($0), rank($1)) }
        if let after {
            let position = SearchRank(matchCount: after.matchCount, lastUpdated: after.lastUpdated, conversationID: after.conversationID)
            ordered.removeAll { !SearchRank.precedes(position, rank($0)) }
        }
        guard let limit, ordered.count > limit else { return (ordered, false) }
        return (Array(ordered.prefix(limit)), true)
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
        if scalar.value < UInt32(latinFolds.count) { return latinFolds[Int(scalar.value)] }
        return lowercase(scalar)
    }

    /// Latin letters (accented ones included) from a table: `lowercaseMapping` builds a `String`
    /// per scalar, and messages in European languages are full of them.
    private static let latinFolds: [Unicode.Scalar] = (0..<0x250).map { lowercase(Unicode.Scalar($0)!) }

    private static func lowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
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
        var ranges: [Range<Int>] = []
        var start = 0
        while let found = firstIndex(of: folded, in: haystack, from: start) {
            ranges.append(found..<found + folded.count)
            start = found + folded.count
        }
        return ranges
    }

    /// Where `folded` (non-empty) first occurs in `haystack` (folded too) at or after `start`.
    static func firstIndex(of folded: [Unicode.Scalar], in haystack: [Unicode.Scalar], from start: Int) -> Int? {
        guard let first = folded.first else { return nil }
        var position = start
        while position + folded.count <= haystack.count {
            if haystack[position] == first, haystack[position..<position + folded.count].elementsEqual(folded) { return position }
            position += 1
        }
        return nil
    }
}

/// Tests texts for one folded query, straight from their UTF-8 bytes (as SQLite hands them over):
/// no `String` per text, and one buffer of decoded scalars reused for all of them, since the
/// short-query scan tests every message of a user and every search tests every title.
/// Invalid UTF-8 decodes to U+FFFD, as `String(decoding:as:)` repairs it.
struct SubstringMatcher {
    let folded: [Unicode.Scalar]
    private var scalars: [Unicode.Scalar] = []

    init(_ text: String) {
        folded = SearchFolding.fold(text)
    }

    mutating func matches(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        scalars.removeAll(keepingCapacity: true)
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(SearchFolding.fold(scalar))
            case .error: scalars.append("\u{FFFD}")
            case .emptyInput: return SearchFolding.firstIndex(of: folded, in: scalars, from: 0) != nil
            }
        }
    }
}
