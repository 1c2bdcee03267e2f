/// A row's place in a list that is read page by page (keyset pagination): its sort time as the
/// store keeps it, and its insertion sequence (SQLite's rowid, PostgreSQL's `seq`) to break ties.
///
/// `time` is the store's own text (SQLite's stored text; PostgreSQL's `timestamp::text`), compared
/// by the database, never parsed: a legacy file's timestamps keep their exact order. `nil` is a row
/// without a time, which every list places in a region of its own (last in a newest-first list,
/// first in an oldest-first one), as the unpaged lists do.
public struct PageKey: Sendable, Hashable {
    public var time: String?
    public var sequence: Int64

    public init(time: String?, sequence: Int64) {
        self.time = time
        self.sequence = sequence
    }
}

/// Which page of a list to read: up to `limit` rows after `after` (the first page without it).
public struct PageRequest: Sendable, Hashable {
    public var limit: Int
    public var after: PageKey?

    public init(limit: Int, after: PageKey? = nil) {
        self.limit = limit
        self.after = after
    }
}

/// One page of a list; `next` is where the following page starts, `nil` on the last page.
public struct Page<Element: Sendable>: Sendable {
    public var items: [Element]
    public var next: PageKey?

    public init(items: [Element], next: PageKey?) {
        self.items = items
        self.next = next
    }
}

/// A page of a user's conversations, newest first.
///
/// A conversation moves to the top whenever it is bumped, so a plain keyset walk would miss every
/// conversation bumped before the walk reached it. A walk therefore lists the conversations in the
/// order they had when it began (`walkStart`, fixed by its first page): a conversation bumped since
/// keeps its place from then (each store records the `last_updated` a bump replaced, for
/// ``ConversationWalk/movesKept``), with its current content. Conversations created during the walk
/// are not in it; a new first page shows them.
public struct ConversationWalk: Sendable, Hashable {
    public var walkStart: Timestamp
    public var page: PageRequest

    /// How long stores keep the moves a walk needs; a walk older than this must start again.
    public static let movesKept: Duration = .seconds(25 * 3600)
    /// How long a walk's cursors are accepted: less than ``movesKept``, so that no move a walk
    /// needs has been forgotten.
    public static let walkLifetime: Duration = .seconds(24 * 3600)

    public init(walkStart: Timestamp, page: PageRequest) {
        self.walkStart = walkStart
        self.page = page
    }
}

/// A page of a walk of a user's conversations, with the time the walk began: the next page's
/// cursor carries it, so that the walk goes on in the order it began with.
public struct ConversationPage: Sendable {
    public var page: Page<ConversationSummary>
    public var walkStart: Timestamp

    public init(page: Page<ConversationSummary>, walkStart: Timestamp) {
        self.page = page
        self.walkStart = walkStart
    }
}
