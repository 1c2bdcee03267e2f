import PostgresNIO
import QlippyModel
import QlippyStore

/// Paged lists (``PageRequest``): one statement per keyset region (``KeysetRegion``), all in one
/// snapshot, so that a conversation bumped meanwhile is not read twice on one page.
extension PostgresStore {
    /// A page key's time: fixed-width text, so that keys compare bytewise as times (as SQLite's do).
    static func keyTime(_ column: String) -> String {
        "to_char(\(column), 'YYYY-MM-DD HH24:MI:SS.US')"
    }

    /// PostgreSQL records every bump (migration v5's trigger): a walk begins at its first page
    /// with nothing opened, and an unknown user is refused by the page.
    public func conversationPage(
        ofUser userID: String, filter: ConversationFilter, previewLength: Int, page: PageRequest, walkStart: Timestamp?
    ) async throws -> ConversationPage {
        let walk = ConversationWalk(walkStart: walkStart ?? .now(), page: page)
        let previewLength = PreviewLength.served(previewLength)
        let start = walk.walkStart.storageText
        let limit = walk.page.limit
        let after = walk.page.after
        // The last column is the time a bump since the walk's start replaced (see `placed(before:)`):
        // only the bumped conversations' statement has one.
        let columns = "\(PostgresRows.summary), \(Self.keyTime("c.last_updated")), c.seq"
        let read = { @Sendable (row: PostgresRow) throws in
            let (a, b, c, d, e, f, g, h, i, j, k, l, time, sequence, movedFrom) = try row.decode(
                (String, String, String?, String, Int64?, Int64?, Bool, Bool, [String], Int64?, Int64, String?, String?, Int64, String?)
                    .self
            )
            let summary = PostgresRows.summary((a, b, c, d, e, f, g, h, i, j, k, l), previewLength: previewLength)
            return (summary, PageKey(time: time, sequence: sequence).placed(before: movedFrom))
        }
        // The user's conversations that pass the filter: the select list and `more` conditions,
        // each with the values it binds.
        let statement = {
            @Sendable (select: (inout PostgresBindings) -> String, more: (inout PostgresBindings) -> String) -> PostgresQuery in
            var bindings = PostgresBindings()
            let selected = select(&bindings)
            let head = "SELECT \(selected) FROM conversations c WHERE c.user_id = \(bindings.placeholder(userID))"
            let condition = PostgresConversationFilter.condition(filter, &bindings)
            return PostgresQuery(unsafeSQL: head + condition + more(&bindings), binds: bindings)
        }
        return try await snapshot(deadline: deadline) { connection in
            var rows: [(ConversationSummary, PageKey)] = []
            for region in KeysetRegion.plan(after: after, untimedFirst: false) where rows.count <= limit {
                let wanted = limit + 1 - rows.count
                let query: PostgresQuery
                switch region {
                case .timed(let key):
                    let bound = walk.timedBound(after: key)
                    query = statement({ _ in "\(columns), NULL::text" }) { bindings in
                        """
                         AND (c.last_updated, c.seq) < (\(bindings.placeholder(bound.time))::timestamp, \(bindings.placeholder(bound.sequence)))
                        ORDER BY c.last_updated DESC NULLS LAST, c.seq DESC LIMIT \(bindings.placeholder(wanted))
                        """
                    }
                case .untimed(let sequence):
                    query = statement({ _ in "\(columns), NULL::text" }) { bindings in
                        """
                         AND c.last_updated IS NULL AND c.seq < \(bindings.placeholder(sequence ?? .max))
                        ORDER BY c.seq DESC LIMIT \(bindings.placeholder(wanted))
                        """
                    }
                }
                for try await row in try await connection.query(query, logger: self.logger) { rows.append(try read(row)) }
            }
            var moved: [(ConversationSummary, PageKey)] = []
            let bumped = statement({ bindings in
                """
                \(columns),
                  (SELECT coalesce(\(Self.keyTime("m.moved_from")), '') FROM conversation_moves m
                   WHERE m.conversation_id = c.id AND m.moved_to > \(bindings.placeholder(start))::timestamp ORDER BY m.moved_to LIMIT 1)
                """
            }) { bindings in
                let start = bindings.placeholder(start)
                return " AND c.last_updated > \(start)::timestamp AND (c.created_at IS NULL OR c.created_at <= \(start)::timestamp)"
            }
            for try await row in try await connection.query(bumped, logger: self.logger) { moved.append(try read(row)) }
            if rows.isEmpty && moved.isEmpty { try await self.requireUser(userID, connection) }
            return ConversationPage(page: Page(walking: rows, moved: moved, after: after, limit: limit), walkStart: walk.walkStart)
        }
    }

    public func messagePage(ofConversation conversationID: String, page: PageRequest, branches: BranchSelection) async throws -> Page<
        Message
    > {
        let branched = try await snapshot(deadline: deadline) { connection -> Page<Message>? in
            let stored = try await self.conversationWithCurrent(conversationID, connection).currentMessageID
            guard stored != nil || branches == .all else { return nil }
            let arranged = try await self.arrangedMessages(ofConversation: conversationID, storedCurrent: stored, branches, connection).0
            return BranchReads.page(arranged, page: page)
        }
        if let branched { return branched }
        let list = OldestFirstList(
            columns: PostgresRows.messageWithDetails, table: "messages m \(PostgresRows.detailsJoin)", owner: "m.conversation_id",
            ownerID: conversationID, time: "m.timestamp",
            sequence: "m.seq")
        let conversationExists = { @Sendable (connection: PostgresConnection) in
            _ = try await self.one("SELECT 1 FROM conversations WHERE id = \(conversationID)", on: connection, missing: .conversation) {
                _ in ()
            }
        }
        return try await oldestFirst(
            list, page: page, requireOwner: conversationExists,
            decode: PostgresRows.keyedMessage)
    }

    public func pluginPage(ofUser userID: String, page: PageRequest) async throws -> Page<Plugin> {
        let list = OldestFirstList(
            columns: PostgresRows.plugin, table: "plugins p", owner: "p.user_id", ownerID: userID, time: "p.created_at", sequence: "p.seq")
        return try await oldestFirst(
            list, page: page, requireOwner: { connection in try await self.requireUser(userID, connection) },
            decode: { row in
                let (a, b, c, d, e, f, time, sequence) = try row.decode(
                    (String, String, String, String?, Bool?, Int64?, String?, Int64).self)
                return (PostgresRows.plugin((a, b, c, d, e, f)), PageKey(time: time, sequence: sequence))
            })
    }

    /// A list in creation order: one owner's rows of a table, by a nullable time and a sequence.
    private struct OldestFirstList: Sendable {
        var columns: String
        var table: String
        var owner: String
        var ownerID: String
        var time: String
        var sequence: String

        /// A region's statement: the timed rows after a key, the untimed rows after a sequence, or
        /// (both `nil`) the timed rows from the first. Each row's key follows its columns.
        func query(after key: (time: String, sequence: Int64)?, afterSequence: Int64?, limit: Int) -> PostgresQuery {
            let select = "SELECT \(columns), \(PostgresStore.keyTime(time)), \(sequence) FROM \(table) WHERE \(owner) ="
            if let key {
                return """
                    \(unescaped: select) \(ownerID) AND \(unescaped: time) IS NOT NULL
                      AND (\(unescaped: time), \(unescaped: sequence)) > (\(key.time)::timestamp, \(key.sequence))
                    ORDER BY \(unescaped: time), \(unescaped: sequence) LIMIT \(limit)
                    """
            }
            if let afterSequence {
                return """
                    \(unescaped: select) \(ownerID) AND \(unescaped: time) IS NULL AND \(unescaped: sequence) > \(afterSequence)
                    ORDER BY \(unescaped: sequence) LIMIT \(limit)
                    """
            }
            return """
                \(unescaped: select) \(ownerID) AND \(unescaped: time) IS NOT NULL ORDER BY \(unescaped: time), \(unescaped: sequence) LIMIT \(limit)
                """
        }
    }

    /// A page of a list in creation order, region by region, in one snapshot. The owner is
    /// looked up only for an empty page.
    private func oldestFirst<Element: Sendable>(
        _ list: OldestFirstList, page: PageRequest, requireOwner: @escaping @Sendable (PostgresConnection) async throws -> Void,
        decode: @escaping @Sendable (PostgresRow) throws -> (Element, PageKey)
    ) async throws -> Page<Element> {
        try await snapshot(deadline: deadline) { connection in
            var rows: [(Element, PageKey)] = []
            for region in KeysetRegion.plan(after: page.after, untimedFirst: true) where rows.count <= page.limit {
                let wanted = page.limit + 1 - rows.count
                let statement =
                    switch region {
                    case .timed(let key): list.query(after: key, afterSequence: nil, limit: wanted)
                    case .untimed(let sequence): list.query(after: nil, afterSequence: sequence ?? .min, limit: wanted)
                    }
                for try await row in try await connection.query(statement, logger: self.logger) { rows.append(try decode(row)) }
            }
            if rows.isEmpty { try await requireOwner(connection) }
            return Page(rows, limit: page.limit)
        }
    }
}
