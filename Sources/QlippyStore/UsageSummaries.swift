import QlippyModel

/// A user's token usage, from the messages' stored details (``MessageDetails/usage``).
///
/// Both stores keep it summed per user, UTC day and model (`usage_totals`, kept by triggers on
/// the details), so that a summary reads a few rows per day of the range, however many messages
/// the user has.
public protocol UsageSummaries: Sendable {
    /// The user's messages with details from `from` to `to` (UTC days, inclusive; `nil`: open; a
    /// message without a timestamp counts only when both are `nil`), summed per model or per day,
    /// in byte order of the model names or in day order, `nil` first. Unknown user: not found.
    func usage(ofUser userID: String, from: UTCDay?, to: UTCDay?, groupBy: UsageGrouping) async throws -> [UsageGroup]
}

/// A row of a store's `usage_totals`: one user's messages with details on one day for one model.
package struct UsageTotal: Sendable {
    /// `YYYY-MM-DD`; `nil` for messages without a timestamp.
    package var day: String?
    package var model: String?
    package var messages: Int
    package var inputTokens: Int
    package var outputTokens: Int

    package init(day: String?, model: String?, messages: Int, inputTokens: Int, outputTokens: Int) {
        self.day = day
        self.model = model
        self.messages = messages
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// The rows summed per model or per day, keys in byte order with `nil` first: done here, not
    /// in SQL, so that a store reads its rows in its key's order and sorts nothing (a range has a
    /// row per day and model, a few hundred at most).
    package static func summed(_ rows: [UsageTotal], by grouping: UsageGrouping) -> [UsageGroup] {
        var groups: [String?: UsageGroup] = [:]
        for row in rows {
            let key = grouping == .model ? row.model : row.day
            var group = groups[key] ?? UsageGroup(key: key, messages: 0, inputTokens: 0, outputTokens: 0)
            group.messages += row.messages
            group.inputTokens += row.inputTokens
            group.outputTokens += row.outputTokens
            groups[key] = group
        }
        return groups.values.sorted { left, right in
            guard let rightKey = right.key else { return false }
            guard let leftKey = left.key else { return true }
            return leftKey.utf8.lexicographicallyPrecedes(rightKey.utf8)
        }
    }
}
