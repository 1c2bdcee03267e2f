import PostgresNIO
import QlippyModel

/// A ``ConversationFilter`` as conditions on conversations `c` (expired ones always left out),
/// its values bound in `bindings`,
/// shared by the lists, the pages and the search. Archived and pinned conversations are found by
/// partial indexes (migration v13), a tag's by a containment test on `tag_keys`.
enum PostgresConversationFilter {
    static func condition(_ filter: ConversationFilter, _ bindings: inout PostgresBindings) -> String {
        var condition = " AND \(PostgresRows.notExpired)"
        if let folder = filter.folder {
            condition += folder.isEmpty ? " AND (c.folder IS NULL OR c.folder = '')" : " AND c.folder = \(bindings.placeholder(folder))"
        }
        switch filter.archived {
        case .hidden: condition += " AND NOT c.archived"
        case .only: condition += " AND c.archived"
        case .all: break
        }
        if let pinned = filter.pinned { condition += pinned ? " AND c.pinned" : " AND NOT c.pinned" }
        if let tag = filter.tag {
            condition += " AND c.tag_keys @> ARRAY[\(bindings.placeholder(ConversationMarks.tagKey(tag)))]"
        }
        return condition
    }
}

extension PostgresBindings {
    /// Binds `value` and returns its placeholder (`$1`, `$2`, …) for a query's text.
    mutating func placeholder(_ value: some PostgresDynamicTypeEncodable) -> String {
        append(value)
        return "$\(count)"
    }
}
