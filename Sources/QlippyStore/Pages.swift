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

    /// The page of `limit` rows from rows read in order, one more than `limit` when there are more.
    init(_ rows: [(Element, PageKey)], limit: Int) {
        let shown = rows.prefix(limit)
        items = shown.map(\.0)
        next = rows.count > limit ? shown.last?.1 : nil
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

    /// Where the timed rows of a page start: after the cursor's key, and never past the walk's
    /// start (rows dated later are read as moved rows). Without a key, the walk's start itself.
    func timedBound(after key: (time: String, sequence: Int64)?) -> (time: String, sequence: Int64) {
        let start = (time: walkStart.storageText, sequence: Int64.max)
        guard let key else { return start }
        return PageKey.newestFirst(PageKey(time: start.time, sequence: start.sequence), PageKey(time: key.time, sequence: key.sequence)) ? key : start
    }
}

/// The regions a keyset page reads, in order, until it has enough rows: the rows with a time
/// (after the cursor's key when it has one) and the rows without one (after the cursor's sequence
/// when the cursor is among them). Shared by both stores so that their pages agree.
enum KeysetRegion {
    case timed(after: (time: String, sequence: Int64)?)
    case untimed(afterSequence: Int64?)

    /// `untimedFirst`: oldest-first lists (messages, plugins) put rows without a time first.
    static func plan(after: PageKey?, untimedFirst: Bool) -> [KeysetRegion] {
        guard let after else {
            return untimedFirst ? [.untimed(afterSequence: nil), .timed(after: nil)] : [.timed(after: nil), .untimed(afterSequence: nil)]
        }
        guard let time = after.time else {
            return untimedFirst ? [.untimed(afterSequence: after.sequence), .timed(after: nil)] : [.untimed(afterSequence: after.sequence)]
        }
        return untimedFirst ? [.timed(after: (time, after.sequence))] : [.timed(after: (time, after.sequence)), .untimed(afterSequence: nil)]
    }
}

extension PageKey {
    /// Newest-first order (conversations): later time first, rows without a time last, then the
    /// higher sequence first. Times compare as the stores' texts do (bytewise).
    static func newestFirst(_ a: PageKey, _ b: PageKey) -> Bool {
        switch (a.time, b.time) {
        case (let x?, let y?) where x != y: Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) == false
        case (.some, nil): true
        case (nil, .some): false
        default: a.sequence > b.sequence
        }
    }
}

extension PageKey {
    /// The key a conversation had when a walk began, from its current key and the time its first
    /// bump since then replaced: `nil` when it has not been bumped since (its key is unchanged),
    /// `""` when it had no time.
    func placed(before movedFrom: String?) -> PageKey {
        guard let movedFrom else { return self }
        return PageKey(time: movedFrom.isEmpty ? nil : movedFrom, sequence: sequence)
    }
}

extension Page {
    /// A walk's page (``ConversationWalk``): the rows read in order from where the walk stands,
    /// merged with the conversations bumped since it began, placed where they were then; the
    /// bumped ones the walk has passed already are left out.
    init(walking rows: [(Element, PageKey)], moved: [(Element, PageKey)], after: PageKey?, limit: Int) {
        let ahead = moved.filter { row in after.map { PageKey.newestFirst($0, row.1) } ?? true }
        self.init((rows + ahead).sorted { PageKey.newestFirst($0.1, $1.1) }, limit: limit)
    }
}
