import QlippyModel

/// The regions a keyset page reads, in order, until it has enough rows: the rows with a time
/// (after the cursor's key when it has one) and the rows without one (after the cursor's sequence
/// when the cursor is among them). Shared by both stores so that their pages agree.
package enum KeysetRegion {
    case timed(after: (time: String, sequence: Int64)?)
    case untimed(afterSequence: Int64?)

    /// `untimedFirst`: oldest-first lists (messages, plugins) put rows without a time first.
    package static func plan(after: PageKey?, untimedFirst: Bool) -> [KeysetRegion] {
        guard let after else {
            return untimedFirst ? [.untimed(afterSequence: nil), .timed(after: nil)] : [.timed(after: nil), .untimed(afterSequence: nil)]
        }
        guard let time = after.time else {
            return untimedFirst ? [.untimed(afterSequence: after.sequence), .timed(after: nil)] : [.untimed(afterSequence: after.sequence)]
        }
        return untimedFirst
            ? [.timed(after: (time, after.sequence))] : [.timed(after: (time, after.sequence)), .untimed(afterSequence: nil)]
    }
}

extension PageKey {
    /// Newest-first order (conversations): later time first, rows without a time last, then the
    /// higher sequence first. Times compare as the stores' texts do (bytewise).
    package static func newestFirst(_ a: PageKey, _ b: PageKey) -> Bool {
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
    package func placed(before movedFrom: String?) -> PageKey {
        guard let movedFrom else { return self }
        return PageKey(time: movedFrom.isEmpty ? nil : movedFrom, sequence: sequence)
    }
}

extension Page {
    /// A walk's page (``ConversationWalk``): the rows read in order from where the walk stands,
    /// merged with the conversations bumped since it began, placed where they were then; the
    /// bumped ones the walk has passed already are left out.
    package init(walking rows: [(Element, PageKey)], moved: [(Element, PageKey)], after: PageKey?, limit: Int) {
        let ahead = moved.filter { row in after.map { PageKey.newestFirst($0, row.1) } ?? true }
        self.init((rows + ahead).sorted { PageKey.newestFirst($0.1, $1.1) }, limit: limit)
    }
}

extension Page {
    /// The page of `limit` rows from rows read in order, one more than `limit` when there are more.
    package init(_ rows: [(Element, PageKey)], limit: Int) {
        let shown = rows.prefix(limit)
        self.init(items: shown.map(\.0), next: rows.count > limit ? shown.last?.1 : nil)
    }
}

extension ConversationWalk {
    /// Where the timed rows of a page start: after the cursor's key, and never past the walk's
    /// start (rows dated later are read as moved rows). Without a key, the walk's start itself.
    package func timedBound(after key: (time: String, sequence: Int64)?) -> (time: String, sequence: Int64) {
        let start = (time: walkStart.storageText, sequence: Int64.max)
        guard let key else { return start }
        return PageKey.newestFirst(PageKey(time: start.time, sequence: start.sequence), PageKey(time: key.time, sequence: key.sequence))
            ? key : start
    }
}
