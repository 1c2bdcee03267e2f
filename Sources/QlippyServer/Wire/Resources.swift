import QlippyJSON
import QlippyModel
import QlippyStore

/// The JSON shapes of the API's own answers beyond the records (``JSONWriter`` in QlippyJSON writes those).
extension JSONWriter {
    /// Characters of the newest message shown in a conversation list.
    static let listPreviewLength = 100
    /// Characters of a matching message shown in search results.
    static let searchPreviewLength = 150

    /// The search answer: `{"query", "total_results", "results"}`, plus `next_cursor` when paging.
    mutating func write(_ search: SearchResults, for request: SearchRequest) {
        let folded = request.highlights ? SearchFolding.fold(request.query.text) : []
        beginObject()
        field("query", request.query.text)
        field("total_results", search.total)
        key("results")
        beginArray()
        for result in search.results {
            beginObject()
            writeFields(of: result.summary.conversation)
            key("last_message_preview")
            writePreview(result.summary.lastMessagePreview)
            field("match_count", result.matchCount)
            key("matching_messages")
            beginArray()
            for message in result.matchingMessages {
                let preview = TextPrefix(of: message.content, length: Self.searchPreviewLength)
                beginObject()
                field("id", message.id)
                field("role", message.role)
                field("content", message.content)
                field("timestamp", message.timestamp)
                key("preview")
                writePreview(preview)
                if request.highlights {
                    key("highlights")
                    beginArray()
                    for range in SearchFolding.matches(of: folded, in: preview.text) {
                        beginArray()
                        value(range.lowerBound)
                        value(range.upperBound)
                        endArray()
                    }
                    endArray()
                }
                endObject()
            }
            endArray()
            endObject()
        }
        endArray()
        if request.pages {
            key("next_cursor")
            value(search.hasMore ? search.results.last.map { SearchCursorText.encode($0.cursor) } : nil)
        }
        endObject()
    }

    /// `{"path", "bytes", "created_at", "integrity": "ok", "counts": {table: rows}}`.
    mutating func write(backup: BackupSummary) {
        beginObject()
        field("path", backup.path)
        field("bytes", backup.bytes)
        field("created_at", backup.createdAt)
        field("integrity", "ok")
        key("counts")
        beginObject()
        let counts = backup.report.counts
        field("users", counts["users"] ?? 0)
        field("conversations", counts["conversations"] ?? 0)
        field("messages", counts["messages"] ?? 0)
        field("plugins", counts["plugins"] ?? 0)
        endObject()
        endObject()
    }

    /// `{"message": text}`: the answer to a successful delete.
    mutating func writeConfirmation(_ text: String) {
        beginObject()
        field("message", text)
        endObject()
    }

    /// The usage answer: `{"group_by", "from", "to", "total", "groups"}`, each group with its
    /// `model` or `day` (`null`: none) and its `messages`, `input_tokens` and `output_tokens`.
    mutating func write(_ groups: [UsageGroup], for request: UsageRequest) {
        beginObject()
        field("group_by", request.groupBy.rawValue)
        field("from", request.from?.text)
        field("to", request.to?.text)
        let total = groups.reduce(into: UsageGroup(key: nil, messages: 0, inputTokens: 0, outputTokens: 0)) { total, group in
            total.messages += group.messages
            total.inputTokens += group.inputTokens
            total.outputTokens += group.outputTokens
        }
        key("total")
        writeCounts(of: total, key: nil)
        key("groups")
        beginArray()
        for group in groups { writeCounts(of: group, key: request.groupBy == .model ? "model" : "day") }
        endArray()
        endObject()
    }

    private mutating func writeCounts(of group: UsageGroup, key name: StaticString?) {
        beginObject()
        if let name { field(name, group.key) }
        field("messages", group.messages)
        field("input_tokens", group.inputTokens)
        field("output_tokens", group.outputTokens)
        endObject()
    }
}
