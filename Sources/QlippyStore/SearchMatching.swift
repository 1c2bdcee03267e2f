import QlippyModel

/// The results' order: most matches first, then newest `lastUpdated` (none last), then by id,
/// so that pages are stable. A cursor is a position in this order.
extension SearchCursor {
    package static func precedes(_ lhs: SearchCursor, _ rhs: SearchCursor) -> Bool {
        if lhs.matchCount != rhs.matchCount { return lhs.matchCount > rhs.matchCount }
        switch (lhs.lastUpdated, rhs.lastUpdated) {
        case (let l?, let r?) where l != r: return l > r
        case (_?, nil): return true
        case (nil, _?): return false
        default: return lhs.conversationID < rhs.conversationID
        }
    }
}

extension SearchQuery {
    /// The matching conversations in the results' order, cut to the page this query asks for
    /// (after its cursor, at most its limit), and whether more follow.
    package func page<Item>(of items: [Item], rank: (Item) -> SearchCursor) -> (items: [Item], hasMore: Bool) {
        var ordered = items.sorted { SearchCursor.precedes(rank($0), rank($1)) }
        if let after {
            ordered.removeAll { !SearchCursor.precedes(after, rank($0)) }
        }
        guard let limit, ordered.count > limit else { return (ordered, false) }
        return (Array(ordered.prefix(limit)), true)
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
    package static func firstIndex(of folded: [Unicode.Scalar], in haystack: [Unicode.Scalar], from start: Int) -> Int? {
        guard let first = folded.first else { return nil }
        var position = start
        while position + folded.count <= haystack.count {
            if haystack[position] == first, haystack[position..<position + folded.count].elementsEqual(folded) { return position }
            position += 1
        }
        return nil
    }
}
