import QlippyModel
import QlippyStore

extension SQLiteStore {
    /// Begins a walk: opens the user's walk window (migration v11) unless it stays open for a day
    /// yet, a write at most once an hour per walking user, and answers the walk's start. The
    /// window is committed before the start is chosen, so every bump dated after the start is
    /// made while it is open. Users who never page never pay for recording their bumps.
    private func beginWalk(ofUser userID: String) async throws -> Timestamp {
        let open = try readers.read { connection in
            try connection.fetchOne("SELECT until FROM walk_windows WHERE user_id = ?", [userID]) { $0.text(0) } ?? nil
        }
        if let open, open > Timestamp.now().plus(ConversationWalk.walkLifetime).storageText { return .now() }
        try await writer.write { db in
            try db.requireUser(id: userID)
            try Self.execute(
                db, "INSERT INTO walk_windows (user_id, until) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET until = excluded.until",
                [userID, Timestamp.now().plus(ConversationWalk.movesKept).storageText]
            )
        }
        return .now()
    }

    public func conversationPage(
        ofUser userID: String, filter: ConversationFilter, previewLength: Int, page: PageRequest, walkStart: Timestamp?
    ) async throws -> ConversationPage {
        let began: Timestamp
        if let walkStart { began = walkStart } else { began = try await beginWalk(ofUser: userID) }
        let walk = ConversationWalk(walkStart: began, page: page)
        let previewLength = PreviewLength.served(previewLength)
        let filter = ConversationFilterSQL(filter, userID: userID)
        let start = walk.walkStart.storageText
        let limit = walk.page.limit
        let read = { (row: Columns) in
            (ConversationSummary(row, previewLength: previewLength), PageKey(time: row.text(12), sequence: row.int64(13)))
        }
        return try snapshot { connection in
            try connection.requireUser(id: userID)
            let owner = [userID] + filter.arguments
            var rows: [(ConversationSummary, PageKey)] = []
            for region in KeysetRegion.plan(after: walk.page.after, untimedFirst: false) where rows.count <= limit {
                let wanted = String(limit + 1 - rows.count)
                switch region {
                case .timed(let key):
                    let bound = walk.timedBound(after: key)
                    rows += try connection.fetchAll(
                        PageQueries.conversationsTimed(filter), owner + [bound.time, String(bound.sequence), wanted], read)
                case .untimed(let sequence):
                    rows += try connection.fetchAll(
                        PageQueries.conversationsUntimed(filter), owner + [String(sequence ?? .max), wanted], read)
                }
            }
            let moved = try connection.fetchAll(PageQueries.conversationsMoved(filter), [start] + owner + [start, start]) { row in
                let (summary, key) = read(row)
                return (summary, key.placed(before: row.text(14)))
            }
            return ConversationPage(
                page: Page(walking: rows, moved: moved, after: walk.page.after, limit: limit), walkStart: walk.walkStart)
        }
    }

    public func messagePage(ofConversation conversationID: String, page: PageRequest, branches: BranchSelection) async throws -> Page<
        Message
    > {
        try snapshot { connection in
            let stored = try connection.fetchConversation(id: conversationID).currentMessageID
            if stored != nil || branches == .all {
                let arranged = try connection.arrangedMessages(ofConversation: conversationID, storedCurrent: stored, branches).0
                var found = BranchReads.page(arranged, page: page)
                found.items = try connection.attachingDetails(to: found.items, ofConversation: conversationID)
                return found
            }
            var found = try Self.oldestFirst(
                connection, owner: conversationID, page: page,
                queries: (PageQueries.messagesTimed, PageQueries.messagesTimedFromStart, PageQueries.messagesUntimed), keyColumn: 5,
                decode: Message.init
            )
            found.items = try connection.attachingDetails(to: found.items, ofConversation: conversationID)
            return found
        }
    }

    public func pluginPage(ofUser userID: String, page: PageRequest) async throws -> Page<Plugin> {
        try snapshot { connection in
            try connection.requireUser(id: userID)
            return try Self.oldestFirst(
                connection, owner: userID, page: page,
                queries: (PageQueries.pluginsTimed, PageQueries.pluginsTimedFromStart, PageQueries.pluginsUntimed), keyColumn: 6,
                decode: Plugin.init
            )
        }
    }

    /// A page of a list in creation order, region by region; each row's key follows its columns.
    private static func oldestFirst<Element>(
        _ source: some RowSource, owner: String, page: PageRequest, queries: (timed: String, timedFromStart: String, untimed: String),
        keyColumn: Int32, decode: (Columns) -> Element
    ) throws -> Page<Element> {
        let read = { (row: Columns) in (decode(row), PageKey(time: row.text(keyColumn), sequence: row.int64(keyColumn + 1))) }
        var rows: [(Element, PageKey)] = []
        for region in KeysetRegion.plan(after: page.after, untimedFirst: true) where rows.count <= page.limit {
            let wanted = String(page.limit + 1 - rows.count)
            switch region {
            case .timed(let key?): rows += try source.fetchAll(queries.timed, [owner, key.time, String(key.sequence), wanted], read)
            case .timed(nil): rows += try source.fetchAll(queries.timedFromStart, [owner, wanted], read)
            case .untimed(let sequence): rows += try source.fetchAll(queries.untimed, [owner, String(sequence ?? .min), wanted], read)
            }
        }
        return Page(rows, limit: page.limit)
    }
}
