import QlippyJSON
import QlippyModel
import QlippyStore

/// What an import did, as the API answers it and the CLI prints it: nothing is ever reported as a
/// success without saying what arrived and, for whatever did not, why.
public struct ImportReport: Sendable, Equatable {
    /// A conversation that could not be imported; the others still were.
    public struct Skipped: Sendable, Equatable {
        public var sourceID: String
        public var title: String
        public var reason: String
    }

    public var format: ImportFormat
    /// Files read: 1 for one JSON file, one per `conversations-NNN.json` of an archive or folder
    /// (a file that is not JSON counts, and is named in `skipped`).
    public var filesRead = 0
    public var conversationsImported = 0
    public var messagesImported = 0
    public var conversationsAlreadyPresent = 0
    public var pluginsImported = 0
    public var pluginsAlreadyPresent = 0
    public var skipped: [Skipped] = []
    /// Messages left out on purpose, by reason (`system`, `hidden`, …).
    public var messagesSkipped: [String: Int] = [:]

    package init(format: ImportFormat, filesRead: Int = 1) {
        self.format = format
        self.filesRead = filesRead
    }
}

extension JSONWriter {
    package mutating func write(_ report: ImportReport) {
        beginObject()
        field("format", report.format.rawValue)
        field("files_read", report.filesRead)
        field("conversations_imported", report.conversationsImported)
        field("messages_imported", report.messagesImported)
        field("conversations_already_present", report.conversationsAlreadyPresent)
        field("plugins_imported", report.pluginsImported)
        field("plugins_already_present", report.pluginsAlreadyPresent)
        key("skipped")
        write(array: report.skipped) { json, skipped in
            json.beginObject()
            json.field("source_id", skipped.sourceID)
            json.field("title", skipped.title)
            json.field("reason", skipped.reason)
            json.endObject()
        }
        key("messages_skipped")
        beginObject()
        for (reason, count) in report.messagesSkipped.sorted(by: { $0.key < $1.key }) {
            dynamicField(reason, count)
        }
        endObject()
        endObject()
    }
}
